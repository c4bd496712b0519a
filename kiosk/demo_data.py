"""Demo data for `kiosk screenshots` and the benches: operators, sessions, notes, ratings.

Everything lives in a throwaway booth (`demo_booth`): a booth's own database never sees a
demo row. The one recording is made by the engine itself from the synthetic sources, so
the player, the chapters and the thumbnails are what a real booth shows. Its transcript,
and those of the newest interviews listed, are made-up lines stored the way a worker
stores what it heard (no speech model runs for a demo). No Qt here: the screens built on
this data are in `kiosk.ui.tooling.recruiter_screens`.
"""

from __future__ import annotations

import functools
import random
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kiosk.accommodations import make_accommodations
from kiosk.config import Settings, load_settings
from kiosk.recording.headless import record_demo_session
from kiosk.store import transcripts
from kiosk.store.database import Database, open_configured
from kiosk.store.files import POSTER_FILE_NAME, session_folder
from kiosk.store.models import InterviewSession, QuestionMarker, Role, SessionStatus
from kiosk.store.operators import (
    FREE_ATTEMPTS,
    PinRefusedError,
    SignedInOperator,
    add_operator,
    reset_pin,
    sign_in,
)
from kiosk.store.review import add_note, set_rating, start_view, update_view
from kiosk.store.schedule import as_stored
from kiosk.store.transcripts import Answer, Segment, Word

FIRST_NAMES = ("Ada", "Grace", "Zoë", "Omar", "Lin", "Mateo", "Aisha", "Sven", "Priya", "Kwame",
               "Hannah", "José", "Mei", "Olu", "Fatima", "Léa", "Noah", "Yuki", "Sara", "Ivan")
LAST_NAMES = ("Lovelace", "Hopper", "O'Neil", "Okafor", "Wang", "García", "Rahman", "Larsson",
              "Natarajan", "Mensah", "Schmidt", "Álvarez", "Chen", "Adeyemi", "Haddad",
              "Moreau", "Fischer", "Tanaka", "Kowalczyk", "Petrov")
POSITIONS = ("Booth engineer", "Data analyst", "Customer support", "Warehouse team lead",
             "Junior developer", "Nurse (night shifts)", "Accountant", None)
STATUS_MIX = ((SessionStatus.COMPLETED, 14), (SessionStatus.RECOVERED, 1),
              (SessionStatus.SCHEDULED, 3), (SessionStatus.DECLINED, 1),
              (SessionStatus.IN_PROGRESS, 1))
DEMO_QUESTIONS = (
    ("Tell us about yourself and what brings you here today.", 6.0),
    ("Why do you want this job?", 5.0),
    ("Describe a hard problem you solved, and how.", 7.0),
)

# What the demo candidate says in each answer (the recording itself is a test pattern).
DEMO_ANSWERS = (
    ("Hello, I'm Ada. I look after the booths at the north site.",
     "Before that, six years of night shifts in support."),
    ("I want to work closer to the customers who use what I build.",
     "And your team is known for listening to them."),
    ("Last winter forty booths lost their sound after an update.",
     "I traced it to one driver and rolled it back that night.",
     "Then our team wrote a check, so it cannot happen again."),
)
# What the other listed candidates said, a few lines each, drawn at random.
LISTED_LINES = (
    "I have led a small team in a warehouse for three years.",
    "Most of my work was with customers on the phone.",
    "I like night shifts: the team is smaller and calmer.",
    "We cut the waiting time in half by changing the schedule.",
    "I learnt to check the numbers before anyone asks for them.",
    "My last manager said I stay calm when things go wrong.",
    "I trained four new people on the safety rules.",
    "When a delivery was late, I called every customer myself.",
    "I am studying accounting in the evenings.",
    "Our team won the site's award for the fewest mistakes.",
    "I would like a job where I can keep learning.",
    "I moved here last year, and I know the area well.",
)
TRANSCRIBED_ROWS = 12  # the newest interviews listed that have a transcript
LINE_EVERY_MS = 9_000  # in a listed interview (its recording is not there to fit)


@dataclass(frozen=True)
class Demo:
    admin: SignedInOperator
    recruiter: SignedInOperator
    recorded: str  # the session with the real recording


@contextmanager
def demo_booth() -> Iterator[tuple[Settings, Database]]:
    """A throwaway data folder and database (default settings), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as folder:
        settings = load_settings({"KIOSK_DATA_DIR": folder})
        db = open_configured(settings)
        try:
            yield settings, db
        finally:
            db.close()


def populate(settings: Settings, db: Database, *, sessions: int = 40, seed: int = 5) -> Demo:
    """Operators, a real recording with notes, ratings and views, and `sessions` more rows."""
    admin = add_operator(db, "Amelia Admin", Role.ADMIN, _random_pin())
    recruiter = add_operator(db, "Rita Recruiter", Role.RECRUITER, _random_pin())
    omar = add_operator(db, "Omar Okafor", Role.RECRUITER, _random_pin())
    recorded = record_demo_session(db, settings, candidate="Ada Lovelace",
                                   position="Booth engineer", questions=DEMO_QUESTIONS)
    _given_accommodations(db, recorded)
    add_note(db, recorded, recruiter, 2_400, "Warm, clear introduction; mentions the night "
                                             "shift availability.")
    add_note(db, recorded, omar, 8_100, "Good reason: wants to work closer to customers.")
    add_note(db, recorded, recruiter, 13_500, "Concrete example with numbers. Follow up on "
                                              "the team size.")
    for operator, scores in ((recruiter, (4, 5, 4, 3)), (omar, (5, 4, 4, 4))):
        set_rating(db, recorded, operator, None, scores[0])
        for index, score in enumerate(scores[1:]):
            set_rating(db, recorded, operator, index, score)
    view = start_view(db, recorded, omar)
    update_view(db, view, 74_000)
    transcribe(db, recorded, lambda answer: DEMO_ANSWERS[answer.index])
    add_rows(settings, db, sessions, poster_from=recorded, seed=seed)
    _transcribe_listed(db, seed=seed, leave_out=recorded)
    return Demo(admin=admin, recruiter=recruiter, recorded=recorded)


def _given_accommodations(db: Database, session_id: str) -> None:
    """The recorded candidate had extra time and the questions read aloud, as a recruiter
    may give them (kiosk.store.schedule): the details show it beside the recording."""
    given = make_accommodations(extra_time=1.5, read_aloud=True)
    with db.session() as s, s.begin():
        row = s.get(InterviewSession, session_id)
        assert row is not None
        row.accommodations = as_stored(given)
        row.language = "en"


def transcribe(db: Database, session_id: str, said: Callable[[Answer], Sequence[str]]) -> None:
    """Give a session a transcript of made-up lines (`said(answer)` for each answer), spread
    over each answer's own stretch of the recording: its job is claimed and completed as a
    worker would, so what the screens read is what a real transcript gives them."""
    claim = transcripts.claim_next(db, transcripts.worker_name(), session_id=session_id)
    if claim is None:
        raise RuntimeError(f"the demo session {session_id} has no transcript job to claim")
    segments = [segment for answer in claim.answers for segment in
                _spread(answer.index, answer.start_ms, answer.end_ms, said(answer))]
    transcripts.complete(db, claim, segments, model="demo", language="en")


def _transcribe_listed(db: Database, *, seed: int, leave_out: str) -> None:
    """The newest interviews listed get a few lines each (their recordings are not there,
    so the lines come one every few seconds from the start)."""
    rng = random.Random(seed)
    with db.session() as s, s.begin():
        newest = s.scalars(select(InterviewSession.id)
                           .where(InterviewSession.recording_created_at.is_not(None),
                                  InterviewSession.id != leave_out)
                           .order_by(InterviewSession.recording_created_at.desc())
                           .limit(TRANSCRIBED_ROWS)).all()
        for session_id in newest:
            transcripts.queue(s, session_id)
    for session_id in newest:
        lines: Sequence[str] = rng.sample(LISTED_LINES, 5)
        transcribe(db, session_id, functools.partial(_first_answer_says, lines))


def _first_answer_says(lines: Sequence[str], answer: Answer) -> Sequence[str]:
    return lines if answer.index == 0 else ()


def _spread(index: int, start_ms: int, end_ms: int, lines: Sequence[str]) -> list[Segment]:
    """`lines` one after the other inside [start_ms, end_ms], each word given its share."""
    if not lines:
        return []
    span = min(end_ms - start_ms, LINE_EVERY_MS * len(lines))
    step = span / len(lines)
    segments = []
    for number, line in enumerate(lines):
        first = start_ms + round(number * step) + 200
        last = start_ms + round((number + 1) * step) - 200
        words = line.split()
        share = (last - first) / len(words)
        segments.append(Segment(
            question_index=index, start_ms=first, end_ms=last, text=line,
            words=tuple(Word(first + round(n * share), first + round((n + 1) * share), word)
                        for n, word in enumerate(words))))
    return segments


def add_rows(settings: Settings, db: Database, count: int, *, poster_from: str,
             seed: int = 5, with_posters: int | None = None) -> None:
    """`count` sessions spread over the last months (no recordings, but posters copied
    from `poster_from` for the newest `with_posters`, default all that have one)."""
    rng = random.Random(seed)
    poster = session_folder(settings.recordings_dir, poster_from) / POSTER_FILE_NAME
    now = datetime.now(UTC)
    statuses = [status for status, weight in STATUS_MIX for _ in range(weight)]
    rows = []
    for number in range(count):
        status = rng.choice(statuses)
        created = now - timedelta(days=rng.uniform(0, 120), minutes=number)
        row = InterviewSession(
            candidate_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            position=rng.choice(POSITIONS), status=status, created_at=created)
        if status in (SessionStatus.COMPLETED, SessionStatus.RECOVERED):
            row.recording_created_at = created + timedelta(minutes=rng.uniform(5, 40))
            row.duration_ms = rng.randint(4, 40) * 60_000 + rng.randint(0, 59_999)
            row.markers = [QuestionMarker(index=0, question="Tell us about yourself.",
                                          start_ms=0, end_ms=row.duration_ms)]
        rows.append(row)
    rows.sort(key=lambda r: r.created_at, reverse=True)
    with db.session() as s, s.begin():
        s.add_all(rows)
        s.flush()
        posters = 0
        for row in rows:
            if row.recording_created_at is None:
                continue
            if with_posters is not None and posters >= with_posters:
                break
            folder = session_folder(settings.recordings_dir, row.id)
            folder.mkdir()
            shutil.copyfile(poster, folder / POSTER_FILE_NAME)
            row.thumbnail = f"{row.id}/{POSTER_FILE_NAME}"
            posters += 1


def sign_ins_and_a_lockout(db: Database, demo: Demo) -> None:
    """What the operators list shows on a booth in use: sign-ins, and one person locked out."""
    for operator in (demo.admin, demo.recruiter):
        pin = _random_pin()
        reset_pin(db, operator.name, pin, reset_by=demo.admin.name)
        sign_in(db, operator.name, pin)
    for _ in range(FREE_ATTEMPTS):
        with suppress(PinRefusedError):
            sign_in(db, "Omar Okafor", "0000")  # never the demo's twelve-digit PIN


def _random_pin() -> str:
    # Demo operators never sign in: a PIN nobody knows.
    return "".join(secrets.choice("0123456789") for _ in range(12))
