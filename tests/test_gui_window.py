"""Whole-window check: `kiosk` with no command opens its window on a real (virtual) X screen."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.xvfb import xvfb


def _window_titles(display: str) -> str:
    done = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                          env={**os.environ, "DISPLAY": display}, check=False)
    return done.stdout


def test_kiosk_without_a_command_opens_its_window(data_dir: Path) -> None:
    with xvfb() as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        app = subprocess.Popen([sys.executable, "-m", "kiosk"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and app.poll() is None:
                if '"Interview Booth Kiosk"' in _window_titles(display):
                    break
                time.sleep(0.2)
            assert app.poll() is None, f"kiosk exited: {app.communicate()[1]}"
            assert '"Interview Booth Kiosk"' in _window_titles(display)
        finally:
            app.terminate()
            app.wait(timeout=10)
    # Start-up made the data folder and a migrated database.
    assert (data_dir / "kiosk.db").is_file() and (data_dir / "recordings").is_dir()
