"""`kiosk --self-test`: records, merges, checks, plays, runs doctor and transcribes, in a folder
of its own."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.selftest import SelfTestFailed, run_self_test

STEPS = ("files", "database", "record", "merge", "check", "play", "doctor", "speech")


def test_the_self_test_passes_every_step_and_leaves_the_booth_alone(
    kiosk_command: list[str], tmp_path: Path
) -> None:
    booth = tmp_path / "booth"
    env = {**os.environ, "KIOSK_DATA_DIR": str(booth), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([*kiosk_command, "--self-test"], capture_output=True, text=True,
                          env=env, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in STEPS:
        assert any(re.match(rf"self-test: {step} +ok ", line) for line in lines), done.stdout
    assert re.search(r"worst offset [+-]\d+\.\d ms", done.stdout)
    # The speech model heard the clip's sentence (most of its words: see check_transcription).
    assert re.search(r"self-test: speech +ok  transcribed \d\.\d s with tiny\.en: heard "
                     r"'.+' \(1[1-4] of 14 words\)", done.stdout), done.stdout
    assert lines[-1] == "self-test: passed"
    assert "Input #0" not in done.stderr  # Qt FFmpeg's stream dump is not IT's business
    # The temporary folder it named is gone, and the configured one was never made.
    folder = Path(lines[0].rsplit(" ", 1)[-1])
    assert folder.name.startswith("kiosk-self-test-") and not folder.exists()
    assert not booth.exists()


def test_a_failing_step_is_named_in_one_line_and_exits_1(tmp_path: Path) -> None:
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "booth"),
           "IMAGEIO_FFMPEG_EXE": str(tmp_path / "no-ffmpeg-here")}
    done = subprocess.run([sys.executable, "-m", "kiosk", "--self-test"], capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    assert done.returncode == 1
    assert "self-test: files    FAILED" in done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("kiosk: self-test failed at step 'files': ")
    # Nothing was made before that step, so no empty folder is left behind.
    assert "kept" not in last
    assert not Path(done.stdout.splitlines()[0].rsplit(" ", 1)[-1]).exists()


class _NeverEnds:
    reached_end = False
    frames_shown = 0
    duration_ms = 0
    error = ""


def test_a_recording_that_does_not_play_fails_at_play_and_keeps_its_files() -> None:
    said: list[str] = []
    with pytest.raises(SelfTestFailed, match=r"step 'play'.*does not play") as failure:
        run_self_test(lambda path, timeout_s: _NeverEnds(), say=said.append, seconds=2.5)
    assert [line.split()[1] for line in said[1:]] == list(STEPS[:6])
    assert "FAILED" in said[-1]
    kept = Path(re.search(r"kept in (\S+)\)", str(failure.value))[1])
    try:
        assert list(kept.glob("recordings/*/interview.mp4"))
    finally:
        shutil.rmtree(kept)


def test_the_self_test_takes_no_command() -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--self-test", "doctor"])
    assert stopped.value.code == 2

