"""Our own reading of an MP4's boxes, so the tests do not take ffmpeg's word for the layout.

Only what the tests look at: the top-level boxes (ISO/IEC 14496-12: 32-bit size and type, a
size of 1 meaning a 64-bit size follows, 0 meaning "to the end of the file"), the children of
a container box, and the Nero chapter list (moov/udta/chpl) that ffmpeg writes and reads.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

NERO_TIME_SCALE = 10_000_000  # chpl counts in 100 ns


@dataclass(frozen=True)
class Box:
    kind: str
    offset: int  # of the box's first byte, in the file (or in the parent's payload)
    size: int  # the whole box, header included
    header: int  # 8, or 16 with a 64-bit size

    @property
    def end(self) -> int:
        return self.offset + self.size


def top_level_boxes(path: Path) -> list[Box]:
    """Every top-level box of `path`, in file order; raises ValueError if they do not tile
    the file exactly."""
    boxes = []
    with open(path, "rb") as handle:
        file_size = handle.seek(0, 2)
        position = 0
        while position < file_size:
            handle.seek(position)
            boxes.append(box := _header(handle.read(16), position, file_size - position))
            position = box.end
    if position != file_size:
        raise ValueError(f"{path.name}: the last box runs past the end of the file")
    return boxes


def children(payload: bytes) -> list[Box]:
    """The boxes that make up a container box's payload (offsets into `payload`)."""
    found, position = [], 0
    while position < len(payload):
        found.append(box := _header(payload[position:position + 16], position,
                                    len(payload) - position))
        position = box.end
    if position != len(payload):
        raise ValueError("a child box runs past the end of its parent")
    return found


def read_box(path: Path, box: Box) -> bytes:
    """The payload of `box` (after its header)."""
    with open(path, "rb") as handle:
        handle.seek(box.offset + box.header)
        return handle.read(box.size - box.header)


def find(path: Path, *kinds: str) -> bytes | None:
    """The payload of the box at the path `kinds` (from the top level: "moov", "udta", ...)."""
    top = {box.kind: box for box in reversed(top_level_boxes(path))}  # the first of each
    if kinds[0] not in top:
        return None
    payload = read_box(path, top[kinds[0]])
    for kind in kinds[1:]:
        inner = next((box for box in children(payload) if box.kind == kind), None)
        if inner is None:
            return None
        payload = payload[inner.offset + inner.header:inner.end]
    return payload


def nero_chapters(path: Path) -> list[tuple[float, str]]:
    """(start in seconds, title) of each entry of moov/udta/chpl; [] if there is none."""
    payload = find(path, "moov", "udta", "chpl")
    if payload is None:
        return []
    version = payload[0]
    position = 4 + (4 if version == 1 else 0)  # version and flags, then (v1) 4 reserved bytes
    count = payload[position]
    position += 1
    chapters = []
    for _ in range(count):
        (start,) = struct.unpack(">Q", payload[position:position + 8])
        length = payload[position + 8]
        title = payload[position + 9:position + 9 + length].decode("utf-8")
        chapters.append((start / NERO_TIME_SCALE, title))
        position += 9 + length
    if position != len(payload):
        raise ValueError("the chapter list has bytes after its last entry")
    return chapters


def faststart_problems(path: Path) -> list[str]:
    """What keeps `path` from being a plain faststart MP4 (ftyp first, the one moov before
    the one mdat, no fragments); [] when it is one."""
    kinds = [box.kind for box in top_level_boxes(path)]
    problems = []
    if not kinds or kinds[0] != "ftyp":
        problems.append(f"does not start with ftyp: {kinds[:3]}")
    if kinds.count("moov") != 1 or kinds.count("mdat") != 1:
        problems.append(f"not one moov and one mdat: {kinds}")
    elif kinds.index("moov") > kinds.index("mdat"):
        problems.append(f"moov after mdat: {kinds}")
    if "moof" in kinds or "mfra" in kinds:
        problems.append(f"fragmented: {kinds}")
    return problems


def _header(data: bytes, offset: int, room: int) -> Box:
    if len(data) < 8:
        raise ValueError(f"a box header at {offset} is cut short")
    size, kind = struct.unpack(">I4s", data[:8])
    header = 8
    if size == 1:
        if len(data) < 16:
            raise ValueError(f"a 64-bit box header at {offset} is cut short")
        (size,) = struct.unpack(">Q", data[8:16])
        header = 16
    elif size == 0:
        size = room
    if size < header or size > room:
        raise ValueError(f"a box at {offset} has an impossible size {size}")
    return Box(kind.decode("latin-1"), offset, size, header)


@dataclass(frozen=True)
class Track:
    handler: str  # mdia/hdlr's type: "vide", "soun", "text"
    samples: int  # stsz's sample count
    table_bytes: dict[str, int]  # every box of stbl but the sample descriptions (stsd)


def tracks(path: Path) -> list[Track]:
    """The tracks of the moov box of `path`, with the size of their sample tables."""
    moov = find(path, "moov")
    if moov is None:
        return []
    found = []
    for trak in (box for box in children(moov) if box.kind == "trak"):
        mdia = _child(moov[trak.offset + trak.header:trak.end], "mdia")
        handler = _child(mdia, "hdlr")[8:12].decode("latin-1")  # after version, pre_defined
        stbl = _child(_child(mdia, "minf"), "stbl")
        tables = {box.kind: box.size for box in children(stbl) if box.kind != "stsd"}
        stsz = _child(stbl, "stsz")
        (samples,) = struct.unpack(">I", stsz[8:12])  # after version and sample_size
        found.append(Track(handler, samples, tables))
    return found


def _child(payload: bytes, kind: str) -> bytes:
    box = next(box for box in children(payload) if box.kind == kind)
    return payload[box.offset + box.header:box.end]
