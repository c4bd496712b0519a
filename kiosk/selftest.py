"""`kiosk --self-test`: proof, on this machine and from this install, that the kiosk works.

In a temporary data folder (never the booth's own), it records a few seconds from the
synthetic camera and microphone in real time, merges them into interview.mp4, checks the
file (both streams, its length, the clapper's flash and beep within 40 ms of each other),
plays it to its end in Qt Multimedia, runs `kiosk doctor`, and transcribes a spoken
sentence (from resources/speech/known_clip.opus) with the shipped speech model.
Each step prints one line; the first that fails stops the test and is named.

In the PyInstaller bundle this is what proves that the bundle carries everything: the
ffmpeg executable, the migrations, Qt Multimedia and its FFmpeg plugin, the speech engine
(faster-whisper, CTranslate2 and its libraries, tokenizers) and the model.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from kiosk.capture.checkup import FaceFinder
from kiosk.capture.devices import open_sources
from kiosk.capture.synthetic import SyntheticOptions
from kiosk.config import Settings, load_settings
from kiosk.doctor import examine
from kiosk.errors import KioskError
from kiosk.media.clapper import clapper_matches
from kiosk.media.ffmpeg import ffmpeg_exe, ffmpeg_version
from kiosk.media.probe import probe
from kiosk.media.speech import SPEECH_RATE, speech_samples
from kiosk.recording.headless import HeadlessSession
from kiosk.resources import resource_path, resources_dir
from kiosk.store.database import Database, head_revision, open_configured
from kiosk.store.folding import search_words
from kiosk.transcripts.engine import SpeechToText
from kiosk.transcripts.model import find_model
from kiosk.verify import PlayToEnd, verify_recording
from kiosk.words import StopReason

RECORD_SECONDS = 4.0  # two clapper flashes (at 1 s and 3 s of source time)
MAX_CLAPPER_OFFSET_MS = 40.0
LENGTH_TOLERANCE_S = 0.5  # start-up of the encoders may cost a few frames
WIDTH, HEIGHT, FPS, SAMPLE_RATE = 640, 360, 30, 48_000
SPOKEN_CLIP = ("speech", "known_clip.opus")
SPOKEN_TEXT = ("speech", "known_clip.txt")
# The clip's second sentence, 3.08 s to 7.34 s, with the pauses around it. Not the first:
# alone, tiny.en hears its "to this interview" as "to listen to me" (resources/speech).
SENTENCE_MS = (2_800, 7_600)
# A booth's CPU may decode a word differently (its int8 kernels differ); a model that does
# not work hears nothing, or nothing like the sentence.
MOST_WORDS_MISSED = 0.25


class SelfTestFailed(KioskError):
    """A step of the self-test failed; the message names it."""


@dataclasses.dataclass
class _Run:
    settings: Settings
    db: Database | None = None
    session_id: str = ""
    session: HeadlessSession | None = None
    recorded_s: float = 0.0
    movie: Path | None = None


def _say(line: str) -> None:
    print(line, flush=True)  # in order with Qt's and ffmpeg's own messages on stderr


def run_self_test(play: PlayToEnd, *, say: Callable[[str], None] = _say,
                  seconds: float = RECORD_SECONDS) -> None:
    """Run every step, saying each; raise SelfTestFailed naming the first that fails."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-self-test-"))
    settings = load_settings({"KIOSK_DATA_DIR": str(folder)})
    # Small pictures: the self-test proves the pieces work, not this machine's speed. The
    # disk needs room for this recording only, not for the longest interview.
    settings = dataclasses.replace(settings, recording=dataclasses.replace(
        settings.recording, camera="synthetic", microphone="synthetic", width=WIDTH,
        height=HEIGHT, fps=FPS, sample_rate=SAMPLE_RATE, disk_reserve_mb=16,
        longest_interview_minutes=1))
    run = _Run(settings)
    steps: list[tuple[str, Callable[[_Run], str]]] = [
        ("files", lambda _run: _files()),
        ("database", _database),
        ("record", lambda run: _record(run, seconds)),
        ("merge", _merge),
        ("check", _check),
        ("play", lambda run: _play(run, play)),
        ("doctor", _doctor),
        ("speech", lambda run: check_transcription(run.settings)),
    ]
    say(f"self-test: in the temporary data folder {folder}")
    try:
        for name, step in steps:
            started = time.monotonic()
            try:
                detail = step(run)
            except Exception as exc:
                if isinstance(exc, KioskError):
                    reason = str(exc)
                else:  # a bug: its traceback helps whoever looks into it
                    traceback.print_exc()
                    reason = f"{type(exc).__name__}: {exc}"
                say(f"self-test: {name:<9}FAILED: {reason}")
                raise SelfTestFailed(f"self-test failed at step '{name}': {reason}"
                                     f"{_kept(folder)}") from None
            say(f"self-test: {name:<9}ok  {detail} ({time.monotonic() - started:.1f} s)")
    finally:
        if run.db is not None:
            run.db.close()
    shutil.rmtree(folder, ignore_errors=True)
    say("self-test: passed")


def _kept(folder: Path) -> str:
    """Where to look after a failure; a folder with nothing in it is not worth keeping."""
    if any(folder.iterdir()):
        return f" (its files are kept in {folder})"
    folder.rmdir()
    return ""


def _files() -> str:
    ffmpeg_version()
    stylesheet = resource_path("style.qss")
    if not stylesheet.is_file():
        raise KioskError(f"the kiosk's resources are missing: no {stylesheet}")
    faces = FaceFinder()
    if not faces.load():  # a bundle that lost OpenCV's cascade: no advice on the face
        raise KioskError(f"the device check cannot find faces: {faces.unavailable}")
    return f"ffmpeg {ffmpeg_exe()} runs; resources in {resources_dir()}; faces can be found"


def _database(run: _Run) -> str:
    run.db = open_configured(run.settings)
    return f"SQLite created and migrated to {head_revision()}"


def _record(run: _Run, seconds: float) -> str:
    assert run.db is not None
    sources = open_sources(run.settings.recording, demo=True, demo_options=SyntheticOptions(
        width=WIDTH, height=HEIGHT, fps=FPS, sample_rate=SAMPLE_RATE))
    try:
        run.session = HeadlessSession(run.db, run.settings, sources, "Self-test")
        run.session_id = run.session.session_id
        result = run.session.answer("Self-test", seconds)
    finally:
        sources.close()
    if result.reason is not StopReason.ASKED:
        raise KioskError(f"the recording stopped early: {result.reason}")
    run.recorded_s = result.duration_s
    stats = result.stats
    return (f"{result.duration_s:.2f} s at {WIDTH}x{HEIGHT}, {stats.frames_dropped} frames "
            f"dropped, {stats.frames_repeated} repeated")


def _merge(run: _Run) -> str:
    assert run.session is not None
    run.movie = run.session.finish().output
    return f"{run.movie.name}, {run.movie.stat().st_size / 1e6:.2f} MB"


def _check(run: _Run) -> str:
    assert run.movie is not None
    info = probe(run.movie)
    if info.video_codec != "h264" or info.audio_codec != "aac":
        raise KioskError(f"expected H.264 video and AAC sound, found "
                         f"{info.video_codec or 'no video'} and {info.audio_codec or 'no sound'}")
    if info.duration_s is None or abs(info.duration_s - run.recorded_s) > LENGTH_TOLERANCE_S:
        raise KioskError(f"the file lasts {info.duration_s} s; {run.recorded_s:.2f} s were "
                         f"recorded")
    matches = clapper_matches(run.movie)
    if not matches:
        raise KioskError("no clapper flash with its beep was found in the file")
    worst = max(matches, key=lambda m: abs(m.offset_ms))
    if abs(worst.offset_ms) > MAX_CLAPPER_OFFSET_MS:
        raise KioskError(f"picture and sound are {worst.offset_ms:+.1f} ms apart at "
                         f"{worst.beep_s:.2f} s (at most {MAX_CLAPPER_OFFSET_MS:.0f} ms allowed)")
    return (f"h264 + aac, {info.duration_s:.2f} s, {len(matches)} clapper(s), worst offset "
            f"{worst.offset_ms:+.1f} ms")


def _play(run: _Run, play: PlayToEnd) -> str:
    assert run.db is not None
    check = verify_recording(run.settings, run.db, run.session_id, play)
    if not check.ok:
        raise KioskError(" ".join(check.problems))
    return (f"played to the end in Qt Multimedia: {check.duration_ms} ms, "
            f"{check.frames_shown} frames shown; size and checksum match the session")


def _doctor(run: _Run) -> str:
    report = examine(run.settings)
    if not report.ok:
        raise KioskError(" ".join(report.problems))
    return f"database at {report.schema_revision}, files and sessions agree"


def check_transcription(settings: Settings, expected: str | None = None) -> str:
    """A sentence of the known clip through the speech model of `settings`: KioskError
    unless most of the words of `expected` (by default that sentence) are heard."""
    expected = expected or _second_sentence(resource_path(*SPOKEN_TEXT).read_text("utf-8"))
    samples = speech_samples(resource_path(*SPOKEN_CLIP), *SENTENCE_MS)
    model = find_model(settings)
    spoken = SpeechToText(model).transcribe(samples)
    heard = " ".join(segment.text for segment in spoken.segments)
    heard_words = set(search_words(heard))
    wanted = search_words(expected)
    missed = [word for word in wanted if word not in heard_words]
    if len(missed) > MOST_WORDS_MISSED * len(wanted):
        raise KioskError(f"the speech model ({model.name}, {model.path}) heard "
                         f"{heard or 'nothing'!r} where {expected!r} is said; it missed "
                         f"{', '.join(dict.fromkeys(missed))}")
    return (f"transcribed {samples.size / SPEECH_RATE:.1f} s with {model.name}: heard "
            f"{heard!r} ({len(wanted) - len(missed)} of {len(wanted)} words)")


def _second_sentence(text: str) -> str:
    return text.split(". ")[1] + "."
