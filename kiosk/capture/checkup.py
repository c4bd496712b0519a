"""The device check that measures: while the candidate looks at the preview, the camera and
the microphone are measured for a few seconds and what could be better is said in plain words.

It only advises; nothing here blocks the booth. `DeviceCheck` is fed samples and judges them.
`LiveCheck` feeds one from LiveSources on two daemon threads of its own: one times the
frames and samples the sound, one looks at three pictures a second. So face detection never
runs on the GUI thread, and nothing here touches a widget: the UI calls `verdict()` whenever
it likes. The same figures go to the log (`Verdict.describe`) and the booth page (`as_dict`).

Faces are found with one of OpenCV's frontal-face Haar cascades, on the picture scaled to
270 lines (about 40 ms a look). OpenCV 5 moved the cascades out of its main wheel (the
project stays on 4.x for them); where the cascade cannot be loaded (a bundle without the
file), faces are not measured, and the check never says it cannot see a face it did not
look for.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import statistics
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.capture.frames import VideoFrame
from kiosk.capture.live import LiveSources
from kiosk.capture.opencv_backends import cv2  # loaded with the booth's settings
from kiosk.words import Advice

log = logging.getLogger(__name__)

# The voice rule's margin, shared with the booth (kiosk.interview.booth.is_voice).
# Speech at 60 cm is 20-30 dB above a quiet room; a fan, a hum or a steady tone barely moves.
VOICE_OVER_FLOOR_DB = 10.0

MAX_ADVICE = 2  # shown at once, in large type: more would be a list nobody reads

# -- sampling (LiveCheck) ---------------------------------------------------------------------
# Often enough to see nearly every frame of a 60 fps camera (16.7 ms apart), and the few it
# misses do not lower the rate (_frame_rate); a poll is a reference comparison, so 200 a
# second cost well under 1% of a core.
FRAME_POLL_S = 0.005
SOUND_EVERY_S = 0.1  # each sample is a different 20 ms block, as the kiosk's meter reads it
# A look costs about 40 ms of wall time and 60 ms of CPU (OpenCV uses both cores of a booth
# PC): three a second keep it under a tenth of the machine while following a candidate who
# shifts in their seat within a second.
PICTURE_EVERY_S = 1 / 3
LIVE_WAIT_S = 10.0  # the booth has already waited for the devices: this only guards a start

# -- the picture ------------------------------------------------------------------------------
FPS_WINDOW_S = 2.0  # the frame rate of the last two seconds: follows a change of light
FPS_GAPS_MIN = 5  # fewer gaps between frames say nothing about a rate
READY_S = 1.5  # frames spanning this long are judged: a verdict well inside the 3 s allowed
PICTURES_MIN = 3  # looked at before a verdict, and judged together (the last second):
PICTURES_KEPT = 3  # a blink or a hand passing is outvoted
# The cascade's window is 20 px, so 270 lines find faces down to 7% of the frame's height,
# well under the too-far line, while a look stays a few tens of milliseconds.
DETECT_LINES = 270
# Not `..._default`: behind a covered face it took a model space shuttle for a face, as
# surely as it found a real face 1.5 m away; `_alt` finds the same faces, and not that.
CASCADE_FILE = "haarcascade_frontalface_alt.xml"
FACE_MIN_PX = 20
DARK_BELOW = 60.0  # mean grey, 0-255: auto exposure aims at 110-130; under 60 is dim and noisy
# A window or lamp is blown out (near white); a backlit face is two stops or more below it.
# Both must hold, so a white wall behind a dark face, or a pale face, is not called backlit.
BRIGHT_BACKGROUND = 215.0
BACKLIT_RATIO = 0.4
# The face's centre further than this from the middle (share of the width): about 11 cm at
# 60 cm from a 65-degree webcam, and the face is clearly off to one side in the preview.
OFF_CENTRE = 0.15
# The face's height under this share of the frame's height: about 1.5 m from a webcam with a
# 40-degree vertical view. At 60 cm a face fills about a third.
TOO_FAR_BELOW = 0.15
# Jerky below two thirds of the rate asked for (20 of 30 fps: every third frame repeated in
# the recording), never asking for more than 20 fps (the eye sees motion as smooth from about
# there). A webcam in dim light or on raw YUYV over USB 2 gives 5-15 fps: clearly below.
JERKY_SHARE = 2 / 3
SMOOTH_FPS = 20.0

# -- the sound --------------------------------------------------------------------------------
SOUND_SAMPLES_MIN = 10  # a second of levels before the floor means anything
SOUND_SAMPLES_MAX = 3000  # five minutes: a device check left open does not grow for ever
# The room's floor is what is heard between words: the quietest tenth of the levels, so a
# candidate who talks through most of the check does not raise it (a median would).
FLOOR_PERCENTILE = 10
VOICE_SAMPLES_MIN = 3  # 0.3 s above the floor: a word, not a click
# Conversational speech at 60 cm is -35 to -20 dBFS on a webcam's microphone; a voice whose
# typical level is under -42 dBFS is hard to follow on playback.
SPEECH_MIN_DBFS = -42.0
# No voice this long (or only a faint one) says "too quiet": time to read the screen's "say a
# few words" and answer it. A voice heard clearly settles the microphone at once.
QUIET_AFTER_S = 5.0
# A sample within 1 dB of full scale has clipped, or an automatic gain limiter is about to.
CLIP_DBFS = -1.0
# Clipping in at least this share of the samples, and at least twice: a voice that clips on
# its stressed syllables does so far more often; one knock or cough in a check does not.
CLIPPED_SHARE = 0.05
CLIPPED_MIN = 2


@dataclass(frozen=True)
class FaceBox:
    """Where the face is in the camera's own (not mirrored) picture, as shares of it."""

    x: float  # centre, 0 = the picture's left edge (the candidate's right)
    y: float  # centre, 0 = the top
    size: float  # the face's height over the picture's height


@dataclass(frozen=True)
class CheckFigures:
    """What was measured. None: not measured (yet)."""

    seconds: float  # since the first frame
    fps: float | None  # distinct frames a second the camera delivers (the last 2 s)
    brightness: float | None  # the picture's mean grey level, 0-255
    face_brightness: float | None  # the face's middle (no face found: the picture's middle)
    background_brightness: float | None  # the bright quarter beside and above the face
    face: FaceBox | None
    faces_measured: bool  # False: this OpenCV cannot find faces
    noise_floor_dbfs: float | None  # the room between words
    speech_dbfs: float | None  # the typical level of what was heard as voice
    peak_dbfs: float | None  # the loudest sample heard
    clipped_fraction: float | None  # of the sound samples, those that reached full scale

    def describe(self) -> str:
        """One line for the log."""
        if not self.faces_measured:
            face = "face not measured"
        elif self.face is None:
            face = "no face"
        else:
            face = (f"face {self.face.x:.0%} across, {self.face.y:.0%} down, "
                    f"{self.face.size:.0%} high")
        return (f"{_number(self.fps, '.1f')} fps; brightness {_number(self.brightness, '.0f')}"
                f" (face {_number(self.face_brightness, '.0f')}, behind "
                f"{_number(self.background_brightness, '.0f')}); {face}; room "
                f"{_number(self.noise_floor_dbfs, '.1f')} dBFS, speech "
                f"{_number(self.speech_dbfs, '.1f')} dBFS, peak "
                f"{_number(self.peak_dbfs, '.1f')} dBFS, "
                f"{_number(self.clipped_fraction, '.0%')} clipped")


@dataclass(frozen=True)
class Verdict:
    figures: CheckFigures
    found: tuple[Advice, ...]  # everything that could be better, most important first
    ready: bool  # the picture and the frame rate have been judged (the sound may come later)

    @property
    def advice(self) -> tuple[Advice, ...]:
        """What to show the candidate: the most important few."""
        return self.found[:MAX_ADVICE]

    def describe(self) -> str:
        advice = ", ".join(self.found) if self.found else "none"
        state = "" if self.ready else ", not judged yet"
        return (f"device check after {self.figures.seconds:.1f} s{state}: "
                f"{self.figures.describe()}; advice: {advice}")

    def brief(self) -> str:
        """A few words for the booth page: what the camera gave, the face, the voice."""
        figures = self.figures
        if not figures.faces_measured:
            face = "face not measured"
        else:
            face = "face found" if figures.face is not None else "no face"
        advice = ", ".join(self.found) if self.found else "none"
        return (f"{_number(figures.fps, '.0f')} fps, brightness "
                f"{_number(figures.brightness, '.0f')}, {face}, voice "
                f"{_number(figures.speech_dbfs, '.0f')} dBFS; advice: {advice}")

    def as_dict(self) -> dict[str, Any]:
        return {"ready": self.ready, "advice": [str(a) for a in self.found],
                "figures": asdict(self.figures)}


class FaceFinder:
    """OpenCV's frontal-face Haar cascade, loaded on first use (on the thread that looks)."""

    def __init__(self, cascade_path: str | Path | None = None) -> None:
        # Here, not above: cv2 must first be loaded by opencv_backends, with its settings.
        from cv2.data import haarcascades

        self.path = Path(cascade_path or Path(haarcascades) / CASCADE_FILE)
        self._cascade: Any = None
        self.unavailable: str | None = None  # why faces cannot be found, in words for IT
        if not hasattr(cv2, "CascadeClassifier"):
            self.unavailable = (f"OpenCV {cv2.__version__} has no CascadeClassifier (OpenCV 5 "
                                f"moved it to opencv-contrib)")
        elif not self.path.is_file():
            self.unavailable = f"there is no face cascade at {self.path}"

    @property
    def available(self) -> bool:
        return self.unavailable is None

    def strongest(self, grey: np.ndarray) -> tuple[int, int, int, int] | None:
        """The face most detections agree on (x, y, width, height in pixels), or None."""
        if not self.load():
            return None
        boxes, neighbours = self._cascade.detectMultiScale2(
            grey, scaleFactor=1.1, minNeighbors=4, minSize=(FACE_MIN_PX, FACE_MIN_PX))
        if not len(boxes):
            return None
        # Not the largest: a false face (a poster, a model on a shelf) can be larger than the
        # real one, but fewer of the detector's windows agree on it.
        x, y, width, height = boxes[int(np.argmax(neighbours))]
        return int(x), int(y), int(width), int(height)

    def load(self) -> bool:
        """Load the cascade (once); whether faces can be found."""
        if self._cascade is None and self.available:
            cascade = cv2.CascadeClassifier(str(self.path))
            if cascade.empty():
                self.unavailable = f"the face cascade {self.path} could not be loaded"
            else:
                self._cascade = cascade
        return self._cascade is not None


@dataclass(frozen=True)
class Picture:
    """One frame looked at."""

    brightness: float
    face_brightness: float
    background_brightness: float
    face: FaceBox | None


def look_at(image: np.ndarray, faces: FaceFinder) -> Picture:
    """Brightness and the face of one BGR frame."""
    height, width = image.shape[:2]
    if height > DETECT_LINES:  # shrinking first makes the grey conversion cheap too
        image = cv2.resize(image, (max(1, round(width * DETECT_LINES / height)), DETECT_LINES),
                           interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    found = faces.strongest(grey) if faces.available else None
    if found is None:
        face = None
        # Where a candidate sits: a dark middle in a bright picture is backlit all the same.
        x0, x1, y0, y1 = width // 3, 2 * width // 3, int(0.15 * height), int(0.65 * height)
        inner = grey[y0:y1, x0:x1]
    else:
        x, y, w, h = found
        face = FaceBox((x + w / 2) / width, (y + h / 2) / height, h / height)
        x0, x1, y0, y1 = x, x + w, y, y + h
        # The box's middle is skin; its corners are hair and whatever is behind.
        inner = grey[y + h // 5: y + h - h // 5, x + w // 5: x + w - w // 5]
    # A window behind a seated person is beside and above the head, not below it.
    around = np.ones((y1, width), dtype=bool)
    around[y0:y1, x0:x1] = False
    background = grey[:y1][around]
    return Picture(
        brightness=float(grey.mean()),
        face_brightness=float(inner.mean()) if inner.size else float(grey.mean()),
        background_brightness=float(np.percentile(background, 75)) if background.size else 0.0,
        face=face,
    )


def jerky_below(nominal_fps: float) -> float:
    """The delivered frame rate under which the picture will look jerky."""
    return min(JERKY_SHARE * nominal_fps, SMOOTH_FPS)


class DeviceCheck:
    """Measurements fed in from any thread; `verdict` judges what has been measured so far.

    `observe_frame` is cheap (it keeps the frame's time); `observe_picture` looks for the
    face and must not run on the GUI thread.
    """

    def __init__(self, nominal_fps: float, faces: FaceFinder | None = None) -> None:
        self.nominal_fps = nominal_fps
        self.faces = faces if faces is not None else FaceFinder()
        self._lock = threading.Lock()
        self._first_frame_t: float | None = None
        self._frame_times: deque[float] = deque()
        self._pictures: deque[Picture] = deque(maxlen=PICTURES_KEPT)
        self._pictures_seen = 0
        self._first_sound: float | None = None
        self._levels: deque[float] = deque(maxlen=SOUND_SAMPLES_MAX)
        self._peaks: deque[float] = deque(maxlen=SOUND_SAMPLES_MAX)

    def observe_frame(self, frame: VideoFrame) -> None:
        """A frame the camera delivered (each distinct frame once, in order)."""
        with self._lock:
            times = self._frame_times
            if times and frame.t <= times[-1]:
                if frame.t < times[-1] - FPS_WINDOW_S:  # the source's clock started again
                    times.clear()
                else:
                    return
            if self._first_frame_t is None:
                self._first_frame_t = frame.t
            times.append(frame.t)
            while times[0] < frame.t - FPS_WINDOW_S:
                times.popleft()

    def observe_picture(self, frame: VideoFrame) -> None:
        picture = look_at(frame.image, self.faces)  # outside the lock: tens of milliseconds
        with self._lock:
            self._pictures.append(picture)
            self._pictures_seen += 1

    def observe_sound(self, level_dbfs: float, peak_dbfs: float, now: float) -> None:
        """The microphone's newest block: its RMS level and its peak, in dBFS."""
        with self._lock:
            if self._first_sound is None:
                self._first_sound = now
            self._levels.append(level_dbfs)
            self._peaks.append(peak_dbfs)

    def verdict(self, now: float) -> Verdict:
        with self._lock:
            times = list(self._frame_times)
            pictures = list(self._pictures)
            seen = self._pictures_seen
            first_frame, first_sound = self._first_frame_t, self._first_sound
            levels, peaks = list(self._levels), list(self._peaks)
        since_first = times[-1] - first_frame if times and first_frame is not None else 0.0
        fps = _frame_rate(times)
        ready = since_first >= READY_S and seen >= PICTURES_MIN
        figures = self._figures(now, fps, pictures, levels, peaks, first_frame)
        found = self._picture_advice(figures) if ready else []
        found += self._sound_advice(figures, len(levels),
                                    now - first_sound if first_sound is not None else 0.0)
        order = list(Advice)
        return Verdict(figures, tuple(sorted(found, key=order.index)), ready)

    def _figures(self, now: float, fps: float | None, pictures: list[Picture],
                 levels: list[float], peaks: list[float],
                 first_frame: float | None) -> CheckFigures:
        faces = [p.face for p in pictures if p.face is not None]
        face = None
        if faces and 2 * len(faces) >= len(pictures):  # in most of the last second
            face = FaceBox(statistics.median(f.x for f in faces),
                           statistics.median(f.y for f in faces),
                           statistics.median(f.size for f in faces))
        floor = speech = peak = clipped = None
        if len(levels) >= SOUND_SAMPLES_MIN:
            floor = float(np.percentile(levels, FLOOR_PERCENTILE))
            voice = [level for level in levels if level >= floor + VOICE_OVER_FLOOR_DB]
            if len(voice) >= VOICE_SAMPLES_MIN:
                speech = statistics.median(voice)
            peak = max(peaks)
            clipped = sum(p >= CLIP_DBFS for p in peaks) / len(peaks)

        def median(values: list[float]) -> float | None:
            return statistics.median(values) if values else None

        return CheckFigures(
            seconds=max(0.0, now - first_frame) if first_frame is not None else 0.0,
            fps=fps,
            brightness=median([p.brightness for p in pictures]),
            face_brightness=median([p.face_brightness for p in pictures]),
            background_brightness=median([p.background_brightness for p in pictures]),
            face=face,
            faces_measured=self.faces.available,
            noise_floor_dbfs=floor, speech_dbfs=speech, peak_dbfs=peak,
            clipped_fraction=clipped,
        )

    def _picture_advice(self, figures: CheckFigures) -> list[Advice]:
        found = []
        brightness, face = figures.brightness, figures.face
        lit = brightness is not None and brightness >= DARK_BELOW
        if not lit:
            found.append(Advice.TOO_DARK)
        behind, front = figures.background_brightness, figures.face_brightness
        backlit = (lit and behind is not None and front is not None
                   and behind >= BRIGHT_BACKGROUND and front <= BACKLIT_RATIO * behind)
        if backlit:
            found.append(Advice.BACKLIT)
        # In the dark or against the light the face detector fails: that advice says why.
        if figures.faces_measured and face is None and lit and not backlit:
            found.append(Advice.NO_FACE)
        if face is not None:
            # The camera's picture is not mirrored: a face on its left is on the candidate's
            # right, so they move to their own left (and their mirrored preview agrees).
            if face.x < 0.5 - OFF_CENTRE:
                found.append(Advice.MOVE_LEFT)
            elif face.x > 0.5 + OFF_CENTRE:
                found.append(Advice.MOVE_RIGHT)
            if face.size < TOO_FAR_BELOW:
                found.append(Advice.TOO_FAR)
        if figures.fps is not None and figures.fps < jerky_below(self.nominal_fps):
            found.append(Advice.JERKY)
        return found

    def _sound_advice(self, figures: CheckFigures, samples: int,
                      listened_s: float) -> list[Advice]:
        if samples < SOUND_SAMPLES_MIN:
            return []
        clipped = figures.clipped_fraction or 0.0
        if clipped >= CLIPPED_SHARE and round(clipped * samples) >= CLIPPED_MIN:
            return [Advice.CLIPPING]  # loud: "too quiet" too would contradict it
        speech = figures.speech_dbfs
        if speech is not None and speech >= SPEECH_MIN_DBFS:
            return []
        # No voice, or a faint one: only after time enough to have spoken.
        return [Advice.TOO_QUIET] if listened_s >= QUIET_AFTER_S else []


class LiveCheck:
    """A DeviceCheck fed from LiveSources by two daemon threads of its own (real time only)."""

    def __init__(self, sources: LiveSources, nominal_fps: float | None = None,
                 faces: FaceFinder | None = None) -> None:
        """`nominal_fps`: the rate asked for (the recording's); by default the camera's own."""
        self.sources = sources
        self.check = DeviceCheck(nominal_fps or sources.camera.fps, faces)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if not self.check.faces.available:
            log.info("the device check does not look for faces: %s", self.check.faces.unavailable)
        self._threads = [
            threading.Thread(target=self._time_frames, name="checkup-frames", daemon=True),
            threading.Thread(target=self._look, name="checkup-pictures", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def verdict(self) -> Verdict:
        return self.check.verdict(self.sources.clock.now())

    def stop(self) -> Verdict:
        """End the measuring; the last verdict is logged and returned."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=2)
        verdict = self.verdict()
        log.info("%s", verdict.describe())
        return verdict

    def _time_frames(self) -> None:
        sources, clock = self.sources, self.sources.clock
        # Before the first block the level is a placeholder, not the room: it would sink the
        # floor. The booth has waited already; this returns at once then.
        sources.wait_until_live(LIVE_WAIT_S)
        last: VideoFrame | None = None
        next_sound = clock.now()
        while not self._stopping.is_set():
            frame = sources.latest_frame
            if frame is not None and frame is not last:
                self.check.observe_frame(frame)
                last = frame
            now = clock.now()
            if now >= next_sound:
                self.check.observe_sound(sources.level_dbfs, sources.peak_dbfs, now)
                # Late (a busy machine): the next sample a period on, never two of one block.
                next_sound = max(next_sound + SOUND_EVERY_S, now + SOUND_EVERY_S / 2)
            self._stopping.wait(FRAME_POLL_S)

    def _look(self) -> None:
        last: VideoFrame | None = None
        failed = False
        next_look = time.monotonic()
        while not self._stopping.is_set():
            frame = self.sources.latest_frame
            if frame is not None and frame is not last:
                try:
                    self.check.observe_picture(frame)
                except Exception:  # it only advises: a frame it cannot read must not end it
                    if not failed:  # once: three a second would flood the log
                        log.exception("the device check could not look at a frame")
                    failed = True
                last = frame
            # On a steady beat, the look's own time included; a late one does not bunch up.
            next_look = max(next_look + PICTURE_EVERY_S, time.monotonic() + PICTURE_EVERY_S / 2)
            self._stopping.wait(max(0.0, next_look - time.monotonic()))


def _frame_rate(times: list[float]) -> float | None:
    """Distinct frames a second, from their times: one over the typical gap between them.

    Not their count over the span: the check sees a frame only if it is still the newest
    when it looks, and a camera that hands over a burst (a webcam's buffer drained after a
    busy moment, OpenCV joining a stream) or a machine that keeps the check from running for
    a moment hides frames that were there. Those make a few long gaps; the median ignores
    them, while a camera that really delivers slowly makes every gap long.
    """
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    if len(gaps) < FPS_GAPS_MIN:
        return None
    gap = statistics.median(gaps)
    return 1.0 / gap if gap > 0 else None


def _number(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


LAST_CHECK_FILE = "last-device-check.json"  # in the data folder: the booth page reads it


def save_verdict(verdict: Verdict, path: Path) -> None:
    """Keep the newest device check's figures for the booth page (one small file, replaced
    whole: a kiosk runs for weeks, a list would grow)."""
    record = {"at": time.strftime("%Y-%m-%d %H:%M"), "summary": verdict.brief(),
              **verdict.as_dict()}
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:  # it only informs: a full or read-only disk must not stop a booth
        log.warning("the device check's figures were not kept: %s", exc)


def last_verdict(path: Path) -> str | None:
    """The newest device check in words ("2026-12-01 14:03: 29.8 fps; ..."), None if none."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return f"{record['at']}: {record['summary']}"
    except (OSError, ValueError, KeyError, TypeError):
        return None
