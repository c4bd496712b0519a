"""What is in a media file, read through ffmpeg (there is no ffprobe in the bundle).

`probe` reads the header only (instant, for verifying a merge); `stream_end_times` reads
every packet without decoding (for tests and the bench: do the streams end together?).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import ffmpeg

from kiosk.media.ffmpeg import command, read_header, run

_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM = re.compile(r"Stream #\d+:\d+.*?: (Video|Audio): (\w+)")
_SIZE = re.compile(r"Video: .*?, (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"Video: .*?, ([\d.]+) fps")
_RATE = re.compile(r"Audio: .*?, (\d+) Hz")
_CHAPTER = re.compile(r"Chapter #\d+:\d+: start (-?[\d.]+), end (-?[\d.]+)\s*\n\s*Metadata:\s*\n"
                      r"\s*title\s*: (.*)")


@dataclass
class MediaInfo:
    duration_s: float | None
    video_codec: str | None = None
    audio_codec: str | None = None
    width: int | None = None
    height: int | None = None
    chapters: list[tuple[float, float, str]] = field(default_factory=list)
    fps: float | None = None
    sample_rate: int | None = None


def probe(path: Path) -> MediaInfo:
    """Container duration, codecs, size and chapters, from the header of `path`."""
    text = read_header(path)
    duration = _DURATION.search(text)
    info = MediaInfo(
        duration_s=(int(duration[1]) * 3600 + int(duration[2]) * 60 + float(duration[3]))
        if duration else None
    )
    for kind, codec in _STREAM.findall(text):
        if kind == "Video" and info.video_codec is None:
            info.video_codec = codec
        if kind == "Audio" and info.audio_codec is None:
            info.audio_codec = codec
    size = _SIZE.search(text)
    if size:
        info.width, info.height = int(size[1]), int(size[2])
    if fps := _FPS.search(text):
        info.fps = float(fps[1])
    if rate := _RATE.search(text):
        info.sample_rate = int(rate[1])
    info.chapters = [(float(s), float(e), title.strip()) for s, e, title in _CHAPTER.findall(text)]
    return info


def stream_end_times(path: Path) -> dict[str, float]:
    """When the first video and the first audio stream end (last pts + duration), in s."""
    packets = ffmpeg.input(str(path)).output("pipe:1", map=0, c="copy", f="framemd5")
    done = run(command(packets), what=f"Reading the streams of {path.name}", timeout_s=None)
    time_bases: dict[int, float] = {}
    kinds: dict[int, str] = {}
    ends: dict[int, float] = {}
    for line in done.stdout.decode(errors="replace").splitlines():
        if line.startswith("#tb "):
            stream, base = line[4:].split(":")
            numerator, denominator = base.strip().split("/")
            time_bases[int(stream)] = int(numerator) / int(denominator)
        elif line.startswith("#media_type "):
            stream, kind = line[12:].split(":")
            kinds[int(stream)] = kind.strip()
        elif line and not line.startswith("#"):
            fields = [f.strip() for f in line.split(",")]
            index = int(fields[0])
            end = (int(fields[2]) + int(fields[3])) * time_bases[index]
            ends[index] = max(ends.get(index, 0.0), end)
    result: dict[str, float] = {}
    for index in sorted(ends):
        result.setdefault(kinds.get(index, "data"), ends[index])
    return {kind: end for kind, end in result.items() if kind in ("video", "audio")}
