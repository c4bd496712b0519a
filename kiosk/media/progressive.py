"""Building the interview's MP4 while the interview goes on, so finishing takes a moment.

A merge at the end has to pass every packet of the interview through ffmpeg once more
(about 2 s for 30 minutes on two cores; ffmpeg's demuxing alone is over 1 s), whatever the
container tricks. Instead, one ffmpeg muxer runs for the whole session and each answer,
once the interview has moved past it, is appended: its parts are stream-copied into
MPEG-TS on a pipe (which may be joined end to end) at their place on the interview's
timeline. Finishing appends only the last answer and closes the muxer, which writes the MP4
index at the end of the file; the chapters are then added to that index in place.

The file is not `+faststart` (its index is at the end): playing it from disk is not slower;
a copy for streaming gets the index moved to the front when it is exported. If anything here
fails, the caller falls back to kiosk.media.merge, which is what recovery always uses.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import ffmpeg

from kiosk.media.ffmpeg import MediaError, command, last_words
from kiosk.media.merge import PartFiles, write_concat_lists

# Timestamps start well above zero so no answer's first B-frames need negative ones.
_TIMELINE_BASE_S = 10.0
_CHAPTER_TIME_SCALE = 10_000_000  # the Nero chapter box counts in 100 ns


class ProgressiveMerge:
    def __init__(self, output: Path) -> None:
        self.output = output
        self._muxer: subprocess.Popen | None = None
        self._log = output.with_name(output.name + ".log")
        self._appended_s = 0.0
        self._work: Path | None = None  # made by the first append

    def append(self, part: PartFiles) -> None:
        """Add one answer at the end of the interview (blocks until it is handed over)."""
        if self._work is None:
            # The lists are small: off the recordings disk, so a full one stops only the file.
            self._work = Path(tempfile.mkdtemp(prefix="progressive-"))
        if self._muxer is None:
            with open(self._log, "wb") as log:
                self._muxer = subprocess.Popen(_muxer_command(self.output), stdin=subprocess.PIPE,
                                               stdout=subprocess.DEVNULL, stderr=log)
        video_list, audio_list = write_concat_lists([part], self._work)
        converter = subprocess.Popen(
            _converter_command(video_list, audio_list, _TIMELINE_BASE_S + self._appended_s),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert converter.stdout is not None and self._muxer.stdin is not None
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
        """Close the file and add the chapters ((start in ms, title), in order)."""
        if self._muxer is None:
            raise MediaError("No answer was added to the interview file.")
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


def _muxer_command(output: Path) -> list[str]:
    """The session's muxer: MPEG-TS on stdin, stream-copied into the MP4 `output`."""
    return command(ffmpeg.input("pipe:0", f="mpegts")
                   .output(str(output), map=0, c="copy", f="mp4").overwrite_output())


def _converter_command(video_list: Path, audio_list: Path, offset_s: float) -> list[str]:
    """One answer's parts as MPEG-TS on stdout, starting at `offset_s` of the timeline."""
    video = ffmpeg.input(str(video_list), f="concat", safe=0)
    audio = ffmpeg.input(str(audio_list), f="concat", safe=0)
    return command(ffmpeg.output(
        video["v:0"], audio["a:0"], "pipe:1", c="copy", avoid_negative_ts="disabled",
        mpegts_copyts=1, output_ts_offset=f"{offset_s:.6f}", muxdelay=0, muxpreload=0,
        f="mpegts"))


def add_chapters(path: Path, chapters: Sequence[tuple[int, str]]) -> None:
    """Put a Nero chapter list (udta/chpl, as ffmpeg writes it) into the MP4 index at the end.

    Only the index, the last box of the file, is rewritten: the media data and every offset
    into it stay where they are.
    """
    with open(path, "r+b") as handle:
        size = os.fstat(handle.fileno()).st_size
        moov_at, moov_size = _last_box(handle, size)
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
        handle.seek(moov_at)
        handle.truncate()
        handle.write(_box(b"moov", children))
        handle.flush()
        os.fsync(handle.fileno())


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


def _last_box(handle, file_size: int) -> tuple[int, int]:
    """Where the moov box is; it must be the file's last box."""
    position = 0
    while position < file_size:
        handle.seek(position)
        size, kind = struct.unpack(">I4s", handle.read(8))
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
        elif size == 0:
            size = file_size - position
        if kind == b"moov":
            if position + size != file_size:
                raise MediaError("The interview file's index is not at its end.")
            return position, size
        if size < 8:
            raise MediaError("The interview file is not a well-formed MP4.")
        position += size
    raise MediaError("The interview file has no index (moov).")


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
