"""Measuring A/V sync in a recorded file from the synthetic clapper (white frames, 1 kHz beeps).

Only a window of the file is decoded (decoding a whole hour would take minutes). Times are the
file's own presentation times (-copyts), frame by frame and audio frame by audio frame, so a
shifted stream or a gap shows up as what it is.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg
import numpy as np

from kiosk.media.ffmpeg import command, run

_PTS = re.compile(rb"pts_time:([-\d.e]+)")
_AUDIO_FRAME = re.compile(rb"pts_time:([-\d.e]+).*?nb_samples:(\d+)")
ANALYSIS_RATE = 16_000  # plenty for a 1 kHz beep: 62.5 us a sample
WHITE_LUMA = 128


@dataclass(frozen=True)
class ClapperMatch:
    flash_s: float
    beep_s: float

    @property
    def offset_ms(self) -> float:
        """Positive: the picture comes after the sound."""
        return (self.flash_s - self.beep_s) * 1000


def _decode(output: Any) -> subprocess.CompletedProcess[bytes]:
    # showinfo speaks at ffmpeg's normal log level; -copyts keeps the file's own times.
    return run(command(output, "-nostats", "-copyts", quiet=False),
               what="Decoding for the clapper", timeout_s=None)


def _window(path: Path, start_s: float, length_s: float, **decoder: str) -> Any:
    """`path` from `start_s` (a seek) for `length_s`."""
    return ffmpeg.input(str(path), ss=f"{max(0.0, start_s):.3f}", t=f"{length_s:.3f}", **decoder)


def flash_times(path: Path, start_s: float = 0.0, length_s: float = 1e9) -> list[float]:
    """Presentation times of the frames where the picture turns white."""
    source = _window(path, start_s, length_s, skip_loop_filter="all", flags2="fast")
    done = _decode(source["v:0"].output(
        "pipe:1", vf="scale=32:18:flags=neighbor,format=gray,showinfo",
        fps_mode="passthrough", f="rawvideo"))
    luma = np.frombuffer(done.stdout, np.uint8).reshape(-1, 32 * 18).mean(axis=1)
    pts = np.array([float(x) for x in _PTS.findall(done.stderr)])
    count = min(len(pts), len(luma))
    luma, pts = luma[:count], pts[:count]
    rising = np.flatnonzero((luma > WHITE_LUMA) & (np.r_[0, luma[:-1]] <= WHITE_LUMA))
    return [float(t) for t in pts[rising]]


def beep_onsets(path: Path, start_s: float = 0.0, length_s: float = 1e9) -> list[float]:
    """Presentation times where a 1 kHz beep starts (half its peak envelope)."""
    done = _decode(_window(path, start_s, length_s)["a:0"].output(
        "pipe:1", af=f"aresample={ANALYSIS_RATE},pan=mono|c0=c0,ashowinfo", f="s16le"))
    frames = _AUDIO_FRAME.findall(done.stderr)
    if not frames:
        return []
    frame_pts = np.array([float(p) for p, _ in frames])
    frame_sizes = np.array([int(n) for _, n in frames])
    frame_starts = np.r_[0, np.cumsum(frame_sizes)[:-1]]
    samples = np.frombuffer(done.stdout, np.int16).astype(np.float64)
    phase = 2 * np.pi * 1000.0 * np.arange(len(samples)) / ANALYSIS_RATE
    width = int(0.002 * ANALYSIS_RATE)

    def smooth(values: np.ndarray) -> np.ndarray:
        total = np.cumsum(np.r_[np.zeros(width // 2 + 1), values, np.zeros(width)])
        return (total[width:width + len(values)] - total[:len(values)]) / width

    envelope = 2 * np.hypot(smooth(samples * np.cos(phase)), smooth(samples * np.sin(phase)))
    if not len(envelope) or envelope.max() < 1000:
        return []
    onsets: list[int] = []
    for index in np.flatnonzero(envelope > 0.5 * envelope.max()):
        if not onsets or index - onsets[-1] > 0.5 * ANALYSIS_RATE:
            onsets.append(int(index))
    frame = np.searchsorted(frame_starts, onsets, side="right") - 1
    return [float(frame_pts[f] + (i - frame_starts[f]) / ANALYSIS_RATE)
            for f, i in zip(frame, onsets, strict=True)]


def clapper_matches(path: Path, start_s: float = 0.0, length_s: float = 1e9) -> list[ClapperMatch]:
    """Each flash paired with the beep nearest to it (within half a second)."""
    beeps = beep_onsets(path, start_s, length_s)
    matches = []
    for flash in flash_times(path, start_s, length_s):
        if beeps:
            beep = min(beeps, key=lambda b: abs(b - flash))
            if abs(beep - flash) < 0.5:
                matches.append(ClapperMatch(flash, beep))
    return matches


def median_offset_ms(matches: list[ClapperMatch]) -> float | None:
    return float(np.median([m.offset_ms for m in matches])) if matches else None
