"""Choosing where an export goes: a USB stick first.

A booth may run without a window manager, so the dialog says what it is for in a heading of
its own, not only in a title bar nobody sees. The drives that look removable (a USB stick,
an SD card), ready and writable, come first in its list of places, and it opens on the
first of them; with none it says to plug one in, and it keeps looking while it is open, so
a stick plugged in then is found and opened. Any other folder can still be chosen (a share
that IT mounted, say). Nothing can be deleted or renamed from it: an export needs neither.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStorageInfo, Qt, QTimer, QUrl
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QVBoxLayout, QWidget

from kiosk.ui.formatting import file_size
from kiosk.ui.recruiter.style import apply_recruiter_style

TITLE = "Export the interview"
# Often enough that a stick plugged in shows up while the recruiter looks; reading the
# mount table costs next to nothing.
LOOK_AGAIN_MS = 1500
# Where desktops and udisks mount removable media (/media/<user>/<label>,
# /run/media/<user>/<label>), and where IT mounts a stick by hand.
LINUX_REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/")
WINDOWS_DRIVE_REMOVABLE = 2  # GetDriveTypeW: a USB stick, a card reader


@dataclass(frozen=True)
class Drive:
    root: Path
    name: str
    free_bytes: int


def removable_drives() -> list[Drive]:
    """The mounted drives that look like a USB stick, ready and writable, as the system
    lists them."""
    found = []
    for volume in QStorageInfo.mountedVolumes():
        if not volume.isValid() or not volume.isReady() or volume.isReadOnly():
            continue
        root = volume.rootPath()
        device = volume.device().data().decode("utf-8", "replace")
        if not _removable(root, device) or not os.access(root, os.W_OK):
            continue
        found.append(Drive(root=Path(root), name=volume.displayName() or Path(root).name,
                           free_bytes=volume.bytesAvailable()))
    return found


def mounted_like_a_stick(root: str, device: str) -> bool:
    """On Linux: mounted where removable media go (not the folder itself), or a block
    device that the kernel says is removable or sits on USB, wherever it is mounted."""
    if any(root.startswith(prefix) and len(root) > len(prefix)
           for prefix in LINUX_REMOVABLE_ROOTS):
        return True
    return _linux_block_device_is_removable(device)


def _removable(root: str, device: str) -> bool:
    if sys.platform == "win32":
        return ctypes.windll.kernel32.GetDriveTypeW(root) == WINDOWS_DRIVE_REMOVABLE
    if sys.platform == "darwin":
        return root.startswith("/Volumes/")
    return mounted_like_a_stick(root, device)


def _linux_block_device_is_removable(device: str) -> bool:
    if not device.startswith("/dev/"):
        return False  # tmpfs, overlay, a network share
    try:
        block = (Path("/sys/class/block") / Path(device).resolve().name).resolve(strict=True)
        disk = block.parent if (block / "partition").exists() else block
        flagged = (disk / "removable").read_text().strip() == "1"
    except OSError:
        return False
    return flagged or "/usb" in block.as_posix()


class ExportDialog(QDialog):
    """Accepted with `folder` set to where the export goes; rejected, `folder` is None."""

    def __init__(self, parent: QWidget | None = None, *,
                 drives: Callable[[], list[Drive]] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        apply_recruiter_style(self)
        self.setWindowTitle(TITLE)
        self.setModal(True)
        self._drives = drives or removable_drives
        self._listed: tuple[Path, ...] | None = None
        self.folder: Path | None = None

        self.heading = QLabel(TITLE, objectName="sectionTitle")
        self.hint = QLabel(objectName="muted")
        self.hint.setWordWrap(True)
        # Qt's own file browser, without its window: the places, the folders, "Export here".
        self.browser = QFileDialog(self)
        self.browser.setWindowFlags(Qt.WindowType.Widget)
        self.browser.setOption(QFileDialog.Option.DontUseNativeDialog)
        self.browser.setOption(QFileDialog.Option.ShowDirsOnly)
        self.browser.setOption(QFileDialog.Option.ReadOnly)
        self.browser.setFileMode(QFileDialog.FileMode.Directory)
        self.browser.setViewMode(QFileDialog.ViewMode.List)  # names only: big enough to tap
        self.browser.setLabelText(QFileDialog.DialogLabel.LookIn, "Folder")
        self.browser.setLabelText(QFileDialog.DialogLabel.FileName, "Export to")
        self.browser.setLabelText(QFileDialog.DialogLabel.Accept, "Export here")
        self.browser.accepted.connect(self._chosen)
        self.browser.rejected.connect(self.reject)
        # Folders are all it offers, so its "Files of type" row says nothing (Qt's own
        # names for that row's widgets; where they differ, the row stays).
        for name in ("fileTypeCombo", "fileTypeLabel"):
            row = self.browser.findChild(QWidget, name)
            if row is not None:
                row.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.browser, stretch=1)

        screen = parent.window().size() if parent is not None else None
        width, height = 1000, 660
        if screen is not None and screen.width() > 0:
            width, height = min(width, screen.width() - 60), min(height, screen.height() - 60)
        self.resize(width, height)

        self.look_again()
        self._timer = QTimer(self, interval=LOOK_AGAIN_MS)
        self._timer.timeout.connect(self.look_again)
        self._timer.start()

    def look_again(self) -> None:
        """Read the drives again; one that came since is listed first and opened."""
        drives = self._drives()
        roots = tuple(drive.root for drive in drives)
        if roots == self._listed:
            return
        first_look, before = self._listed is None, set(self._listed or ())
        self._listed = roots
        self.browser.setSidebarUrls([QUrl.fromLocalFile(str(root)) for root in roots]
                                    + [QUrl.fromLocalFile(str(Path.home()))])
        self.hint.setText(_hint(drives))
        # With no stick, what to do stands out; with one, it is a line of information.
        self.hint.setObjectName("muted" if drives else "notice")
        self.hint.style().unpolish(self.hint)
        self.hint.style().polish(self.hint)
        came = [root for root in roots if root not in before]
        current = Path(self.browser.directory().absolutePath())
        if came and (first_look or not before):
            self.browser.setDirectory(str(came[0]))
        elif first_look or not current.is_dir():  # none yet, or the stick was pulled out
            self.browser.setDirectory(str(roots[0] if roots else Path.home()))

    def _chosen(self) -> None:
        chosen = self.browser.selectedFiles()
        if not chosen:
            self.reject()
            return
        self.folder = Path(chosen[0])
        self.accept()

    def done(self, result: int) -> None:
        self._timer.stop()
        super().done(result)


def _hint(drives: list[Drive]) -> str:
    if not drives:
        return ("Plug in a USB stick: it appears here and opens by itself. Or choose "
                "another folder below.")
    sticks = ", ".join(f"{drive.name} ({file_size(drive.free_bytes)} free)" for drive in drives)
    if len(drives) == 1:
        return f"USB stick {sticks}: it is open below. Choose Export here, or a folder on it."
    return (f"USB sticks {sticks}: listed first on the left, the first one open below. Choose "
            f"Export here, or another folder.")
