"""Sessions: names as people type them, and the seed-compatible JSON form."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.errors import InvalidInputError, NotFoundError
from kiosk.store.database import open_database
from kiosk.store.models import InterviewSession, QuestionMarker, SessionStatus, utcnow
from kiosk.store.sessions import (
    MAX_NAME_LENGTH,
    clean_candidate_name,
    create_session,
    get_session,
    session_to_dict,
)

KEPT_AS_TYPED = [
    "O'Brien",
    'Jean "JJ" Jacques',
    "Zoë Ångström-Łukasiewicz",
    "渡辺 麻衣",
    "محمد الأحمد",
    "Priya 🎤✨",
    "👩🏽‍💻 family emoji 👨‍👩‍👧",
    "Robert'); DROP TABLE sessions;--",
    "x" * MAX_NAME_LENGTH,
]


@pytest.mark.parametrize("name", KEPT_AS_TYPED)
def test_names_are_kept_exactly(name: str) -> None:
    assert clean_candidate_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "enter a name"),
        ("   \t ", "enter a name"),
        ("Ada\nLovelace", "single line"),
        ("Ada\rLovelace", "single line"),
        ("Ada\u2028Lovelace", "single line"),
        ("Ada\x1b[31mLovelace", "control characters"),
        ("x" * 10_000, "at most 200 characters .*10000"),
    ],
)
def test_unusable_names_are_refused_with_a_message(name: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        clean_candidate_name(name)


@given(st.text(max_size=300))
def test_any_text_is_a_clean_one_line_name_or_refused(name: str) -> None:
    try:
        cleaned = clean_candidate_name(name)
    except InvalidInputError:
        return
    assert cleaned == cleaned.strip() and 0 < len(cleaned) <= MAX_NAME_LENGTH
    assert "\n" not in cleaned and "\r" not in cleaned


def test_names_round_trip_through_the_database(database_url: str) -> None:
    db = open_database(database_url)
    try:
        with db.session() as s, s.begin():
            ids = {name: create_session(s, name).id for name in KEPT_AS_TYPED}
        with db.session() as s:
            for name, session_id in ids.items():
                assert get_session(s, session_id).candidate_name == name
    finally:
        db.close()


def test_an_unknown_id_is_not_found(database_url: str) -> None:
    db = open_database(database_url)
    try:
        with db.session() as s, pytest.raises(NotFoundError, match="no-such-id"):
            get_session(s, "no-such-id")
    finally:
        db.close()


def _session(**fields: object) -> InterviewSession:
    return InterviewSession(id="3d1f2b0c-0000-4000-8000-000000000001", candidate_name="Ada",
                            status=SessionStatus.COMPLETED, created_at=utcnow(), **fields)


def test_json_carries_the_seed_fields_with_a_file_uri(tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    session = _session(recording_video="3d1f2b0c-0000-4000-8000-000000000001/interview.mp4",
                       size_bytes=1234, duration_ms=61_000)
    session.markers = [QuestionMarker(index=0, question="Why us?", start_ms=0, end_ms=61_000)]
    data = session_to_dict(session, root)
    expected_path = root.resolve() / "3d1f2b0c-0000-4000-8000-000000000001" / "interview.mp4"
    assert data["session_id"] == "3d1f2b0c-0000-4000-8000-000000000001"
    assert data["recording_url"] == expected_path.as_uri()
    assert data["recording_url"].startswith("file:///")
    assert data["file_name"] == "interview.mp4"
    assert data["file_size"] == 1234
    assert data["duration_ms"] == 61_000
    assert data["recording_error"] is None
    assert data["questions"] == [
        {"index": 0, "question": "Why us?", "start_ms": 0, "end_ms": 61_000}
    ]


@pytest.mark.parametrize("stored", ["../../etc/passwd", "/etc/passwd", "C:\\boot.ini"])
def test_a_row_pointing_outside_the_root_gets_no_url(tmp_path: Path, stored: str) -> None:
    data = session_to_dict(_session(recording_video=stored), tmp_path)
    assert data["recording_url"] is None
    assert data["file_name"] is None
    assert "recording path" in data["recording_error"]
