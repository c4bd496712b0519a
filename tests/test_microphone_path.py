"""End to end with a real microphone path: PulseAudio null sink -> sounddevice -> recorder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from kiosk.media.ffmpeg import ffmpeg_exe
from kiosk.media.probe import stream_end_times
from tests.pulse import null_sink_server, write_tone


def _decoded_audio(path: Path) -> np.ndarray:
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
                           "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "s16le", "-"],
                          capture_output=True, check=True)
    return np.frombuffer(done.stdout, np.int16).astype(np.float64)


def test_a_tone_played_into_the_microphone_is_in_the_merged_file(
    data_dir: Path, tmp_path: Path
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text(
        "[recording]\nwidth = 640\nheight = 360\ndisk_reserve_mb = 1\n"
        "longest_interview_minutes = 1\n")
    tone = tmp_path / "tone.wav"
    write_tone(tone, hz=1000.0, seconds=40.0)
    with null_sink_server() as env:
        player = subprocess.Popen(["paplay", str(tone)], env=env)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "kiosk", "record", "--camera", "synthetic", "--mic",
                 "pulse", "--seconds", "4", "--json"],
                capture_output=True, text=True, env={**env, "KIOSK_DATA_DIR": str(data_dir)},
                timeout=120, check=False)
        finally:
            player.terminate()
            player.wait(10)
    assert done.returncode == 0, done.stderr
    session = json.loads(done.stdout)
    assert session["status"] == "completed"
    movie = data_dir / "recordings" / session["session_id"] / "interview.mp4"
    ends = stream_end_times(movie)
    assert abs(ends["video"] - ends["audio"]) < 1 / 30
    assert ends["audio"] >= 4.0

    audio = _decoded_audio(movie)
    middle = audio[len(audio) // 4: 3 * len(audio) // 4]
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
    peak_hz = np.argmax(spectrum) * 48_000 / len(middle)
    assert abs(peak_hz - 1000.0) < 5
    assert np.sqrt(np.mean(middle ** 2)) > 3000  # the tone itself, not a whisper of it
