"""A real voice for tests: a private speech-dispatcher speaking into tests/pulse.py's null sink.

`speech_dispatcher(pulse_env)` starts the daemon in the foreground (so it is stopped by its
own process id) with a private configuration: espeak-ng only, PulseAudio output, its own
socket and log folder. `use_speech_dispatcher(monkeypatch, daemon)` points this process's
libspeechd (what Qt's speechd engine uses) at that socket and turns libspeechd's autospawn
off, so a test never starts, or talks to, the developer's own daemon. `no_speech_dispatcher`
does the same with a socket nobody listens on: the booth without a voice.

`MonitorLevel` records the null sink's monitor with parec and keeps the level of every
10 ms: what the reading really sent to the loudspeaker, and when.

Debian packages: speech-dispatcher, speech-dispatcher-espeak-ng, libspeechd2 (and
pulseaudio, pulseaudio-utils for the sink).
"""

from __future__ import annotations

import array
import math
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# Generous: on a loaded 2-core machine espeak-ng's module starts in about 0.2 s.
START_TIMEOUT_S = 20.0
CONFIG = """\
LogLevel 3
LogDir "{log}"
AudioOutputMethod "pulse"
AddModule "espeak-ng" "sd_espeak-ng" "/etc/speech-dispatcher/modules/espeak-ng.conf"
DefaultModule espeak-ng
"""


@dataclass(frozen=True)
class SpeechDaemon:
    socket: Path
    log_dir: Path
    process: subprocess.Popen[str]

    def log(self) -> str:
        """What the daemon logged: for a failure's message."""
        found = self.log_dir / "speech-dispatcher.log"
        return found.read_text(errors="replace")[-4000:] if found.exists() else ""


def available() -> bool:
    return shutil.which("speech-dispatcher") is not None and Path(
        "/usr/lib/speech-dispatcher-modules/sd_espeak-ng").exists()


@contextmanager
def speech_dispatcher(pulse_env: dict[str, str]) -> Iterator[SpeechDaemon]:
    """Start speech-dispatcher speaking into the PulseAudio server of `pulse_env`."""
    base = Path(tempfile.mkdtemp(prefix="kiosk-speechd-"))
    (base / "config").mkdir()
    (base / "log").mkdir()
    (base / "config" / "speechd.conf").write_text(CONFIG.format(log=base / "log"))
    where = base / "speechd.sock"
    process = subprocess.Popen(
        ["speech-dispatcher", "--run-single", "--timeout", "0",
         "--communication-method", "unix_socket", "--socket-path", str(where),
         "--config-dir", str(base / "config")],
        env=pulse_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    daemon = SpeechDaemon(where, base / "log", process)
    try:
        _wait_for(daemon)
        yield daemon
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)


def _wait_for(daemon: SpeechDaemon) -> None:
    """Until the socket takes a connection: it exists a moment before it listens."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if daemon.process.poll() is not None:
            raise RuntimeError(f"speech-dispatcher ended at start:\n{daemon.log()}")
        if daemon.socket.exists():
            with socket.socket(socket.AF_UNIX) as probe:
                try:
                    probe.connect(str(daemon.socket))
                    return
                except OSError:
                    pass
        time.sleep(0.05)
    raise RuntimeError(f"speech-dispatcher did not listen in {START_TIMEOUT_S} s:\n"
                       f"{daemon.log()}")


def _no_autospawn(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    # libspeechd runs `speech-dispatcher --spawn` when it cannot connect; the daemon reads
    # the user's configuration first, and this one says no.
    (folder / "speech-dispatcher").mkdir(parents=True, exist_ok=True)
    (folder / "speech-dispatcher" / "speechd.conf").write_text("DisableAutoSpawn\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))


def use_speech_dispatcher(monkeypatch: pytest.MonkeyPatch, daemon: SpeechDaemon,
                          folder: Path) -> None:
    """This process's speech engine talks to `daemon` and to no other."""
    _no_autospawn(monkeypatch, folder)
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{daemon.socket}")


def no_speech_dispatcher(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """The booth where speech-dispatcher is not running (and may not start)."""
    _no_autospawn(monkeypatch, folder)
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{folder / 'nobody-here.sock'}")


class MonitorLevel:
    """The null sink's monitor, recorded: the RMS level of every 10 ms, with its time."""

    RATE = 16_000
    CHUNK = RATE // 100  # samples: 10 ms

    def __init__(self, pulse_env: dict[str, str], source: str = "booth.monitor") -> None:
        self._process = subprocess.Popen(
            ["parec", "--raw", "--format=s16le", "--channels=1", f"--rate={self.RATE}",
             "--latency-msec=20", "-d", source],
            env=pulse_env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.levels: list[tuple[float, float]] = []  # (time.monotonic(), RMS of full scale)
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="monitor level", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        out = self._process.stdout
        assert out is not None
        while chunk := out.read(self.CHUNK * 2):
            samples = array.array("h", chunk[: len(chunk) // 2 * 2])
            rms = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1)) / 32768
            with self._lock:
                self.levels.append((time.monotonic(), rms))

    def loudest(self, since: float, until: float | None = None) -> float:
        """The highest 10 ms level heard between the two times (0.0: nothing recorded)."""
        with self._lock:
            return max((rms for at, rms in self.levels
                        if at >= since and (until is None or at <= until)), default=0.0)

    def heard_until(self) -> float:
        """The time of the newest level recorded."""
        with self._lock:
            return self.levels[-1][0] if self.levels else 0.0

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        self._reader.join(timeout=5)
