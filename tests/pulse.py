"""A real sound path for tests: a private PulseAudio daemon with a null sink.

What is played into the sink (with paplay) comes out of its monitor, which is the default
source, and sounddevice reads it through ALSA's `pulse` device: the same code path as a
booth's microphone. The daemon runs in a private runtime folder and is stopped afterwards.
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import tempfile
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def null_sink_server() -> Iterator[dict[str, str]]:
    """Start PulseAudio with a null sink; yield the environment that reaches it."""
    base = Path(tempfile.mkdtemp(prefix="kiosk-pulse-"))
    (base / "runtime").mkdir(mode=0o700)
    (base / "home").mkdir()
    env = {**os.environ, "XDG_RUNTIME_DIR": str(base / "runtime"), "HOME": str(base / "home"),
           "PULSE_RUNTIME_PATH": str(base / "runtime" / "pulse")}
    start = subprocess.run(
        ["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--disallow-exit",
         f"--log-target=file:{base / 'pulse.log'}",
         "--load=module-native-protocol-unix",
         "--load=module-null-sink sink_name=booth rate=48000 channels=1"],
        env=env, capture_output=True, text=True, check=False)
    if start.returncode != 0:
        raise RuntimeError(f"PulseAudio did not start: {start.stderr}")
    try:
        for command in (["pactl", "set-default-sink", "booth"],
                        ["pactl", "set-default-source", "booth.monitor"]):
            subprocess.run(command, env=env, check=True, capture_output=True)
        yield env
    finally:
        subprocess.run(["pulseaudio", "--kill"], env=env, capture_output=True, check=False)
        time.sleep(0.2)
        shutil.rmtree(base, ignore_errors=True)


def write_tone(path: Path, *, hz: float = 1000.0, seconds: float = 30.0,
               rate: int = 48_000) -> None:
    """A sine tone as 16-bit mono WAV, at half of full scale."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = (int(16000 * math.sin(2 * math.pi * hz * n / rate))
                   for n in range(int(seconds * rate)))
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
