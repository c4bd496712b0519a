"""The transcript queue and search in the database: on SQLite and on the PostgreSQL server the
tests start (see conftest). No speech model here: segments are written as a worker would."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import func, select, text, update

from kiosk.store import transcripts as transcripts_store
from kiosk.store.database import Database, open_database
from kiosk.store.models import (
    InterviewSession,
    JobState,
    QuestionMarker,
    SessionStatus,
    TranscriptJob,
    TranscriptSegment,
)
from kiosk.store.sessions import create_session, get_session
from kiosk.store.transcripts import (
    Segment,
    Word,
    claim_next,
    complete,
    load_transcript,
    queue,
    release_abandoned,
    renew,
    requeue,
    search,
    transcript_webvtt,
)
from tests.migrations import migrating


@pytest.fixture
def db(database_url: str) -> Database:
    database = open_database(database_url)
    yield database
    database.close()


def _interview(db: Database, name: str, questions: tuple[str, ...] = ("Why this job?",)) -> str:
    with db.session() as s, s.begin():
        row = create_session(s, name, status=SessionStatus.COMPLETED)
        s.flush()
        row.recording_video = f"{row.id}/interview.mp4"
        row.duration_ms = 10_000 * len(questions)
        for index, question in enumerate(questions):
            row.markers.append(QuestionMarker(index=index, question=question,
                                              start_ms=index * 10_000,
                                              end_ms=(index + 1) * 10_000))
        queue(s, row.id)
        return row.id


def _transcribed(db: Database, name: str, *said: str) -> str:
    session_id = _interview(db, name, tuple(f"Question {i + 1}" for i in range(len(said))))
    claim = claim_next(db, "test-host:1", session_id=session_id)
    assert claim is not None
    segments = [Segment(i, i * 10_000 + 500, i * 10_000 + 4_000, words)
                for i, words in enumerate(said)]
    assert complete(db, claim, segments, model="tiny.en", language="en")
    return session_id


def test_a_committed_interview_has_its_job_and_one_worker_takes_it(db: Database) -> None:
    session_id = _interview(db, "Ada")
    first = claim_next(db, "booth-a:10")
    assert first is not None and first.session_id == session_id
    assert first.answers[0].question == "Why this job?"
    assert claim_next(db, "booth-b:20") is None  # taken: the other booth finds nothing
    assert load_transcript(db, session_id).status.state is JobState.RUNNING


def test_booths_racing_for_one_job_take_it_once(db: Database) -> None:
    _interview(db, "Only One")
    start = threading.Barrier(4)
    won: list[str] = []

    def booth(name: str) -> None:
        start.wait()
        if claim_next(db, name) is not None:
            won.append(name)

    threads = [threading.Thread(target=booth, args=(f"booth-{n}:{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(won) == 1


def test_a_transcript_is_whole_or_absent(db: Database) -> None:
    session_id = _interview(db, "Grace")
    claim = claim_next(db, "booth-a:1")
    assert claim is not None
    assert renew(db, claim, progress_ms=4_000, total_ms=10_000)
    status = load_transcript(db, session_id).status
    assert status.state is JobState.RUNNING and status.fraction == pytest.approx(0.4)
    assert load_transcript(db, session_id).segments == ()  # nothing shown while it runs
    said = Segment(0, 100, 2_000, "I like people", (Word(100, 400, "I"), Word(400, 900, "like"),
                                                     Word(900, 2_000, "people")))
    assert complete(db, claim, [said], model="tiny.en", language="en")
    transcript = load_transcript(db, session_id)
    assert transcript.done and transcript.segments == (said,)
    assert transcript.status.fraction == 1.0


def test_a_worker_whose_lease_ran_out_cannot_write_over_the_one_that_took_over(
    db: Database,
) -> None:
    session_id = _interview(db, "Lin")
    slow = claim_next(db, "booth-a:1", lease_s=60)
    assert slow is not None
    with db.session() as s, s.begin():  # its lease ends (it froze, its network went)
        s.execute(update(TranscriptJob).values(lease_until=datetime.now(UTC) - timedelta(1)))
    fresh = claim_next(db, "booth-b:2")
    assert fresh is not None and fresh.session_id == session_id and fresh.attempts == 2
    assert not renew(db, slow)
    assert not complete(db, slow, [Segment(0, 0, 10, "stale")], model="m", language="en")
    assert complete(db, fresh, [Segment(0, 0, 10, "fresh")], model="m", language="en")
    assert [s.text for s in load_transcript(db, session_id).segments] == ["fresh"]


def test_the_claims_of_dead_processes_on_this_host_go_back_to_the_queue(db: Database) -> None:
    session_id = _interview(db, "Killed Worker")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = "this-booth"
    assert claim_next(db, f"{host}:{dead.pid}") is not None
    other = _interview(db, "Other Booth")
    assert claim_next(db, "another-booth:1", session_id=other) is not None
    assert release_abandoned(db, host=host) == [session_id]
    assert load_transcript(db, session_id).status.state is JobState.PENDING
    assert load_transcript(db, other).status.state is JobState.RUNNING  # its lease decides


def test_asking_again_keeps_the_old_transcript_until_the_new_one_is_whole(db: Database) -> None:
    session_id = _transcribed(db, "Again", "first words")
    assert requeue(db, session_id)
    transcript = load_transcript(db, session_id)
    assert transcript.status.state is JobState.PENDING
    with db.session() as s:  # the old segments wait, searchable, until replaced
        assert s.scalar(select(func.count()).select_from(TranscriptSegment)) == 1
    claim = claim_next(db, "booth-a:1")
    assert claim is not None
    assert not requeue(db, session_id)  # a live worker is on it
    complete(db, claim, [Segment(0, 0, 10, "second words")], model="m", language="en")
    assert [s.text for s in load_transcript(db, session_id).segments] == ["second words"]
    assert search(db, "first") == []


def test_search_ignores_case_and_accents_and_takes_a_word_being_typed(db: Database) -> None:
    zoe = _transcribed(db, "Zoë Ångström", "I ran the Café kitchen for three years",
                       "Teamwork matters to me")
    _transcribed(db, "Bob", "I drove forklifts at night")
    assert [h.session_id for h in search(db, "CAFE")] == [zoe]
    assert [h.session_id for h in search(db, "café kitch")] == [zoe]  # prefix of the last
    hit = search(db, "teamwork")[0]
    assert (hit.candidate_name, hit.question_index, hit.question, hit.start_ms) == (
        "Zoë Ångström", 1, "Question 2", 10_500)
    assert search(db, "forklifts kitchen") == []  # every word, in one moment
    assert search(db, "night") and search(db, "NIGHT drove")


@pytest.mark.parametrize("typed", ['AND', 'NEAR(', '"', "kitchen OR", "-", "*", "'", ":*", "&|!"])
def test_search_reads_what_is_typed_as_words_never_as_query_syntax(db: Database,
                                                                   typed: str) -> None:
    _transcribed(db, "Syntax", "kitchen work near the door")
    hits = search(db, typed)
    assert all(h.candidate_name == "Syntax" for h in hits)


def test_a_deleted_session_takes_its_transcript_and_its_index_entries(db: Database) -> None:
    session_id = _transcribed(db, "Gone", "unmistakable zebra words")
    with db.session() as s, s.begin():
        s.delete(get_session(s, session_id))
    assert search(db, "zebra") == []
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(TranscriptSegment)) == 0
        assert s.scalar(select(func.count()).select_from(TranscriptJob)) == 0
        if db.engine.dialect.name == "sqlite":  # the FTS5 index itself, not only the join
            assert s.execute(text("SELECT count(*) FROM transcript_fts "
                                  "WHERE transcript_fts MATCH 'zebra'")).scalar() == 0


def test_webvtt_has_one_cue_per_segment_with_its_times(db: Database) -> None:
    session_id = _transcribed(db, "Captions", "Hello <there> & welcome", "Second answer")
    vtt = transcript_webvtt(load_transcript(db, session_id))
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.500 --> 00:00:04.000\n")
    assert "Hello &lt;there&gt; &amp; welcome" in vtt
    assert "2\n00:00:10.500 --> 00:00:14.000\nSecond answer\n" in vtt


def test_the_upgrade_queues_every_interview_already_kept(database_url: str) -> None:
    db = open_database(database_url)
    try:
        kept = _interview(db, "Kept Before")
        with db.session() as s, s.begin():
            create_session(s, "Never Recorded")
        with migrating(database_url) as (_conn, config):
            command.downgrade(config, "0006")
            command.upgrade(config, "head")
        with db.session() as s:
            jobs = s.execute(select(TranscriptJob.session_id, TranscriptJob.state)).all()
            assert jobs == [(kept, JobState.PENDING)]
            assert s.get(InterviewSession, kept) is not None
    finally:
        db.close()


def test_the_search_index_is_in_place(db: Database) -> None:
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            names = {row[0] for row in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE name LIKE 'transcript_fts%'"))}
            assert {"transcript_fts", "transcript_fts_insert", "transcript_fts_delete"} <= names
        else:
            definition = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_transcript_segments_fts'"
            )).scalar()
            assert "gin" in definition and "transcript_fts_vector" in definition


def test_search_past_the_newest_segments_finds_the_older_ones_newest_first(
    db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL reads the newest segments first, then asks the index for older ones: with
    a window of two segments, both passes are needed here."""
    monkeypatch.setattr(transcripts_store, "POSTGRES_NEWEST_WINDOW", 2)
    oldest = _transcribed(db, "Oldest", "the forklift broke", "nothing here")
    _transcribed(db, "Middle", "quiet answer", "another quiet one")
    newest = _transcribed(db, "Newest", "a forklift again", "and more")
    hits = search(db, "forklift")
    assert [h.session_id for h in hits] == [newest, oldest]
    assert [h.session_id for h in search(db, "forklift", limit=1)] == [newest]
    assert [h.session_id for h in search(db, "broke")] == [oldest]  # only in the old pass
