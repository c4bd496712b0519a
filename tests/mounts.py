"""A small filesystem of the tests' own (tmpfs, as root): to fill a disk, or make it read-only.

Skipped, with the reason, where the machine does not let the tests mount one (CI here runs
as root and does). Always unmounted afterwards, whatever the test did.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """`folder` (made if missing) as a tmpfs of `size` (mount's words: 8m, 128m)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700",
                                  "tmpfs", str(folder)], capture_output=True, text=True,
                                 check=False)
    except FileNotFoundError:
        pytest.skip("no mount command here: the tests cannot make a small filesystem")
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=True)


def remount_read_only(folder: Path) -> None:
    """As the kernel does with a failing disk."""
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
    with pytest.raises(OSError) as refused:
        (folder / "probe").touch()
    assert refused.value.errno == errno.EROFS


def fill(disk: Path, *, leave: int = 0) -> Path:
    """Fill `disk` in one go from outside the kiosk, to `leave` bytes free; the filler."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for size in (1 << 20, 65536, 4096, 512, 1):  # big steps, then the crumbs
            try:
                while _free(disk) - size >= leave:
                    handle.write(bytes(size))
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return filler


def _free(disk: Path) -> int:
    stat = os.statvfs(disk)
    return stat.f_bavail * stat.f_frsize
