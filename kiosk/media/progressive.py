"""Building the interview's MP4 while the interview goes on, so finishing takes a moment.

A merge at the end has to pass every packet of the interview through ffmpeg once more
(about 2 s for 30 minutes on two cores; ffmpeg's demuxing alone is over 1 s), whatever the
container tricks. Instead, one ffmpeg muxer runs for the whole session and each answer,
once the interview has moved past it, is appended: its parts are stream-copied into
MPEG-TS on a pipe (which may be joined end to end) at their place on the interview's
timeline. Finishing appends only the last answer and closes the muxer.

The file is `faststart` without a second pass: the muxer keeps room for the index at the
front (the mp4 muxer's `moov_size`), sized for the longest interview planned, and writes the
index (moov) into it when it closes, the unused room left as a `free` box between the index
and the media (mdat). The chapters are then added to that index in place, out of the free
room: the media data and every offset into it stay where they are.

An index that outgrew its room would be written over the start of the media (ffmpeg then
fails, the file ruined), so it is never let happen: before closing, the index's size is
bounded from what was appended (see `index_bound_bytes`), and an interview longer than
planned is given up with a MediaError. Then, as when anything here fails, the caller falls
back to kiosk.media.merge (which recovery always uses), whose one pass is `+faststart` too.
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import ffmpeg

from kiosk.media.encode import AAC_PRIMING_SAMPLES
from kiosk.media.ffmpeg import MediaError, command, last_words
from kiosk.media.merge import PartFiles, write_concat_lists

# Timestamps start well above zero so no answer's first B-frames need negative ones.
_TIMELINE_BASE_S = 10.0
_CHAPTER_TIME_SCALE = 10_000_000  # the Nero chapter box counts in 100 ns

# What one packet can add to the index (moov/trak/mdia/minf/stbl) at most: an entry of its
# own in every table a sample can need one in. stsz 4 (its size); stts 8 (a duration unlike
# its neighbour's: 90 kHz MPEG-TS times do not divide evenly into every track time scale);
# a chunk of its own, i.e. a co64 offset 8 (stco's 4 past 4 GiB) and an stsc entry 12.
# Video adds ctts 8 (B-frames: nearly every sample's offset differs), stss 4 (every sample a
# keyframe, at worst) and sdtp 1 (the disposable-sample flags). Audio has no reordering and
# no sync table (every AAC packet is a sync sample). Measured at 720p30 with B-frames (the
# bench's part, an hour of it), the index grows by about 21 bytes a frame and 13 an AAC
# packet, 75 KB a minute; the bound is 45 and 32, 171 KB a minute at 30 fps and 48 kHz.
VIDEO_PACKET_INDEX_BYTES = 4 + 8 + 8 + 12 + 8 + 4 + 1
AUDIO_PACKET_INDEX_BYTES = 4 + 8 + 8 + 12
AAC_FRAME_SAMPLES = 1024
# The rest of the index, whatever the length: mvhd, per track tkhd, edts, mdia's headers,
# stsd (with the H.264 parameter sets), AAC's roll groups, the encoder tag in udta. About
# 1.2 KB measured; bounded well above.
INDEX_FIXED_BYTES = 16 * 1024
# Each encoder run (a faster preset starts a new one) may bring parameter sets of its own: a
# sample description and an edit of its own, at most.
SEGMENT_INDEX_BYTES = 1024
# The concat demuxer cuts at decoding times, and a B-frame is decoded before it is shown: a
# few packets past a cut may come through (none did, measured; this is the allowance).
_PACKETS_PAST_A_CUT = 4

# The reserve for an interview of the planned length: its bound, for a quarter longer than
# planned (the longest interview is a plan: retakes, answers that run to their limit), and a
# fixed part for the rest of the index, the chapters and the encoder runs.
PLANNED_MARGIN = 1.25
RESERVE_FIXED_BYTES = 64 * 1024
DEFAULT_LONGEST_MINUTES = 60.0  # [recording] longest_interview_minutes, by default

_FREE_HEADER = 8  # what must stay of the free box after the index: a box has an 8-byte header


def index_reserve_bytes(longest_minutes: float, fps: float, sample_rate: int) -> int:
    """The room to keep for the index of an interview up to `longest_minutes` long."""
    seconds = max(0.0, longest_minutes) * 60 * PLANNED_MARGIN
    per_second = (fps * VIDEO_PACKET_INDEX_BYTES
                  + sample_rate / AAC_FRAME_SAMPLES * AUDIO_PACKET_INDEX_BYTES)
    return RESERVE_FIXED_BYTES + math.ceil(seconds * per_second)


def packet_bounds(part: PartFiles) -> tuple[int, int]:
    """At most how many video and audio packets `part` brings to the file."""
    video = part.frames + _PACKETS_PAST_A_CUT * len(part.video)
    # The concat list starts the sound after the encoder's priming and ends it at the part's
    # length: packets from the first to the one holding the last sample.
    samples = AAC_PRIMING_SAMPLES + math.ceil(part.duration_s * part.sample_rate)
    return video, math.ceil(samples / AAC_FRAME_SAMPLES) + _PACKETS_PAST_A_CUT


def index_bound_bytes(parts: Sequence[PartFiles]) -> int:
    """An upper bound of the size of the index (moov, without chapters) of `parts`, joined."""
    total = INDEX_FIXED_BYTES
    for part in parts:
        video_packets, audio_packets = packet_bounds(part)
        total += (video_packets * VIDEO_PACKET_INDEX_BYTES
                  + audio_packets * AUDIO_PACKET_INDEX_BYTES
                  + len(part.video) * SEGMENT_INDEX_BYTES)
    return total


class ProgressiveMerge:
    """The interview file, built answer by answer (see the module's docstring).

    The index's room is `reserve_bytes` if given, otherwise enough for `longest_minutes`
    at the picture rate and sample rate of the first answer.
    """

    def __init__(self, output: Path, *, longest_minutes: float = DEFAULT_LONGEST_MINUTES,
                 reserve_bytes: int | None = None) -> None:
        self.output = output
        self._longest_minutes = longest_minutes
        self.reserve_bytes = reserve_bytes  # known once the first answer is appended
        self._muxer: subprocess.Popen | None = None
        self._log = output.with_name(output.name + ".log")
        self._appended: list[PartFiles] = []
        self._appended_s = 0.0
        self._work: Path | None = None  # made by the first append

    def append(self, part: PartFiles) -> None:
        """Add one answer at the end of the interview (blocks until it is handed over).

        Raises MediaError without taking it if the interview would outgrow the index's room:
        the file cannot be finished then, so nothing more is spent on it.
        """
        if self.reserve_bytes is None:
            self.reserve_bytes = index_reserve_bytes(self._longest_minutes, part.fps,
                                                     part.sample_rate)
        bound = index_bound_bytes([*self._appended, part])
        if bound > self.reserve_bytes:
            raise MediaError(f"The interview is longer than its file was planned for (an index "
                             f"of up to {bound} bytes, room for {self.reserve_bytes}).")
        if self._work is None:
            # The lists are small: off the recordings disk, so a full one stops only the file.
            self._work = Path(tempfile.mkdtemp(prefix="progressive-"))
        if self._muxer is None:
            with open(self._log, "wb") as log:
                self._muxer = subprocess.Popen(_muxer_command(self.output, self.reserve_bytes),
                                               stdin=subprocess.PIPE,
                                               stdout=subprocess.DEVNULL, stderr=log)
        video_list, audio_list = write_concat_lists([part], self._work)
        converter = subprocess.Popen(
            _converter_command(video_list, audio_list, _TIMELINE_BASE_S + self._appended_s),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert converter.stdout is not None and self._muxer.stdin is not None
        # From here the muxer may hold some of the answer: it counts, even if this fails.
        self._appended.append(part)
        try:
            shutil.copyfileobj(converter.stdout, self._muxer.stdin, 1 << 20)
        except (BrokenPipeError, OSError):
            converter.kill()
            converter.wait()
            raise MediaError(f"The interview file stopped taking answers: "
                             f"{self._last_words()}") from None
        _, errors = converter.communicate()
        if converter.returncode != 0:
            raise MediaError(f"Appending '{part.title}' failed: "
                             f"{last_words(errors, converter.returncode)}")
        self._appended_s += part.duration_s

    def finish(self, chapters: Sequence[tuple[int, str]]) -> None:
        """Close the file and add the chapters ((start in ms, title), in order).

        Raises MediaError, the file given up, if its index might not fit the room kept for
        it: ffmpeg would write it over the start of the media.
        """
        if self._muxer is None or self.reserve_bytes is None:
            raise MediaError("No answer was added to the interview file.")
        needed = (index_bound_bytes(self._appended) + _chapters_growth_bytes(chapters)
                  + _FREE_HEADER)
        if needed > self.reserve_bytes:
            self.abort()
            raise MediaError(f"The interview is longer than its file was planned for (an index "
                             f"of up to {needed} bytes, room for {self.reserve_bytes}).")
        assert self._muxer.stdin is not None
        self._muxer.stdin.close()
        if self._muxer.wait() != 0:
            raise MediaError(f"Closing the interview file failed: {self._last_words()}")
        add_chapters(self.output, chapters)
        self._cleanup()

    def abort(self) -> None:
        if self._muxer is not None and self._muxer.poll() is None:
            self._muxer.kill()
            self._muxer.wait()
        self.output.unlink(missing_ok=True)
        self._cleanup()

    def _cleanup(self) -> None:
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
        self._log.unlink(missing_ok=True)

    def _last_words(self) -> str:
        try:
            said = self._log.read_bytes()
        except OSError:
            said = b""
        return last_words(said, self._muxer.returncode if self._muxer is not None else None)


def _muxer_command(output: Path, reserve_bytes: int) -> list[str]:
    """The session's muxer: MPEG-TS on stdin, stream-copied into the MP4 `output`, with
    `reserve_bytes` kept at the front for the index."""
    return command(ffmpeg.input("pipe:0", f="mpegts")
                   .output(str(output), map=0, c="copy", f="mp4", moov_size=reserve_bytes)
                   .overwrite_output())


def _converter_command(video_list: Path, audio_list: Path, offset_s: float) -> list[str]:
    """One answer's parts as MPEG-TS on stdout, starting at `offset_s` of the timeline."""
    video = ffmpeg.input(str(video_list), f="concat", safe=0)
    audio = ffmpeg.input(str(audio_list), f="concat", safe=0)
    return command(ffmpeg.output(
        video["v:0"], audio["a:0"], "pipe:1", c="copy", avoid_negative_ts="disabled",
        mpegts_copyts=1, output_ts_offset=f"{offset_s:.6f}", muxdelay=0, muxpreload=0,
        f="mpegts"))


def add_chapters(path: Path, chapters: Sequence[tuple[int, str]]) -> None:
    """Put a Nero chapter list (udta/chpl, as ffmpeg writes it) into the MP4's front index.

    The index (moov) grows into the free box that follows it, which shrinks by as much: the
    media data and every offset into it stay where they are. Raises MediaError if the file
    is not laid out so (moov, then free) or the free box is too small.
    """
    with open(path, "r+b") as handle:
        size = os.fstat(handle.fileno()).st_size
        moov_at, moov_size, room = _front_index(handle, size)
        handle.seek(moov_at)
        moov = handle.read(moov_size)
        header = 16 if struct.unpack(">I", moov[:4])[0] == 1 else 8
        children = moov[header:]
        chpl = _box(b"chpl", _chpl_payload(chapters))
        udta_at = _find_child(children, b"udta")
        if udta_at is None:
            children += _box(b"udta", chpl)
        else:
            start, length = udta_at
            udta = children[start:start + length]
            children = (children[:start] + _box(b"udta", udta[8:] + chpl)
                        + children[start + length:])
        grown = _box(b"moov", children)
        left = moov_size + room - len(grown)
        if left != 0 and left < _FREE_HEADER:
            raise MediaError("The interview file's index has no room left for its chapters.")
        handle.seek(moov_at)
        # One write: the index, then what stays of the free box (its old content is zeros,
        # and nobody reads a free box's content anyway).
        handle.write(grown + (struct.pack(">I4s", left, b"free") if left else b""))
        handle.flush()
        os.fsync(handle.fileno())


def _chapters_growth_bytes(chapters: Sequence[tuple[int, str]]) -> int:
    """How much adding `chapters` grows the index, at most (a udta box may be needed too)."""
    return 8 + 8 + len(_chpl_payload(chapters))


def _chpl_payload(chapters: Sequence[tuple[int, str]]) -> bytes:
    entries = list(chapters)[:255]
    payload = bytearray(struct.pack(">I", 0x01000000))  # version 1, no flags
    payload += struct.pack(">I", 0)
    payload += bytes([len(entries)])
    for start_ms, title in entries:
        payload += struct.pack(">Q", start_ms * (_CHAPTER_TIME_SCALE // 1000))
        encoded = title.encode("utf-8")[:255].decode("utf-8", errors="ignore").encode("utf-8")
        payload += bytes([len(encoded)]) + encoded
    return bytes(payload)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _front_index(handle: BinaryIO, file_size: int) -> tuple[int, int, int]:
    """Where the moov box is, its size, and the size of the free box right after it.

    The index must come before the media (mdat), as `moov_size` lays the file out.
    """
    position = 0
    while position + 8 <= file_size:
        handle.seek(position)
        size, kind = struct.unpack(">I4s", handle.read(8))
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
        elif size == 0:
            size = file_size - position
        if size < 8:
            break
        if kind == b"mdat":
            raise MediaError("The interview file's index is not before its media.")
        if kind == b"moov":
            after = position + size
            handle.seek(after)
            following = handle.read(8)
            if len(following) < 8 or following[4:] != b"free":
                raise MediaError("The interview file's index has no room after it.")
            room = struct.unpack(">I", following[:4])[0]
            if room < 8:
                raise MediaError("The interview file's room after its index is damaged.")
            return position, size, room
        position += size
    raise MediaError("The interview file has no index (moov), or is not a well-formed MP4.")


def _find_child(children: bytes, kind: bytes) -> tuple[int, int] | None:
    position = 0
    while position + 8 <= len(children):
        size, child = struct.unpack(">I4s", children[position:position + 8])
        if size < 8:
            return None
        if child == kind:
            return position, size
        position += size
    return None
