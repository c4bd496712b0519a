"""Every ffmpeg command is built and run one way: quiet once, and a failure carries ffmpeg's
own last line. Recovery's remux and padding keep what they should."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import ffmpeg
import numpy as np
import pytest

from kiosk.media.clapper import clapper_matches
from kiosk.media.encode import (
    AAC_PRIMING_SAMPLES,
    FRAGMENTED_MP4,
    VideoFormat,
    audio_encoder,
    video_encoder,
)
from kiosk.media.ffmpeg import MediaError, command, ffmpeg_exe, ffmpeg_version, run
from kiosk.media.merge import PartFiles, VideoSegment, merge_command, merge_parts
from kiosk.media.poster import write_poster
from kiosk.media.probe import probe, stream_end_times
from kiosk.media.progressive import ProgressiveMerge
from kiosk.media.repair import pad_audio, remux_copy

RATE = 48_000
FPS = 30.0
FRAMES = 64  # four 16-frame units: a whole number of AAC frames, as the recorder makes parts
PRIMING_S = AAC_PRIMING_SAMPLES / RATE


def _record_part(folder: Path) -> PartFiles:
    """A part as the recorder writes one, through the real encoders."""
    folder.mkdir()
    video, audio = folder / "q00-v0.mkv", folder / "q00.m4a"
    pictures = video_encoder(video, VideoFormat(64, 36, FPS), "ultrafast")
    sound = audio_encoder(audio, RATE)
    for index in range(FRAMES):
        pictures.write(np.full((36, 64, 3), index * 4 % 256, np.uint8).tobytes())
    tone = 8000 * np.sin(2 * np.pi * 440 * np.arange(round(FRAMES / FPS * RATE)) / RATE)
    sound.write(tone.astype(np.int16).tobytes())
    pictures.close()
    sound.close()
    return PartFiles("Question 1", [VideoSegment(video, FRAMES)], audio, FPS, RATE)


def _lavfi(source: str, out: Path, **options: Any) -> Path:
    run(command(ffmpeg.input(source, f="lavfi").output(str(out), **options).overwrite_output()),
        what=f"Making {out.name}")
    return out


def _fragmented_sine(out: Path, seconds: float) -> Path:
    """Sound laid out like a recorded part: AAC in fragmented MP4, priming not hidden."""
    return _lavfi(f"sine=frequency=440:sample_rate={RATE}:duration={seconds}", out,
                  **{"c:a": "aac", "b:a": "128k"}, **FRAGMENTED_MP4)


def test_every_command_says_the_quiet_flags_once(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    exe = ffmpeg_exe()  # imageio-ffmpeg runs `-version` itself the first time
    started: list[list[str]] = []

    class Recording(subprocess.Popen):
        def __init__(self, args: Any, *rest: Any, **options: Any) -> None:
            if isinstance(args, list) and args and args[0] == exe:
                started.append([str(arg) for arg in args])
            super().__init__(args, *rest, **options)

    monkeypatch.setattr(subprocess, "Popen", Recording)
    part = _record_part(tmp_path / "parts")
    merge_parts([part], tmp_path / "merged.mp4", title="Ada")
    built = ProgressiveMerge(tmp_path / "built.mp4")
    built.append(part)
    built.finish([(0, "Question 1")])
    write_poster(tmp_path / "merged.mp4", tmp_path / "poster.jpg", at_s=1.0)
    probe(tmp_path / "merged.mp4")
    stream_end_times(tmp_path / "merged.mp4")
    clapper_matches(tmp_path / "merged.mp4")
    assert remux_copy(part.video[0].path, tmp_path / "fixed.mkv")
    assert remux_copy(part.audio, tmp_path / "fixed.m4a")
    pad_audio(tmp_path / "fixed.m4a", 3.0, RATE)
    ffmpeg_version()

    # encoders 2, merge 1, progressive 2, poster 1, probe 2, clapper 2, remux 2, pad 1, version 1
    assert len(started) == 14
    for args in started:
        assert (args.count("-hide_banner"), args.count("-nostdin")) == (1, 1), args
        if "-loglevel" in args:
            assert args.count("-loglevel") == 1 and "-loglevel error" in " ".join(args), args
        else:
            # What reads ffmpeg's normal talk: the header of a file, a filter's showinfo.
            assert args[-2] == "-i" or "showinfo" in " ".join(args), args


def test_a_failing_command_raises_media_error_with_ffmpegs_last_line(tmp_path: Path) -> None:
    args = command(ffmpeg.input(str(tmp_path / "missing.mp4")).output(str(tmp_path / "x.mkv")))
    said = subprocess.run(args, capture_output=True, text=True, check=False).stderr
    last = said.strip().splitlines()[-1]
    assert "No such file or directory" in said
    with pytest.raises(MediaError) as failure:
        run(args, what="Copying the missing file")
    assert str(failure.value) == f"Copying the missing file failed: {last}"


def test_an_encoder_that_ffmpeg_refuses_reports_ffmpegs_last_line(tmp_path: Path) -> None:
    encoder = video_encoder(tmp_path / "no-such-folder" / "v.mkv", VideoFormat(64, 36, FPS))
    with pytest.raises(MediaError, match=r"The video encoder \(veryfast\) "
                                         r"(failed|stopped unexpectedly): .*No such file"):
        for _ in range(FRAMES):
            encoder.write(bytes(64 * 36 * 3))
        encoder.close()
    encoder.kill()


def test_merge_takes_the_chapters_from_its_third_input(tmp_path: Path) -> None:
    args = merge_command(tmp_path / "v.ffconcat", tmp_path / "a.ffconcat",
                         tmp_path / "chapters.ffmeta", tmp_path / "out.mp4")
    inputs = [args[i + 1] for i, arg in enumerate(args) if arg == "-i"]
    assert inputs == [str(tmp_path / name) for name in
                      ("v.ffconcat", "a.ffconcat", "chapters.ffmeta")]
    assert args.count("-map") == 2 and "-map_chapters" in args


def test_remux_keeps_what_survives_of_a_cut_off_file(tmp_path: Path) -> None:
    video = _lavfi("testsrc=size=64x36:rate=30:duration=2", tmp_path / "v.mkv",
                   **{"c:v": "libx264", "preset": "ultrafast", "g": 15})
    audio = _fragmented_sine(tmp_path / "a.m4a", 2.0)
    assert remux_copy(video, tmp_path / "fixed.mkv")
    assert stream_end_times(tmp_path / "fixed.mkv")["video"] == pytest.approx(2.0, abs=0.001)
    assert remux_copy(audio, tmp_path / "fixed.m4a")
    ends = stream_end_times(tmp_path / "fixed.m4a")["audio"]
    assert ends == pytest.approx(stream_end_times(audio)["audio"], abs=0.001)
    assert b"moof" in (tmp_path / "fixed.m4a").read_bytes()  # still fragmented, like a part

    cut = tmp_path / "cut.m4a"
    cut.write_bytes(audio.read_bytes()[: audio.stat().st_size // 2])
    assert remux_copy(cut, tmp_path / "fixed-cut.m4a")
    assert 0.3 < stream_end_times(tmp_path / "fixed-cut.m4a")["audio"] < 1.5

    (tmp_path / "junk.m4a").write_bytes(b"not a recording" * 100)
    assert not remux_copy(tmp_path / "junk.m4a", tmp_path / "fixed-junk.m4a")


def test_padding_lengthens_the_sound_to_the_picture(tmp_path: Path) -> None:
    audio = _fragmented_sine(tmp_path / "a.m4a", 1.0)
    pad_audio(audio, 2.5, RATE)
    sound_s = stream_end_times(audio)["audio"] - PRIMING_S
    assert 2.5 <= sound_s < 2.5 + PRIMING_S  # whole AAC frames, the last one part silence
    assert not (tmp_path / "a.padded.m4a").exists()


def test_padding_a_file_that_is_not_sound_raises_and_leaves_it(tmp_path: Path) -> None:
    junk = tmp_path / "junk.m4a"
    junk.write_bytes(b"not a recording" * 100)
    with pytest.raises(MediaError, match="Extending the sound"):
        pad_audio(junk, 2.0, RATE)
    assert junk.read_bytes() == b"not a recording" * 100


def test_ffmpeg_version_names_ffmpeg() -> None:
    assert ffmpeg_version().startswith("ffmpeg version ")
