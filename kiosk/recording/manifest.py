"""`parts/manifest.json`: what has been recorded of one interview, take by take.

It is rewritten atomically whenever a take starts or ends, so a crash at any moment leaves
enough on disk to rebuild the interview (kiosk.recording.recovery). In memory a take holds
typed segments with real paths; on disk they are names relative to the parts folder, so a
booth's recordings folder can move.

The file format is the one the first release wrote: a manifest it left behind (a crash
before an upgrade) still loads and recovers. The one key added since, `audio`, defaults to
what that release implied (`<stem>.m4a`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from kiosk.capture.stalls import Stall
from kiosk.media.merge import PartFiles, VideoSegment
from kiosk.store.files import FILE_MODE, sync_folder
from kiosk.words import StopReason, TakeStatus

MANIFEST_NAME = "manifest.json"
# A part's files: q<question>-t<take>-v<segment>.mkv (picture) and q<question>-t<take>.m4a.
PART_FILE = re.compile(r"q(\d{2,})-t(\d+)(?:-v\d+\.mkv|\.m4a)$")


class ManifestError(ValueError):
    """The manifest cannot be read (damaged, cut short, emptied, from something else)."""


@dataclass(frozen=True)
class TakeEntry:
    index: int  # the question's position, from 0
    take: int  # 1 for the first attempt, 2 for the first retake, ...
    question: str
    stem: str  # the part's file names start with it
    status: TakeStatus = TakeStatus.RECORDING
    segments: tuple[VideoSegment, ...] = ()  # once done
    audio: str = ""  # relative to the parts folder; "" means `<stem>.m4a`
    samples: int | None = None
    reason: StopReason | str | None = None  # a StopReason, or why recovery dropped it
    stalls: tuple[Stall, ...] = ()  # an encoder took no data for a while (kept in sync)

    @property
    def audio_name(self) -> str:
        return self.audio or f"{self.stem}.m4a"


@dataclass
class Manifest:
    folder: Path  # the parts folder: not stored, it is where the file is
    session_id: str
    width: int
    height: int
    fps: float
    sample_rate: int
    takes: list[TakeEntry] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST_NAME

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """The manifest in `path`; ManifestError if it cannot be read whole."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            folder = path.parent
            takes = [_take_from_json(take, folder) for take in data.pop("takes")]
            manifest = cls(folder=folder, session_id=str(data["session_id"]),
                           width=int(data["width"]), height=int(data["height"]),
                           fps=float(data["fps"]), sample_rate=int(data["sample_rate"]),
                           takes=takes)
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
                AttributeError) as exc:
            raise ManifestError(f"{path} cannot be read: {exc}") from None
        if manifest.fps <= 0 or manifest.sample_rate <= 0:
            raise ManifestError(f"{path} cannot be read: no frame or sample rate")
        return manifest

    @classmethod
    def from_parts(cls, folder: Path, session_id: str, *, width: int, height: int,
                   fps: float, sample_rate: int,
                   question: Callable[[int], str]) -> Manifest:
        """A manifest made from the part files in `folder` alone (the manifest was lost).

        File names give the question and the take; every take counts as cut off, so that
        finishing rebuilds it from what its streams hold. `question(index)` names it.
        """
        found = sorted({(int(m[1]), int(m[2])) for p in folder.iterdir()
                        if (m := PART_FILE.match(p.name))})
        takes = [TakeEntry(index=index, take=take, question=question(index),
                           stem=f"q{index:02d}-t{take}") for index, take in found]
        return cls(folder, session_id, width, height, fps, sample_rate, takes)

    def save(self) -> None:
        partial = self.path.with_name(MANIFEST_NAME + ".partial")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            with open(fd, "w", encoding="utf-8") as handle:
                json.dump(self._to_json(), handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, self.path)
        except OSError:
            # A full disk: the manifest on disk stays the last whole one.
            partial.unlink(missing_ok=True)
            raise
        sync_folder(self.folder)

    def add_take(self, index: int, question: str) -> TakeEntry:
        """A new take of question `index` (a retake if it was answered before), saved."""
        number = 1 + sum(1 for t in self.takes if t.index == index)
        entry = TakeEntry(index=index, take=number, question=question,
                          stem=f"q{index:02d}-t{number}")
        self.takes.append(entry)
        self.save()
        return entry

    def update(self, entry: TakeEntry, **changes: Any) -> TakeEntry:
        """Replace `entry` by a copy with `changes`, saved; the copy."""
        position = self.takes.index(entry)
        self.takes[position] = replace(entry, **changes)
        self.save()
        return self.takes[position]

    def kept_takes(self) -> list[TakeEntry]:
        """For each question, its newest finished take, in question order."""
        newest: dict[int, TakeEntry] = {}
        for take in self.takes:
            if take.status is TakeStatus.DONE:
                newest[take.index] = take
        return [newest[index] for index in sorted(newest)]

    def files(self, take: TakeEntry) -> PartFiles:
        """The take's part files, as the merge reads them."""
        return PartFiles(title=take.question, video=take.segments,
                         audio=self.folder / take.audio_name, fps=self.fps,
                         sample_rate=self.sample_rate)

    def _to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id, "width": self.width, "height": self.height,
            "fps": self.fps, "sample_rate": self.sample_rate,
            "takes": [_take_to_json(take, self.folder) for take in self.takes],
        }


def _take_to_json(take: TakeEntry, folder: Path) -> dict[str, Any]:
    return {
        "index": take.index, "take": take.take, "question": take.question, "stem": take.stem,
        "status": take.status.value,
        "segments": [{"file": segment.path.relative_to(folder).as_posix(),
                      "frames": segment.frames} for segment in take.segments],
        "audio": take.audio, "samples": take.samples,
        "reason": None if take.reason is None else str(take.reason),
        "stalls": [asdict(stall) for stall in take.stalls],
    }


def _take_from_json(data: dict[str, Any], folder: Path) -> TakeEntry:
    reason = data.get("reason")
    with contextlib.suppress(ValueError):  # recovery's own words stay strings
        reason = None if reason is None else StopReason(reason)
    return TakeEntry(
        index=int(data["index"]), take=int(data["take"]), question=str(data["question"]),
        stem=str(data["stem"]), status=TakeStatus(data.get("status", TakeStatus.RECORDING)),
        segments=tuple(VideoSegment(folder / segment["file"], int(segment["frames"]))
                       for segment in data.get("segments") or []),
        audio=str(data.get("audio") or ""),
        samples=data.get("samples"),
        reason=reason,
        stalls=tuple(Stall(**stall) for stall in data.get("stalls") or []),
    )
