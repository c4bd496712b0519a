"""Merging the parts of an interview into one MP4 with stream copy: no re-encoding.

Video segments and audio parts go through ffmpeg's concat demuxer. Each audio entry skips
the encoder's priming (inpoint) and is cut to its part's exact length (outpoint), so AAC
priming and padding cannot pile up across parts; the recorder makes every part a whole
number of 16-frame units (= whole AAC frames at 30 fps / 48 kHz), so the cut falls on a
frame. One chapter per part, titled with its question; `+faststart` puts the index first
so playback starts at once.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from kiosk.media.encode import AAC_PRIMING_SAMPLES
from kiosk.media.ffmpeg import command, run


@dataclass(frozen=True)
class VideoSegment:
    path: Path
    frames: int


@dataclass(frozen=True)
class PartFiles:
    title: str
    video: Sequence[VideoSegment]  # one per encoder run (a faster preset starts a new one)
    audio: Path
    fps: float
    sample_rate: int = 48_000

    @property
    def frames(self) -> int:
        return sum(segment.frames for segment in self.video)

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def chapter_bounds_ms(parts: Sequence[PartFiles]) -> list[tuple[int, int]]:
    """Where each part starts and ends in the merged file, in milliseconds."""
    bounds, start = [], 0.0
    for part in parts:
        end = start + part.duration_s
        bounds.append((round(start * 1000), round(end * 1000)))
        start = end
    return bounds


def merge_parts(parts: Sequence[PartFiles], out: Path, *, title: str | None = None) -> None:
    """Write `out` from `parts`, atomically: a half-written file never has the final name.

    The small files ffmpeg reads (the lists, the chapters) go to the system's temporary
    folder, so that a full recordings disk stops only the merge itself, with its own words.
    """
    if not parts:
        raise ValueError("nothing to merge")
    partial = out.with_name(out.name + ".partial")  # beside `out`: renamed in place
    with tempfile.TemporaryDirectory(prefix="merge-") as work:
        folder = Path(work)
        video_list, audio_list = write_concat_lists(parts, folder)
        chapters = folder / "chapters.ffmeta"
        meta = [";FFMETADATA1"]
        if title:
            meta.append(f"title={escape_ffmetadata(title)}")
        for part, (start, end) in zip(parts, chapter_bounds_ms(parts), strict=True):
            meta += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}",
                     f"title={escape_ffmetadata(part.title)}"]
        chapters.write_text("\n".join(meta) + "\n", encoding="utf-8")
        try:
            run(merge_command(video_list, audio_list, chapters, partial),
                what="Merging the answers")
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)


def merge_command(video_list: Path, audio_list: Path, chapters: Path, out: Path) -> list[str]:
    """Stream-copy the concat lists' video and audio into `out`, with the FFMETADATA's
    title and chapters."""
    video = ffmpeg.input(str(video_list), f="concat", safe=0)
    audio = ffmpeg.input(str(audio_list), f="concat", safe=0)
    meta = ffmpeg.input(str(chapters), f="ffmetadata")
    return command(ffmpeg.output(video["v:0"], audio["a:0"], str(out), map_metadata=2,
                                 map_chapters=2, c="copy", movflags="+faststart", f="mp4")
                   .overwrite_output(), unmapped=[meta])


def write_concat_lists(parts: Sequence[PartFiles], folder: Path) -> tuple[Path, Path]:
    """The concat demuxer's lists for the video and the audio of `parts`, in `folder`."""
    video_lines, audio_lines = ["ffconcat version 1.0"], ["ffconcat version 1.0"]
    for part in parts:
        for segment in part.video:
            # outpoint: a segment rebuilt after a crash may hold more picture than sound.
            length = segment.frames / part.fps
            video_lines += [_concat_file(segment.path), f"duration {length:.6f}",
                            f"outpoint {length:.6f}"]
        skip = AAC_PRIMING_SAMPLES / part.sample_rate
        audio_lines += [_concat_file(part.audio), f"inpoint {skip:.6f}",
                        f"outpoint {skip + part.duration_s:.6f}"]
    video_list, audio_list = folder / "video.ffconcat", folder / "audio.ffconcat"
    video_list.write_text("\n".join(video_lines) + "\n", encoding="utf-8")
    audio_list.write_text("\n".join(audio_lines) + "\n", encoding="utf-8")
    return video_list, audio_list


def escape_ffmetadata(text: str) -> str:
    """FFMETADATA escapes '=', ';', '#', '\\' and newlines with a backslash."""
    for special in "\\=;#\n":
        text = text.replace(special, "\\" + special)
    return text


def _concat_file(path: Path) -> str:
    return "file '" + str(path.resolve()).replace("'", "'\\''") + "'"
