"""Files on disk: paths from the database stay inside the recordings root; folders are usable."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.config import load_settings
from kiosk.errors import StorageError, UnsafePathError
from kiosk.store.files import prepare_folders, resolve_recording_path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "recordings"
    folder.mkdir()
    return folder


def test_a_relative_path_resolves_inside_the_root(root: Path) -> None:
    path = resolve_recording_path(root, "abc/interview.mp4")
    assert path == root.resolve() / "abc" / "interview.mp4"


@pytest.mark.parametrize(
    "bad",
    [
        "/etc/passwd",
        "../outside.mp4",
        "abc/../../outside.mp4",
        "abc/./../../x",
        "C:\\Windows\\system.ini",
        "C:relative-to-drive.mp4",
        "\\\\server\\share\\x.mp4",
        "abc\\..\\..\\x.mp4",
        "",
        "a\x00b",
    ],
)
def test_paths_that_would_leave_the_root_are_refused(root: Path, bad: str) -> None:
    with pytest.raises(UnsafePathError):
        resolve_recording_path(root, bad)


def test_a_symbolic_link_out_of_the_root_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.mkdir()
    (root / "session").symlink_to(outside)
    with pytest.raises(UnsafePathError, match="outside the recordings folder"):
        resolve_recording_path(root, "session/interview.mp4")


@given(relative=st.text(max_size=40))
def test_whatever_the_text_the_result_is_inside_the_root_or_refused(relative: str) -> None:
    root = Path("/tmp/kiosk-hypothesis-root")
    try:
        path = resolve_recording_path(root, relative)
    except UnsafePathError:
        return
    assert path.is_relative_to(root.resolve())


def test_folders_are_created_owner_only(tmp_path: Path) -> None:
    settings = load_settings({"KIOSK_DATA_DIR": str(tmp_path / "data")})
    prepare_folders(settings)
    for folder in (settings.data_dir, settings.recordings_dir):
        assert folder.is_dir()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_file_in_the_way_of_the_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    settings = load_settings({"KIOSK_DATA_DIR": str(tmp_path / "data" / "inner")})
    with pytest.raises(StorageError, match=r"data folder .* cannot be written: a file is in"):
        prepare_folders(settings)


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot write to, even as root (then it is made immutable)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    immutable = False
    try:
        (folder / "probe").touch()
    except PermissionError:
        pass
    else:
        (folder / "probe").unlink()
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        immutable = True
    with pytest.raises(PermissionError):
        (folder / "probe").touch()
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o700)


def test_an_unwritable_data_folder_is_a_clear_error(unwritable_folder: Path) -> None:
    settings = load_settings({"KIOSK_DATA_DIR": str(unwritable_folder)})
    with pytest.raises(StorageError, match=r"data folder .* cannot be written.*KIOSK_DATA_DIR"):
        prepare_folders(settings)
