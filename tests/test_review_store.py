"""Notes, ratings, views and the sessions list rows, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.errors import InvalidInputError, NotFoundError
from kiosk.store.models import Role, SessionStatus
from kiosk.store.operators import add_operator
from kiosk.store.review import (
    FORMER_OPERATOR,
    add_note,
    delete_note,
    edit_note,
    list_session_rows,
    load_review,
    set_rating,
    start_view,
    update_view,
)
from kiosk.store.sessions import create_session


@pytest.fixture
def reviewed(booth_db):
    settings, db = booth_db
    rita = add_operator(db, "Rita", Role.RECRUITER, "2468")
    omar = add_operator(db, "Omar", Role.ADMIN, "13579")
    with db.session() as s, s.begin():
        session_id = create_session(s, "Grace Hopper", position="Engineer",
                                    status=SessionStatus.COMPLETED).id
    return settings, db, rita, omar, session_id


def test_notes_are_kept_in_time_order_and_only_their_author_changes_them(reviewed) -> None:
    settings, db, rita, omar, session_id = reviewed
    late = add_note(db, session_id, rita, 9_500, "  Good example  ")
    early = add_note(db, session_id, omar, 1_200, "Nervous start")
    review = load_review(db, session_id, settings.recordings_dir)
    assert [(n.time_ms, n.text, n.author_name) for n in review.notes] == [
        (1_200, "Nervous start", "Omar"), (9_500, "Good example", "Rita")]
    edit_note(db, late, rita, "Very good example")
    with pytest.raises(InvalidInputError, match="Only the person who wrote"):
        edit_note(db, early, rita, "changed by someone else")
    with pytest.raises(InvalidInputError, match="Only the person who wrote"):
        delete_note(db, early, rita)
    with pytest.raises(InvalidInputError, match="needs some text"):
        add_note(db, session_id, rita, 0, "   ")
    delete_note(db, early, omar)
    with pytest.raises(NotFoundError):
        delete_note(db, early, omar)
    (note,) = load_review(db, session_id, settings.recordings_dir).notes
    assert (note.text, note.updated_at is not None) == ("Very good example", True)


def test_one_rating_per_operator_and_question(reviewed) -> None:
    settings, db, rita, omar, session_id = reviewed
    set_rating(db, session_id, rita, None, 3)
    set_rating(db, session_id, rita, None, 4)  # changed her mind: replaced, not added
    set_rating(db, session_id, omar, None, 5)
    set_rating(db, session_id, rita, 0, 2)
    with pytest.raises(InvalidInputError, match="from 1 to 5"):
        set_rating(db, session_id, rita, 1, 6)
    review = load_review(db, session_id, settings.recordings_dir)
    assert review.my_rating(rita.id, None) == 4
    assert review.my_rating(rita.id, 0) == 2
    assert review.my_rating(omar.id, 0) is None
    assert review.mean_rating(None) == (4.5, 2)
    (row,) = list_session_rows(db)
    assert row.rating == 4.5
    sidecar = review.to_export_dict()
    # The overall ratings first, then question by question.
    assert [(r["operator"], r["question_index"], r["score"]) for r in sidecar["ratings"]
            ] == [("Rita", None, 4), ("Omar", None, 5), ("Rita", 0, 2)]


def test_each_opening_is_recorded_with_how_long_it_was_watched(reviewed) -> None:
    settings, db, rita, omar, session_id = reviewed
    first = start_view(db, session_id, rita)
    update_view(db, first, 4_000)
    update_view(db, first, 12_000)
    start_view(db, session_id, omar)
    views = load_review(db, session_id, settings.recordings_dir).views
    assert [(v.operator_name, v.watched_ms) for v in views] == [("Omar", 0), ("Rita", 12_000)]
    assert all(abs(v.opened_at - datetime.now(UTC)) < timedelta(minutes=1) for v in views)


def test_the_list_rows_are_newest_first_with_their_dates(booth_db) -> None:
    _, db = booth_db
    with db.session() as s, s.begin():
        old = create_session(s, "Older")
        old.created_at = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
        new = create_session(s, "Newer", status=SessionStatus.COMPLETED)
        new.recording_created_at = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
        new.duration_ms = 61_000
    rows = list_session_rows(db)
    assert [r.candidate_name for r in rows] == ["Newer", "Older"]
    assert rows[0].date == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    assert rows[1].date == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert (rows[0].duration_ms, rows[0].rating, rows[0].status) == (61_000, None,
                                                                    SessionStatus.COMPLETED)


def test_a_removed_operators_notes_stay(reviewed) -> None:
    settings, db, rita, _, session_id = reviewed
    add_note(db, session_id, rita, 100, "kept")
    with db.session() as s, s.begin():
        from kiosk.store.models import Operator

        s.delete(s.get(Operator, rita.id))
    (note,) = load_review(db, session_id, settings.recordings_dir).notes
    assert (note.text, note.author_name) == ("kept", FORMER_OPERATOR)
