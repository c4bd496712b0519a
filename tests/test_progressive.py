"""The interview file built answer by answer matches the one-pass merge, chapters included."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.capture.synthetic import SyntheticOptions
from kiosk.media.clapper import clapper_matches
from kiosk.media.ffmpeg import MediaError
from kiosk.media.merge import chapter_bounds_ms, merge_parts
from kiosk.media.probe import probe, stream_end_times
from kiosk.media.progressive import ProgressiveMerge
from tests.engine import SMALL, record_parts

LONG_TITLE = "Décrivez un projet dont vous êtes fier — " + "é" * 200  # over 255 bytes


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
    built.finish([(start, part.title) for part, (start, _) in
                  zip(parts, chapter_bounds_ms(parts), strict=True)])

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
    assert not list(tmp_path.glob("progressive-*"))  # its working files are gone


def test_a_broken_answer_is_reported_so_the_caller_can_fall_back(tmp_path: Path) -> None:
    (part,) = [p.files for p in record_parts(tmp_path / "parts", [3.0])]
    part.audio.write_bytes(b"not audio")
    built = ProgressiveMerge(tmp_path / "built.mp4")
    with pytest.raises(MediaError, match=r"Appending|stopped taking"):
        built.append(part)
    built.abort()
    assert not built.output.exists()
