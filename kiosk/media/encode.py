"""Encoding while recording: raw frames and samples piped into ffmpeg, one process a stream.

Two processes (video, audio) rather than one with two pipes: each reads its own stdin, which
works the same on Windows, and neither can stall the other. Both write containers that
survive a kill: Matroska for video, fragmented MP4 for audio (flushed every packet, so a
crash loses well under two seconds).
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from kiosk.errors import DiskFullError, KioskError
from kiosk.media.ffmpeg import NO_SPACE, MediaError, command, last_words

# From slowest (smallest file) to fastest; the recorder steps right when it falls behind.
PRESETS = ("veryfast", "superfast", "ultrafast")
CRF = 23
GOP_FRAMES = 60  # a keyframe every 2 s at 30 fps: what a kill can lose, at most
AUDIO_BITRATE = "128k"
# ffmpeg's AAC encoder starts every stream with one frame of priming. A plain MP4 hides it in
# an edit list; a fragmented one (ours, for crash safety) cannot, so the merge skips it.
AAC_PRIMING_SAMPLES = 1024
# Fragmented MP4, flushed every half second: what a kill leaves behind is readable.
FRAGMENTED_MP4 = {"movflags": "+frag_keyframe+empty_moov+default_base_moof",
                  "frag_duration": 500_000, "flush_packets": 1}


@dataclass(frozen=True)
class VideoFormat:
    width: int
    height: int
    fps: float


class PipeEncoder:
    """One ffmpeg process that reads raw media on stdin and writes `path`."""

    def __init__(self, command: list[str], path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self.cpu_seconds: float | None = None
        # stderr to a file: a pipe nobody drains can fill and block ffmpeg.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        # The writing thread and the owner may both reap the process (a write that fails, a
        # kill): one of them must, once.
        self._reaping = threading.Lock()
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=self._log)

    def write(self, data: bytes | memoryview) -> None:
        """Raises DiskFullError if ffmpeg stopped on a full disk, MediaError otherwise."""
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(data)
        except (BrokenPipeError, OSError) as exc:
            self._wait()
            raise self._failure("stopped unexpectedly", exc) from None

    def close(self) -> None:
        """Finish the file: end the input and wait for ffmpeg to write its last packets."""
        stdin = self._process.stdin
        if stdin is not None and not stdin.closed:
            with contextlib.suppress(BrokenPipeError, OSError):
                stdin.close()
        code = self._wait()
        try:
            if code != 0:
                raise self._failure("failed")
        finally:
            self._log.close()

    def kill(self) -> None:
        with self._reaping:
            if self._process.returncode is None:
                self._process.kill()  # also a stopped (SIGSTOP) process
        self._wait()
        self._log.close()

    def _wait(self) -> int:
        with self._reaping:
            if self._process.returncode is not None:
                return self._process.returncode
            if hasattr(os, "wait4"):
                # wait4 also says how much CPU the encoder used (for the bench).
                _, status, usage = os.wait4(self._process.pid, 0)
                self._process.returncode = os.waitstatus_to_exitcode(status)
                self.cpu_seconds = usage.ru_utime + usage.ru_stime
                return self._process.returncode
            return self._process.wait()

    def _failure(self, what: str, exc: OSError | None = None) -> KioskError:
        """The error to raise: a full disk is told apart (the part is then kept)."""
        with contextlib.suppress(ValueError, OSError):  # the log is gone once closed
            self._log.seek(0)
            said = self._log.read().decode(errors="replace")
            words = last_words(said, self._process.returncode)
            if NO_SPACE in said or (exc is not None and exc.errno == errno.ENOSPC):
                return DiskFullError(f"{self.what} {what}: the disk is full ({words}).")
            return MediaError(f"{self.what} {what}: {words}")
        return MediaError(f"{self.what} {what}.")


def video_encoder(path: Path, video: VideoFormat, preset: str = PRESETS[0]) -> PipeEncoder:
    stream = ffmpeg.input("pipe:0", format="rawvideo", pix_fmt="bgr24",
                          s=f"{video.width}x{video.height}", framerate=video.fps)
    # repeat-headers: every keyframe carries its own SPS/PPS, so segments encoded with
    # different presets (different parameter sets) decode correctly once merged into one file.
    stream = stream.output(
        str(path), format="matroska", vcodec="libx264", preset=preset, crf=CRF,
        pix_fmt="yuv420p", g=GOP_FRAMES, flush_packets=1, cluster_time_limit=1000,
        **{"x264-params": "repeat-headers=1"},
    ).overwrite_output()
    return PipeEncoder(command(stream), path, f"The video encoder ({preset})")


def audio_encoder(path: Path, sample_rate: int) -> PipeEncoder:
    stream = ffmpeg.input("pipe:0", format="s16le", ar=sample_rate, ac=1)
    stream = stream.output(
        str(path), format="mp4", acodec="aac", **FRAGMENTED_MP4, **{"b:a": AUDIO_BITRATE},
    ).overwrite_output()
    return PipeEncoder(command(stream), path, "The audio encoder")
