"""`kiosk bench --transcripts`: the speech engine's figures, measured on this machine.

1. The known clip (resources/speech: 60 s of espeak-ng reading a fixed text) transcribed in
   a fresh process: the real-time factor (transcription seconds per second of sound), the
   process's peak resident memory (VmHWM), and the word error rate against the text.
2. A booth of `sessions` interviews of `words_per_session` transcribed words (filled from a
   fixed vocabulary with Zipf-like word frequencies): how long the fill takes, and the median
   and the slowest time of the transcript search for a rare word, a common word, two words,
   a prefix and a single letter (what a recruiter's first key press asks). The filled
   database is kept in `work_dir` for timing the recruiter's view on it.
3. A real-time recording from the synthetic sources while a long transcription is pending,
   the worker held as the booth holds it: frames dropped, whether the job waited (still
   unfinished at the end of the recording) and how long it took once let go.

No Qt here. `python -m kiosk.transcript_bench [--json] [--sessions N] [--words N]` prints
the same figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ffmpeg
import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from kiosk.capture.clock import SystemClock
from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder
from kiosk.capture.synthetic import SyntheticOptions, synthetic_pair
from kiosk.config import RecordingSettings, Settings, load_settings
from kiosk.errors import KioskError
from kiosk.media.encode import VideoFormat
from kiosk.media.ffmpeg import command, run
from kiosk.media.probe import probe
from kiosk.media.speech import SPEECH_RATE, speech_samples
from kiosk.resources import resource_path
from kiosk.store import transcripts
from kiosk.store.database import Database, open_configured
from kiosk.store.folding import search_key
from kiosk.store.models import (
    InterviewSession,
    JobState,
    QuestionMarker,
    SessionStatus,
    TranscriptJob,
    TranscriptSegment,
)
from kiosk.transcripts.engine import SpeechToText
from kiosk.transcripts.model import find_model
from kiosk.transcripts.worker import TranscriptWorker, WorkerState

KNOWN_CLIP = ("speech", "known_clip.opus")
KNOWN_TEXT = ("speech", "known_clip.txt")

# --- word error rate ------------------------------------------------------------------------

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen")
_TENS = ("_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_APOSTROPHES = re.compile(r"['\u2019]")
_NUMBER = re.compile(r"\d+(?:,\d{3})*")
_NOT_A_WORD = re.compile(r"[^\w]+|_")


def number_words(n: int) -> str:
    """0 to 999,999 as spoken words ("twenty one", "three hundred five"): Whisper writes
    some numbers as digits and some as words, a reference text either way."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        return f"{number_words(thousands)} thousand" + (f" {number_words(rest)}" if rest else "")
    return " ".join(_ONES[int(digit)] for digit in str(n))  # a phone number, say: digit by digit


def normalised_words(text: str) -> list[str]:
    """The words of `text` as they are compared: folded case, no punctuation ("don't" is
    "dont", "well-known" two words), numbers as words."""
    text = _APOSTROPHES.sub("", search_key(text))
    text = _NUMBER.sub(lambda m: f" {number_words(int(m[0].replace(',', '')))} ", text)
    return _NOT_A_WORD.sub(" ", text).split()


@dataclass(frozen=True)
class WordErrors:
    """The fewest substitutions, deletions and insertions that turn the reference's words
    into the hypothesis's (a word-level Levenshtein alignment)."""

    substitutions: int
    deletions: int
    insertions: int
    reference_words: int

    @property
    def rate(self) -> float:
        """The word error rate: errors per reference word (it may exceed 1)."""
        errors = self.substitutions + self.deletions + self.insertions
        if self.reference_words == 0:
            return 0.0 if errors == 0 else float("inf")
        return errors / self.reference_words


def word_errors(reference: str, hypothesis: str) -> WordErrors:
    ref, hyp = normalised_words(reference), normalised_words(hypothesis)
    # previous[j]: (errors, substitutions, deletions, insertions) turning ref[:i-1] into
    # hyp[:j]; among equal error counts the first alignment found is kept.
    previous = [(j, 0, 0, j) for j in range(len(hyp) + 1)]
    for i, ref_word in enumerate(ref, 1):
        current = [(i, 0, i, 0)]
        for j, hyp_word in enumerate(hyp, 1):
            e, s, d, n = previous[j - 1]
            diagonal = (e, s, d, n) if ref_word == hyp_word else (e + 1, s + 1, d, n)
            e, s, d, n = previous[j]
            deleted = (e + 1, s, d + 1, n)
            e, s, d, n = current[j - 1]
            inserted = (e + 1, s, d, n + 1)
            current.append(min(diagonal, deleted, inserted, key=lambda option: option[0]))
        previous = current
    _, substitutions, deletions, insertions = previous[-1]
    return WordErrors(substitutions, deletions, insertions, len(ref))


# --- the known clip -------------------------------------------------------------------------


def known_clip() -> Path:
    return resource_path(*KNOWN_CLIP)


def known_text() -> str:
    return resource_path(*KNOWN_TEXT).read_text(encoding="utf-8").strip()


def measure_one(path: Path, *, threads: int = 1, model_dir: str = "") -> dict[str, Any]:
    """Transcribe `path` in this process: meant for a fresh one (its peak memory is this).
    `model_dir`: an absolute model folder; empty, the shipped model."""
    settings = load_settings({"KIOSK_DATA_DIR": tempfile.gettempdir()})
    settings = dataclasses.replace(settings, transcripts=dataclasses.replace(
        settings.transcripts, model_dir=model_dir, threads=threads))
    rss_before = _peak_rss_mb()
    started = time.monotonic()
    samples = speech_samples(path)
    decoded = time.monotonic()
    stt = SpeechToText(find_model(settings), threads=threads)
    loaded = time.monotonic()
    spoken = stt.transcribe(samples)
    transcribed = time.monotonic()
    return {
        "audio_s": round(samples.size / SPEECH_RATE, 2),
        "decode_s": round(decoded - started, 3),
        "load_s": round(loaded - decoded, 3),
        "transcribe_s": round(transcribed - loaded, 3),
        "peak_rss_mb": _peak_rss_mb(),
        "peak_rss_mb_before_decoding": rss_before,
        "model": stt.name,
        "threads": threads,
        "text": " ".join(segment.text for segment in spoken.segments),
    }


def print_measurement(path: Path, *, threads: int, model_dir: str) -> int:
    """The child's side of measure_known_clip: measure_one's figures as one line of JSON."""
    print(json.dumps(measure_one(path, threads=threads, model_dir=model_dir)), flush=True)
    return 0


def _peak_rss_mb() -> float | None:
    """This process's peak resident memory (Linux's VmHWM), None where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def measurement_command(path: Path, settings: Settings) -> list[str]:
    """The command that runs measure_one in a fresh process, with the model of `settings`."""
    options = ["--measure-one", str(path), "--threads", str(settings.transcripts.threads)]
    if settings.transcripts.model_dir:  # resolved here: the child has another data folder
        options += ["--model-dir", str(find_model(settings).path)]
    if getattr(sys, "frozen", False):  # the bundle's executable is the kiosk command itself
        return [sys.executable, "bench", "--transcripts", *options]
    return [sys.executable, "-m", "kiosk.transcript_bench", *options]


def measure_known_clip(settings: Settings) -> dict[str, Any]:
    """Real-time factor, peak memory and word error rate on the known clip, in a child."""
    done = subprocess.run(measurement_command(known_clip(), settings), capture_output=True,
                          text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise KioskError(f"The transcription of the known clip failed: "
                         f"{done.stderr.strip()[-2000:]}")
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    errors = word_errors(known_text(), measured["text"])
    measured["real_time_factor"] = round(measured["transcribe_s"] / measured["audio_s"], 4)
    measured["word_error_rate"] = round(errors.rate, 4)
    measured["word_errors"] = dataclasses.asdict(errors)
    return measured


# --- a booth full of transcripts ------------------------------------------------------------

# Ranked roughly by how often interview answers use them; frequencies fall off as 1/rank^s.
COMMON_WORDS = (
    "the", "i", "and", "to", "a", "of", "that", "in", "it", "we", "was", "my", "you", "is", "for",
    "so", "on", "with", "they", "be", "this", "have", "but", "at", "what", "had", "our", "were",
    "as", "do", "it's", "not", "there", "all", "team", "think", "when", "would", "about", "can",
    "one", "just", "like", "me", "people", "work", "because", "really", "which", "or", "them", "an",
    "time", "from", "if", "customer", "then", "very", "more", "some", "also", "did", "he", "she",
    "out", "up", "how", "get", "their", "who", "know", "been", "by", "made", "make", "new", "year",
    "years", "first", "good", "project", "worked", "job", "problem", "always", "way", "well",
    "other", "help", "manager", "day", "company", "customers", "going", "things", "thing", "want",
    "two", "need", "back", "lot", "support", "much", "learned", "different", "where", "could",
    "try", "tried", "each", "every", "role", "while", "after", "before", "together", "right",
    "three", "working", "experience", "change", "changed", "plan", "planned", "next", "week",
    "weeks", "month", "months", "last", "small", "big", "important", "able", "sure", "question",
    "questions", "answer", "answered", "phone", "email", "order", "orders", "issue", "issues",
    "solve", "solved", "solving", "listen", "listened", "calm", "deadline", "deadlines",
    "colleague", "colleagues", "train", "trained", "training", "skills", "skill", "strong",
    "client", "clients", "service", "quality", "report", "reports", "data", "system", "systems",
    "process", "processes", "improve", "improved", "result", "results", "goal", "goals", "feedback",
    "meeting", "meetings", "schedule", "shift", "shifts", "safety", "store", "stock", "delivery",
    "deliveries", "software", "code", "tested", "testing", "release", "budget", "sales", "target",
    "targets", "manage", "managed", "lead", "led", "leader", "conflict", "patient", "patients",
    "nurse", "care", "shop", "warehouse", "kitchen", "school", "course", "degree", "study",
    "studied", "hours", "late", "early", "busy", "quickly", "carefully", "honest", "communication",
    "community", "commute", "committed", "common", "complaint", "complaints", "computer",
    "responsible", "responsibility", "organised", "organise", "priority", "priorities", "pressure",
    "stress", "mistake", "mistakes", "decision", "decisions", "example", "situation", "success",
    "successful", "challenge", "challenging", "opportunity", "motivated", "motivation", "career",
    "future", "grow", "growth", "position",
)
# Words a recruiter might search for that few answers hold: each is rare (about 5 in
# 10 million words), as a skill, a tool or a place is in real interviews.
RARE_WORDS = ("phlebotomy", "forklift", "kubernetes", "haccp", "sharepoint", "braille",
              "welding", "payroll", "tachograph", "cantonese", "autocad", "defibrillator")
ZIPF_EXPONENT = 1.07
RARE_WORD_RATE = 5e-7  # each rare word's share of all words
WORDS_PER_SEGMENT = (8, 30)  # a stretch of speech the model returns at once
QUESTIONS_PER_SESSION = 5
MS_PER_WORD = 400  # 150 words a minute
FILL_SESSIONS_PER_BATCH = 500


@dataclass(frozen=True)
class FilledBooth:
    sessions: int
    segments: int
    words: int
    seconds: float


def word_weights(common: int = len(COMMON_WORDS), rare: int = len(RARE_WORDS)) -> np.ndarray:
    """The chance of each word of COMMON_WORDS + RARE_WORDS, summing to 1."""
    zipf = 1.0 / np.arange(1, common + 1) ** ZIPF_EXPONENT
    zipf *= (1.0 - RARE_WORD_RATE * rare) / zipf.sum()
    return np.concatenate([zipf, np.full(rare, RARE_WORD_RATE)])


def fill_search_booth(db: Database, sessions: int, words_per_session: int, seed: int = 16
                      ) -> FilledBooth:
    """`sessions` completed interviews with done transcripts of `words_per_session` words
    each (question markers, DONE jobs, segments with word times), by bulk inserts, into a
    booth of its own: the sessions' ids are fixed by their number."""
    started = time.monotonic()
    rng = np.random.default_rng(seed)
    vocabulary = COMMON_WORDS + RARE_WORDS
    weights = word_weights()
    now = datetime.now(UTC)
    segments = words = 0
    for first in range(0, sessions, FILL_SESSIONS_PER_BATCH):
        batch = range(first, min(sessions, first + FILL_SESSIONS_PER_BATCH))
        rows = _BatchRows()
        for number in batch:
            drawn = rng.choice(len(vocabulary), size=words_per_session, p=weights)
            lengths = _segment_lengths(rng, words_per_session)
            rows.add_session(number, now, [vocabulary[i] for i in drawn], lengths)
        with db.engine.begin() as conn:
            conn.execute(insert(InterviewSession), rows.sessions)
            conn.execute(insert(QuestionMarker), rows.markers)
            conn.execute(insert(TranscriptJob), rows.jobs)
            if rows.segments:
                conn.execute(insert(TranscriptSegment), rows.segments)
        segments += len(rows.segments)
        words += len(batch) * words_per_session
    return FilledBooth(sessions=sessions, segments=segments, words=words,
                       seconds=time.monotonic() - started)


def _segment_lengths(rng: np.random.Generator, words: int) -> list[int]:
    low, high = WORDS_PER_SEGMENT
    lengths = []
    while words > 0:
        length = min(words, int(rng.integers(low, high + 1)))
        lengths.append(length)
        words -= length
    return lengths


class _BatchRows:
    """The rows of a batch of filled sessions, as dicts for executemany."""

    def __init__(self) -> None:
        self.sessions: list[dict[str, Any]] = []
        self.markers: list[dict[str, Any]] = []
        self.jobs: list[dict[str, Any]] = []
        self.segments: list[dict[str, Any]] = []

    def add_session(self, number: int, now: datetime, words: list[str],
                    lengths: list[int]) -> None:
        session_id = str(uuid.UUID(int=number + 1))  # fixed ids: the same seed, the same booth
        created = now - timedelta(minutes=number)
        duration_ms = len(words) * MS_PER_WORD
        self.sessions.append({
            "id": session_id, "candidate_name": f"Candidate {number + 1}",
            "position": "Customer support", "status": SessionStatus.COMPLETED,
            "created_at": created, "recording_video": f"{session_id}/interview.mp4",
            "recording_created_at": created, "duration_ms": duration_ms, "walk_in": False,
            "questions_answered": QUESTIONS_PER_SESSION,
            "questions_total": QUESTIONS_PER_SESSION, "ended_early": False})
        answer_ms = duration_ms // QUESTIONS_PER_SESSION
        for index in range(QUESTIONS_PER_SESSION):
            self.markers.append({"session_id": session_id, "index": index,
                                 "question": f"Question {index + 1}",
                                 "start_ms": index * answer_ms,
                                 "end_ms": (index + 1) * answer_ms})
        self.jobs.append({
            "session_id": session_id, "state": JobState.DONE, "created_at": created,
            "attempts": 1, "progress_ms": duration_ms, "total_ms": duration_ms,
            "finished_at": created, "model": "tiny.en", "language": "en"})
        at = 0
        for length in lengths:
            said = words[at:at + length]
            text = " ".join([said[0].capitalize(), *said[1:]]) + "."
            start_ms = at * MS_PER_WORD
            timed = [[start_ms + k * MS_PER_WORD, start_ms + (k + 1) * MS_PER_WORD, word]
                     for k, word in enumerate(said)]
            self.segments.append({
                "session_id": session_id,
                "question_index": min(QUESTIONS_PER_SESSION - 1, start_ms // answer_ms),
                "start_ms": start_ms, "end_ms": start_ms + length * MS_PER_WORD,
                "text": text, "folded": search_key(text),
                "words": json.dumps(timed, separators=(",", ":"))})
            at += length


# What a recruiter types: a rare word, a common one, two, a word being typed, and the
# first key press of a search that runs as one types.
SEARCHES = (("rare word", "forklift"), ("common word", "customer"),
            ("two words", "customer team"), ("prefix", "comm"), ("one letter", "c"))
SEARCH_REPEATS = 7


def time_searches(db: Database, repeats: int = SEARCH_REPEATS) -> dict[str, dict[str, Any]]:
    """Each search of SEARCHES `repeats` times: its hits, median and slowest milliseconds
    (the first run reads from a cold cache)."""
    figures = {}
    for name, words in SEARCHES:
        times_ms, hits = [], 0
        for _ in range(repeats):
            started = time.perf_counter()
            hits = len(transcripts.search(db, words))
            times_ms.append(1000 * (time.perf_counter() - started))
        figures[name] = {"query": words, "hits": hits,
                         "median_ms": round(statistics.median(times_ms), 2),
                         "max_ms": round(max(times_ms), 2)}
    return figures


def count_rows(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {"sessions": s.scalar(select(func.count()).select_from(InterviewSession)) or 0,
                "jobs_done": s.scalar(select(func.count()).select_from(TranscriptJob)
                                      .where(TranscriptJob.state == JobState.DONE)) or 0,
                "segments": s.scalar(select(func.count())
                                     .select_from(TranscriptSegment)) or 0}


# --- recording while a transcription waits --------------------------------------------------

RECORD_WHILE_PENDING_S = 20.0
LONG_CLIP_REPEATS = 5  # five minutes of speech: far more than a held worker gets through
STATE_POLL_S = 0.05


@dataclass
class _Watch:
    """The worker and its job as the recording saw them."""

    held_after_s: float | None = None
    state_at_end: str = ""
    job_at_end: str = ""
    progress_ms_at_hold: int = 0
    progress_ms_at_end: int = 0


def make_long_clip(folder: Path, repeats: int = LONG_CLIP_REPEATS) -> Path:
    """The known clip `repeats` times over, as one file (the streams copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    long_clip = folder / "long_answer.opus"
    graph = (ffmpeg.input(str(known_clip()), stream_loop=repeats - 1)
             .output(str(long_clip), c="copy").overwrite_output())
    run(command(graph), what="Making the long clip")
    return long_clip


def queue_recorded_session(db: Database, settings: Settings, clip: Path) -> str:
    """A completed interview whose recording is `clip`, its transcript pending."""
    relative = clip.relative_to(settings.recordings_dir).as_posix()
    info = probe(clip)
    session = InterviewSession(
        candidate_name="Long answer", status=SessionStatus.COMPLETED,
        recording_video=relative, recording_created_at=datetime.now(UTC),
        duration_ms=round(1000 * (info.duration_s or 0.0)))
    with db.session() as s, s.begin():
        s.add(session)
        s.flush()
        transcripts.queue(s, session.id)
        return session.id


def record_while_pending(settings: Settings, work_dir: Path, *,
                         seconds: float = RECORD_WHILE_PENDING_S,
                         clip_repeats: int = LONG_CLIP_REPEATS) -> dict[str, Any]:
    """A real-time recording while the worker, inside a long job, is held; then let go."""
    booth = dataclasses.replace(
        load_settings({"KIOSK_DATA_DIR": str(work_dir / "pending-booth")}),
        transcripts=settings.transcripts)
    db = open_configured(booth)
    worker = TranscriptWorker(db, booth)
    try:
        clip = make_long_clip(booth.recordings_dir / "long", clip_repeats)
        session_id = queue_recorded_session(db, booth, clip)
        worker.start()
        if worker.state is WorkerState.NO_MODEL:
            raise KioskError(worker.problem or "There is no speech model.")
        # Inside the job, its progress written once (every 2 s), when the candidate comes.
        _wait_for(lambda: _job(db, session_id).progress_ms > 0, 120,
                  "the transcription to start")
        watch = _Watch(progress_ms_at_hold=_job(db, session_id).progress_ms)
        held_at = time.monotonic()
        worker.hold()
        recording = _record(work_dir / "pending-parts", settings.recording, seconds,
                            lambda: _note_held(worker, watch, held_at))
        job = _job(db, session_id)
        watch.state_at_end, watch.job_at_end = worker.state.value, job.state.value
        watch.progress_ms_at_end = job.progress_ms
        released = time.monotonic()
        worker.release()
        _wait_for(lambda: _job(db, session_id).state in (JobState.DONE, JobState.FAILED),
                  1800, "the transcription to finish")
        after_release_s = time.monotonic() - released
        final = _job(db, session_id)
    finally:
        worker.stop()
        db.close()
    return {
        **recording,
        "job_audio_s": round((final.total_ms or 0) / 1000, 1),
        "worker_held_after_s": watch.held_after_s,
        "worker_state_at_end_of_recording": watch.state_at_end,
        "job_state_at_end_of_recording": watch.job_at_end,
        "job_progress_s_at_hold": watch.progress_ms_at_hold / 1000,
        "job_progress_s_at_end_of_recording": watch.progress_ms_at_end / 1000,
        "job_waited": watch.job_at_end == JobState.RUNNING.value
        and watch.state_at_end == WorkerState.HELD.value,
        "job_state_after_release": final.state.value,
        "job_s_after_release": round(after_release_s, 2),
    }


def _note_held(worker: TranscriptWorker, watch: _Watch, held_at: float) -> None:
    if watch.held_after_s is None and worker.state is WorkerState.HELD:
        watch.held_after_s = round(time.monotonic() - held_at, 2)


def _job(db: Database, session_id: str) -> TranscriptJob:
    with db.session() as s:
        job = s.scalar(select(TranscriptJob).where(TranscriptJob.session_id == session_id))
        assert job is not None, "the bench queued it"
        s.expunge(job)
        return job


def _wait_for(done: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise KioskError(f"Gave up waiting for {what} after {timeout_s:.0f} s.")
        time.sleep(STATE_POLL_S)


def _record(folder: Path, recording: RecordingSettings, seconds: float,
            every_poll: Callable[[], None]) -> dict[str, Any]:
    """`seconds` of real time from the synthetic sources, as the benches record them (a
    camera 15% short of its rate, 3 ms of jitter, a sound card drifting 300 ppm)."""
    options = SyntheticOptions(width=recording.width, height=recording.height,
                               fps=float(recording.fps), sample_rate=recording.sample_rate,
                               shortfall=0.15, jitter_ms=3.0, drift_ppm=300.0)
    clock = SystemClock()
    camera, microphone = synthetic_pair(clock, options)
    live = LiveSources(camera, microphone, clock)
    live.start()
    try:
        recorder = PartRecorder(live, folder, "pending",
                                video=VideoFormat(options.width, options.height, options.fps),
                                sample_rate=options.sample_rate, title="Bench")
        recorder.start()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            every_poll()
            time.sleep(STATE_POLL_S)
        recorder.stop()
        result = recorder.wait(timeout=600)
    finally:
        live.close()
    stats = result.stats
    return {"recorded_s": round(result.duration_s, 2),
            "picture": f"{options.width}x{options.height}@{recording.fps}",
            "frames_offered": stats.frames_offered, "frames_dropped": stats.frames_dropped,
            "dropped_frame_pct": round(100 * stats.frames_dropped
                                       / max(1, stats.frames_offered), 4),
            "audio_blocks_dropped": stats.audio_blocks_dropped, "presets": stats.presets,
            "stalls": len(stats.stalls)}


# --- the whole bench ------------------------------------------------------------------------


def run_transcript_bench(settings: Settings, *, sessions: int = 10_000,
                         words_per_session: int = 1_000, work_dir: Path,
                         progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every figure of the module's docstring. `work_dir` keeps the filled booth."""
    say = progress or (lambda message: None)
    work_dir.mkdir(parents=True, exist_ok=True)
    say("transcribing the known clip in a fresh process")
    clip = measure_known_clip(settings)
    say(f"filling a booth with {sessions} x {words_per_session} transcribed words")
    search_booth = load_settings({"KIOSK_DATA_DIR": str(work_dir / "search-booth")})
    db = open_configured(search_booth)
    try:
        filled = fill_search_booth(db, sessions, words_per_session)
        say("timing the transcript search")
        searches = time_searches(db)
    finally:
        db.close()
    say(f"recording {RECORD_WHILE_PENDING_S:g} s while a transcription waits")
    pending = record_while_pending(settings, work_dir)
    return {
        "known_clip": clip,
        "search": {
            "sessions": filled.sessions, "segments": filled.segments, "words": filled.words,
            "fill_s": round(filled.seconds, 1),
            "database": make_url(search_booth.database_url).database,
            "data_dir": str(search_booth.data_dir),
            "queries": searches,
        },
        "recording_while_pending": pending,
        "python": sys.version.split()[0],
    }


def _print_figures(figures: dict[str, Any], prefix: str = "") -> None:
    for key, value in figures.items():
        if isinstance(value, dict):
            print(f"{prefix}{key}:")
            _print_figures(value, prefix + "  ")
        else:
            print(f"{prefix}{key}: {value}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.transcript_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=1_000, help="words per session")
    parser.add_argument("--work-dir", type=Path,
                        help="where the filled booth is kept (default: a new folder in /tmp)")
    parser.add_argument("--measure-one", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_one is not None:
        return print_measurement(args.measure_one, threads=args.threads,
                                 model_dir=args.model_dir)
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="kiosk-transcript-bench-"))
    figures = run_transcript_bench(
        load_settings(), sessions=args.sessions, words_per_session=args.words,
        work_dir=work_dir, progress=lambda message: print(f"bench: {message}",
                                                          file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print_figures(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
