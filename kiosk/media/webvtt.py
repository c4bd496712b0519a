"""WebVTT captions (https://www.w3.org/TR/webvtt1/): what browsers and ATS players take."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str


def webvtt(cues: Iterable[Cue]) -> str:
    """The captions file for `cues` (in time order), as UTF-8 text."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(cues, start=1):
        end_ms = max(cue.end_ms, cue.start_ms + 1)  # a cue must end after it starts
        text = _escape(" ".join(cue.text.split()))  # one line: a blank line would end it
        blocks.append(f"{number}\n{timestamp(cue.start_ms)} --> {timestamp(end_ms)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def timestamp(ms: int) -> str:
    ms = max(0, ms)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _escape(text: str) -> str:
    # "-->" cannot appear in cue text; with ">" escaped it does not.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
