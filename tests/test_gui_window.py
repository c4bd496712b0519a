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


def _kiosk_window(display: str) -> str:
    lines = _window_titles(display).splitlines()
    # The top-level window has a WM_CLASS; Qt's 1x1 helper window of the same title has none.
    return next((line.strip() for line in lines
                 if '"Interview Booth Kiosk": ("' in line), "")


def test_kiosk_without_a_command_opens_its_window(data_dir: Path) -> None:
    with xvfb() as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        app = subprocess.Popen([sys.executable, "-m", "kiosk"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and app.poll() is None:
                # Mapped at the size of the whole screen: kiosk mode.
                if _kiosk_window(display).endswith("1280x800+0+0  +0+0"):
                    break
                time.sleep(0.2)
            assert app.poll() is None, f"kiosk exited: {app.communicate()[1]}"
            assert "1280x800+0+0" in _kiosk_window(display)
            # A service manager's stop (SIGTERM) is answered at once, with an orderly exit.
            app.terminate()
            assert app.wait(timeout=10) == 0
        finally:
            if app.poll() is None:
                app.kill()
                app.wait(timeout=10)
    # Start-up made the data folder and a migrated database.
    assert (data_dir / "kiosk.db").is_file() and (data_dir / "recordings").is_dir()
