"""A real X server (Xvfb) for whole-window tests: real windows, a real window manager-less X11."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def xvfb(width: int = 1280, height: int = 800) -> Iterator[str]:
    """Start Xvfb on a free display; yield the DISPLAY value; stop it afterwards."""
    read_end, write_end = os.pipe()
    # -noreset: by default the server resets when its last client leaves, and refuses
    # whoever connects meanwhile; a test polling with xwininfo while the kiosk starts hit that.
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as announced:
            number = announced.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start (is the Debian package xvfb installed?)")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def mapped_top_level_windows(display: str) -> list[str]:
    """The ids of the windows on the root of `display` that are mapped (viewable)."""
    env = {**os.environ, "DISPLAY": display}
    tree = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, text=True,
                          env=env, check=False).stdout
    ids = [line.split()[0] for line in tree.splitlines() if line.strip().startswith("0x")]
    mapped = []
    for window in ids:
        info = subprocess.run(["xwininfo", "-id", window], capture_output=True, text=True,
                              env=env, check=False).stdout
        if "Map State: IsViewable" in info:
            mapped.append(window)
    return mapped
