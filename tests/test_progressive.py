"""The interview file built answer by answer matches the one-pass merge, chapters included,
and is faststart (its index before its media) without a second pass; when its index might
not fit the room kept for it, the one-pass merge makes the file, faststart too."""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.capture.synthetic import SyntheticOptions
from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.media.clapper import clapper_matches
from kiosk.media.ffmpeg import MediaError, ffmpeg_exe
from kiosk.media.merge import PartFiles, chapter_bounds_ms, merge_parts
from kiosk.media.probe import probe, stream_end_times
from kiosk.media.progressive import (
    AUDIO_PACKET_INDEX_BYTES,
    INDEX_FIXED_BYTES,
    VIDEO_PACKET_INDEX_BYTES,
    ProgressiveMerge,
    index_bound_bytes,
    packet_bounds,
)
from kiosk.recording import session as session_module
from kiosk.store.database import open_configured
from tests.engine import SMALL, begun_recording, record_parts
from tests.mp4_boxes import faststart_problems, nero_chapters, top_level_boxes, tracks

LONG_TITLE = "Décrivez un projet dont vous êtes fier — " + "é" * 200  # over 255 bytes


def _chapters(parts: Sequence[PartFiles]) -> list[tuple[int, str]]:
    return [(start, part.title) for part, (start, _) in
            zip(parts, chapter_bounds_ms(parts), strict=True)]


def _assert_decodes(movie: Path) -> None:
    done = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(movie), "-f", "null", "-"],
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")


def _assert_faststart_with_chapters(movie: Path, titles: Sequence[str],
                                    starts_ms: Sequence[int]) -> None:
    """ftyp, then the index before the media, no fragments; one chapter per answer, at its
    start; and every frame and sample decodes."""
    assert faststart_problems(movie) == []
    chapters = nero_chapters(movie)
    assert [title for _, title in chapters] == list(titles)
    assert [start for start, _ in chapters] == pytest.approx([s / 1000 for s in starts_ms],
                                                             abs=1e-6)
    _assert_decodes(movie)


def _built_along_the_way(movie: Path) -> bool:
    """The room kept for the index follows it (ProgressiveMerge); the one-pass merge's
    `+faststart` leaves only ffmpeg's 8-byte placeholder before the media."""
    boxes = top_level_boxes(movie)
    return [b.kind for b in boxes[:3]] == ["ftyp", "moov", "free"] and boxes[2].size > 8


def test_answers_appended_one_by_one_make_the_same_interview(tmp_path: Path) -> None:
    titles = ['Tell us about "yourself"', "Pourquoi nous ? 🎤", LONG_TITLE]
    options = SyntheticOptions(**SMALL, drift_ppm=300, shortfall=0.15, jitter_ms=3)
    parts = [p.files for p in record_parts(tmp_path / "parts", [6.0, 12.5, 19.0], options,
                                           titles=titles)]
    once = tmp_path / "once.mp4"
    merge_parts(parts, once)
    built = ProgressiveMerge(tmp_path / "built.mp4")
    for part in parts:
        built.append(part)
    built.finish(_chapters(parts))

    info = probe(built.output)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert [c[2] for c in info.chapters][:2] == titles[:2]
    long_title = info.chapters[2][2]
    assert LONG_TITLE.startswith(long_title) and len(long_title.encode()) <= 255
    assert [round(c[0], 3) for c in info.chapters] == [round(c[0], 3)
                                                       for c in probe(once).chapters]
    assert stream_end_times(built.output) == pytest.approx(stream_end_times(once), abs=0.001)
    # The same sync as the one-pass merge, flash for flash.
    built_offsets = [round(m.offset_ms, 1) for m in clapper_matches(built.output)]
    assert built_offsets == [round(m.offset_ms, 1) for m in clapper_matches(once)]
    assert len(built_offsets) >= 6
    assert not built.output.with_name("built.mp4.log").exists()  # its working files are gone

    # Faststart, with the chapters in our own reading of the boxes, as ffmpeg reads them.
    _assert_faststart_with_chapters(built.output, [titles[0], titles[1], long_title],
                                    [start for start, _ in chapter_bounds_ms(parts)])
    boxes = top_level_boxes(built.output)
    assert [b.kind for b in boxes] == ["ftyp", "moov", "free", "free", "mdat"]
    ftyp, moov, room = boxes[:3]
    # The chapters grew the index into the room kept after it: the media stayed put, where
    # the muxer wrote it (after the room it reserved).
    assert built.reserve_bytes is not None
    assert (moov.offset, room.end) == (ftyp.end, ftyp.end + built.reserve_bytes)
    # The bound that guards the room holds for what ffmpeg really wrote, table by table: no
    # more packets than counted, none taking more of the index than its kind's bound, and the
    # rest within the fixed part.
    assert moov.size < index_bound_bytes(parts)
    counted = {"vide": sum(packet_bounds(p)[0] for p in parts),
               "soun": sum(packet_bounds(p)[1] for p in parts)}
    per_packet = {"vide": VIDEO_PACKET_INDEX_BYTES, "soun": AUDIO_PACKET_INDEX_BYTES}
    found = tracks(built.output)
    assert sorted(track.handler for track in found) == ["soun", "vide"]
    for track in found:
        assert track.samples <= counted[track.handler]
        # Each table's own header (a few dozen bytes) is part of the fixed part.
        assert sum(track.table_bytes.values()) <= track.samples * per_packet[track.handler] + 512
    tables = sum(sum(track.table_bytes.values()) for track in found)
    assert moov.size - tables <= INDEX_FIXED_BYTES


def test_kiosk_record_makes_a_faststart_interview_with_its_chapter(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir(parents=True)
    # A small picture; the room for the index as a booth plans it by default (60 minutes).
    (data_dir / "kiosk.toml").write_text(
        f"[recording]\nwidth = {SMALL['width']}\nheight = {SMALL['height']}\n"
        f"disk_reserve_mb = 1\n")
    code = main(["record", "--demo", "--seconds", "2", "--question", "Pourquoi nous ? 🎤",
                 "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    row = json.loads(out)
    movie = load_settings().recordings_dir / row["session_id"] / "interview.mp4"
    assert _built_along_the_way(movie)
    _assert_faststart_with_chapters(movie, ["Pourquoi nous ? 🎤"], [0])


def test_an_index_that_might_outgrow_its_room_is_never_written(tmp_path: Path) -> None:
    parts = [p.files for p in record_parts(tmp_path / "parts", [3.0, 6.0])]
    # Room for the index of both answers but not for the chapters: found before closing,
    # and the file given up, not ruined by an index written over the start of its media.
    built = ProgressiveMerge(tmp_path / "built.mp4", reserve_bytes=index_bound_bytes(parts) + 8)
    for part in parts:
        built.append(part)
    with pytest.raises(MediaError, match="longer than its file was planned for"):
        built.finish(_chapters(parts))
    assert not built.output.exists()
    assert not built.output.with_name("built.mp4.log").exists()
    built.abort()  # what the caller does after any failure: harmless twice

    # Room for less than one answer: not even taken, nothing is spent on a lost cause.
    tiny = ProgressiveMerge(tmp_path / "tiny.mp4", reserve_bytes=4096)
    with pytest.raises(MediaError, match="longer than its file was planned for"):
        tiny.append(parts[0])
    tiny.abort()
    assert not tiny.output.exists()


def test_an_interview_longer_than_planned_is_merged_in_one_pass_faststart(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    settings = replace(settings, recording=replace(settings.recording, width=SMALL["width"],
                                                   height=SMALL["height"], disk_reserve_mb=1,
                                                   longest_interview_minutes=1))
    # A tiny room for the index: the interview outgrows it, as one far over its plan would.
    monkeypatch.setattr(session_module, "ProgressiveMerge",
                        functools.partial(ProgressiveMerge, reserve_bytes=4096))
    questions = ["Why this job?", "A hard problem you solved"]
    db = open_configured(settings)
    try:
        with begun_recording(settings, db) as (recording, epoch):
            lengths = []
            for index, (question, end) in enumerate(zip(questions, (3.0, 7.0), strict=True)):
                recording.start_answer(index, question)
                lengths.append(recording.end_answer(at=epoch + end).duration_s)
            finished = recording.finish()
    finally:
        db.close()
    assert not recording.used_progressive
    assert finished.output.name == "interview.mp4"
    assert not _built_along_the_way(finished.output)
    _assert_faststart_with_chapters(finished.output, questions, [0, round(lengths[0] * 1000)])
    assert not (recording.parts / session_module.PROGRESSIVE_NAME).exists()


def test_our_box_reader_tells_a_faststart_file_from_the_others(tmp_path: Path) -> None:
    (part,) = [p.files for p in record_parts(tmp_path / "parts", [1.0])]
    # A recorded part's sound is fragmented MP4 (for crash safety): moof boxes.
    assert any("fragmented" in problem for problem in faststart_problems(part.audio))
    at_the_end = tmp_path / "at-the-end.m4a"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(part.audio), "-c", "copy",
                    str(at_the_end)], check=True)
    assert [problem.split(":")[0] for problem in faststart_problems(at_the_end)] == [
        "moov after mdat"]
    assert nero_chapters(at_the_end) == []
