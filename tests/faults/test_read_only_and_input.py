"""A disk gone read-only still gives up its interviews; bad input gets one clear line.

The read-only tests mount a real tmpfs (root can, here and in CI), record a real interview on
it, remount it read-only and run the real `kiosk` command against it, the way IT would on a
booth whose disk the kernel remounted read-only after errors.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.errors import ConfigError, InvalidInputError
from kiosk.store import operators
from kiosk.store.database import open_configured
from kiosk.store.models import Operator, Role
from kiosk.store.operators import add_operator, hash_pin, list_operators
from kiosk.store.review import clean_note_text
from kiosk.store.sessions import clean_candidate_name, clean_position
from tests.engine import quick_interview
from tests.mounts import remount_read_only, tmpfs
from tests.test_upgrade import FIRST_RELEASE_SESSION, first_release_booth

BIDI_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                 "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]
OPERATOR = "Rita Recruiter"
RUN_TIMEOUT_S = 120


def _lines(text: str) -> list[str]:
    return text.strip().splitlines()


# -- a real read-only file system ----------------------------------------------------------

@dataclass
class Disk:
    folder: Path

    def remount_read_only(self) -> None:
        remount_read_only(self.folder)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    """A tmpfs of its own, unmounted afterwards whatever happened."""
    with tmpfs(tmp_path / "disk", "128m") as folder:
        yield Disk(folder)


@dataclass
class Booth:
    env: dict[str, str]
    data_dir: Path
    session_id: str
    sha256: str
    size: int


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def booth_on_disk(request: pytest.FixtureRequest, disk: Disk,
                  monkeypatch: pytest.MonkeyPatch) -> Booth:
    """A data folder on `disk` with one recorded interview and one operator.

    On SQLite the database is the data folder's kiosk.db, so it goes read-only with the disk;
    on PostgreSQL only the folders do.
    """
    data_dir = disk.folder / "data"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data_dir))  # for whatever here looks it up
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    settings = load_settings()
    if request.param == "postgresql":
        env["KIOSK_DATABASE_URL"] = request.getfixturevalue("postgres_url")
        settings = replace(settings, database_url=env["KIOSK_DATABASE_URL"])
    db = open_configured(settings)
    try:
        session_id = quick_interview(db, settings)
        add_operator(db, OPERATOR, Role.RECRUITER, "2468")
    finally:
        db.close()
    recording = settings.recordings_dir / session_id / "interview.mp4"
    return Booth(env=env, data_dir=data_dir, session_id=session_id,
                 sha256=hashlib.sha256(recording.read_bytes()).hexdigest(),
                 size=recording.stat().st_size)


def _kiosk(command: list[str], booth: Booth, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *args], capture_output=True, text=True, env=booth.env,
                          timeout=RUN_TIMEOUT_S, check=False)


def test_a_read_only_booth_lists_shows_verifies_and_exports(
    kiosk_command: list[str], booth_on_disk: Booth, disk: Disk, tmp_path: Path
) -> None:
    booth = booth_on_disk
    disk.remount_read_only()

    listed = _kiosk(kiosk_command, booth, "sessions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [row["session_id"] for row in json.loads(listed.stdout)] == [booth.session_id]

    shown = _kiosk(kiosk_command, booth, "sessions", "show", booth.session_id, "--json")
    assert shown.returncode == 0, shown.stderr
    session = json.loads(shown.stdout)
    assert (session["candidate_name"], session["sha256"]) == ("Ada Lovelace", booth.sha256)

    verified = _kiosk(kiosk_command, booth, "sessions", "verify", booth.session_id)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert _lines(verified.stdout)[-1] == "All good."

    stick = tmp_path / "stick"
    stick.mkdir()
    exported = _kiosk(kiosk_command, booth, "sessions", "export", booth.session_id, str(stick),
                      "--json")
    assert exported.returncode == 0, exported.stderr
    result = json.loads(exported.stdout)
    assert (result["sha256"], result["size"]) == (booth.sha256, booth.size)
    assert hashlib.sha256(Path(result["video"]).read_bytes()).hexdigest() == booth.sha256
    assert json.loads(Path(result["sidecar"]).read_text())["session_id"] == booth.session_id
    # Where the database cannot be written either, the export says it is not in the audit log.
    if "KIOSK_DATABASE_URL" in booth.env:
        assert exported.stderr == ""
    else:
        assert len(_lines(exported.stderr)) == 1 and "audit log" in exported.stderr

    operators = _kiosk(kiosk_command, booth, "operators", "list", "--json")
    assert operators.returncode == 0, operators.stderr
    assert [o["name"] for o in json.loads(operators.stdout)] == [OPERATOR]


def test_doctor_reads_a_read_only_booth_and_names_what_cannot_be_written(
    kiosk_command: list[str], booth_on_disk: Booth, disk: Disk
) -> None:
    booth = booth_on_disk
    disk.remount_read_only()
    done = _kiosk(kiosk_command, booth, "doctor", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["database_readable"] and report["audit_chain_ok"]
    assert not report["recordings_writable"]
    assert report["rows_without_files"] == [] and report["files_without_rows"] == []
    assert any("cannot be written" in problem for problem in report["problems"])


@pytest.mark.parametrize("args", [("record", "--demo", "--seconds", "1"),
                                  ("sessions", "add", "Grace Hopper"),
                                  ("operators", "add", "Omar")])
def test_what_must_write_refuses_in_one_line_on_a_read_only_booth(
    kiosk_command: list[str], booth_on_disk: Booth, disk: Disk, args: tuple[str, ...]
) -> None:
    booth = booth_on_disk
    disk.remount_read_only()
    done = subprocess.run([*kiosk_command, *args], capture_output=True, text=True,
                          env=booth.env, input="13579\n", timeout=RUN_TIMEOUT_S, check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert len(_lines(done.stderr)) == 1, done.stderr
    assert "read-only" in done.stderr and "cannot be written" in done.stderr


def test_work_a_crash_left_in_the_wal_is_read_from_a_read_only_disk(
    kiosk_command: list[str], disk: Disk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel remounts the disk while the kiosk runs: the last commits are in kiosk.db-wal."""
    data_dir = disk.folder / "data"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data_dir))
    settings = load_settings()
    db = open_configured(settings)
    try:
        recorded = quick_interview(db, settings)
    finally:
        db.close()
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from kiosk.config import load_settings
            from kiosk.store.database import open_configured
            from kiosk.store.sessions import create_session
            db = open_configured(load_settings({{"KIOSK_DATA_DIR": {str(data_dir)!r}}}))
            with db.session() as s, s.begin():
                print(create_session(s, "Only In The WAL").id, flush=True)
            time.sleep(600)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        in_wal = writer.stdout.readline().strip()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    wal = data_dir / "kiosk.db-wal"
    assert wal.stat().st_size > 0 and (data_dir / "kiosk.db-shm").exists()
    disk.remount_read_only()

    booth = Booth(env={**os.environ, "KIOSK_DATA_DIR": str(data_dir)}, data_dir=data_dir,
                  session_id=recorded, sha256="", size=0)
    listed = _kiosk(kiosk_command, booth, "sessions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {row["session_id"] for row in json.loads(listed.stdout)} == {recorded, in_wal}


def test_a_read_only_database_that_needs_an_upgrade_says_so_and_how(
    kiosk_command: list[str], disk: Disk, tmp_path: Path
) -> None:
    data_dir = first_release_booth(disk.folder / "data")
    disk.remount_read_only()
    booth = Booth(env={**os.environ, "KIOSK_DATA_DIR": str(data_dir),
                       "QT_QPA_PLATFORM": "offscreen"},
                  data_dir=data_dir, session_id="", sha256="", size=0)
    done = _kiosk(kiosk_command, booth, "sessions", "list")
    assert done.returncode == 1 and done.stdout == ""
    assert len(_lines(done.stderr)) == 1
    assert "0001" in done.stderr and "upgrade" in done.stderr and "read-only" in done.stderr
    assert "KIOSK_DATABASE_URL" in done.stderr

    # What it says to do: the database file alone, copied; the recordings stay read-only.
    copy = tmp_path / "rescue" / "kiosk.db"
    copy.parent.mkdir()
    shutil.copy(data_dir / "kiosk.db", copy)
    booth.env["KIOSK_DATABASE_URL"] = f"sqlite:///{copy}"
    verified = _kiosk(kiosk_command, booth, "sessions", "verify", FIRST_RELEASE_SESSION)
    assert verified.returncode == 0, verified.stdout + verified.stderr


# -- the database URL ----------------------------------------------------------------------

@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite+pysqlite:///:memory:",
                                 "sqlite:///file::memory:?cache=shared&uri=true",
                                 "sqlite:///file:booth?mode=memory&uri=true"])
def test_an_in_memory_database_is_refused_from_the_environment(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^KIOSK_DATABASE_URL .*in-memory.*empty database"):
        load_settings({"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_DATABASE_URL": url})


def test_an_in_memory_database_is_refused_from_the_settings_file(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text('database_url = "sqlite:///:memory:"\n')
    assert main(["sessions", "list"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(_lines(err)) == 1
    assert f"database_url in {data_dir / 'kiosk.toml'}" in err and "in-memory" in err


# -- arguments that are not text -----------------------------------------------------------

def test_an_argument_that_is_not_utf8_is_refused_in_one_line(
    kiosk_command: list[str], data_dir: Path
) -> None:
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir)}
    done = subprocess.run([*map(os.fsencode, kiosk_command), b"sessions", b"add", b"\xff\xfe"],
                          capture_output=True, env=env, timeout=RUN_TIMEOUT_S, check=False)
    err = done.stderr.decode()
    assert done.returncode == 1 and done.stdout == b""
    assert len(_lines(err)) == 1, err
    assert "not valid text" in err and r"'\xff\xfe'" in err
    listed = subprocess.run([*kiosk_command, "sessions", "list", "--json"], capture_output=True,
                            text=True, env=env, timeout=RUN_TIMEOUT_S, check=False)
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


def test_an_option_value_that_is_not_utf8_is_named(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sessions", "add", "Zoë", "--position", "Ana\udcfflyst"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(_lines(err)) == 1
    assert "not valid text" in err and r"'Ana\xfflyst'" in err


def test_lone_surrogates_are_not_a_name() -> None:
    with pytest.raises(InvalidInputError, match="not valid text"):
        clean_candidate_name("Ada \udcff")
    with pytest.raises(InvalidInputError, match="not valid text"):
        clean_position("\ud800")


# -- text-direction controls ---------------------------------------------------------------

@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_text_direction_controls_are_refused_where_text_is_cleaned(control: str) -> None:
    text = f"Ada{control} Lovelace"
    for clean in (clean_candidate_name, clean_position, clean_note_text):
        with pytest.raises(InvalidInputError, match=f"direction.*U\\+{ord(control):04X}"):
            clean(text)


def test_joiners_and_right_to_left_scripts_stay_allowed() -> None:
    for text in ("👩🏽‍💻 Ada", "محمد الأحمد", "渡辺 麻衣", "Zero\u200cwidth non-joiner"):
        assert clean_candidate_name(text) == text
        assert clean_position(text) == text
        assert clean_note_text(text) == text


def test_an_operator_name_with_a_direction_control_is_refused(booth_db) -> None:
    _, db = booth_db
    with pytest.raises(InvalidInputError, match="direction"):
        add_operator(db, "Rita\u202e", Role.RECRUITER, "2468")
    assert list_operators(db) == []


# -- operator names that are the same person -----------------------------------------------

def _fullwidth(ascii_letters: str) -> str:
    """The same letters as a CJK keyboard's full-width mode types them (U+FF21...)."""
    return "".join(chr(ord(ch) + 0xFEE0) for ch in ascii_letters)


def test_operator_names_are_unique_regardless_of_case_and_width(booth_db) -> None:
    _, db = booth_db
    add_operator(db, "alice", Role.RECRUITER, "2468")
    for same in ("Alice", "ALICE", _fullwidth("alice"), _fullwidth("Alice")):
        with pytest.raises(InvalidInputError, match="already an operator called 'alice'"):
            add_operator(db, same, Role.ADMIN, "13579")
    add_operator(db, "Alicé", Role.RECRUITER, "2468")  # another letter, another person
    assert sorted(o.name for o in list_operators(db)) == ["Alicé", "alice"]


def test_two_booths_adding_the_same_person_at_once_add_one(booth_db) -> None:
    """Another booth is between its name check and its commit: this one's add waits for it."""
    _, db = booth_db
    outcome: list[object] = []

    def add_the_same_person() -> None:
        try:
            outcome.append(add_operator(db, "BOB", Role.RECRUITER, "2468"))
        except InvalidInputError as exc:
            outcome.append(exc)

    with db.session() as other_booth, other_booth.begin():
        operators._one_adder_at_a_time(other_booth)
        other_booth.add(Operator(name="bob", role=Role.RECRUITER, pin_hash=hash_pin("2468"),
                                 failed_attempts=0))
        other_booth.flush()
        worker = threading.Thread(target=add_the_same_person)
        worker.start()
        worker.join(1.5)
        assert worker.is_alive(), f"did not wait for the other booth: {outcome}"
    worker.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], InvalidInputError), outcome
    assert "already an operator called 'bob'" in str(outcome[0])
    assert [o.name for o in list_operators(db)] == ["bob"]


def test_the_command_line_refuses_a_second_alice(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["operators", "add", "alice"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["operators", "add", _fullwidth("ALICE")]) == 1
    err = capsys.readouterr().err
    assert len(_lines(err)) == 1 and "already an operator called 'alice'" in err


# -- kiosk sessions verify ----------------------------------------------------------------

@dataclass
class Recorded:
    env: dict[str, str]
    session_id: str
    video: Path
    poster: Path
    size: int
    sha256: str


@pytest.fixture
def recorded(data_dir: Path) -> Recorded:
    settings = load_settings()
    db = open_configured(settings)
    try:
        session_id = quick_interview(db, settings)
    finally:
        db.close()
    folder = settings.recordings_dir / session_id
    video = folder / "interview.mp4"
    return Recorded(env={**os.environ, "KIOSK_DATA_DIR": str(data_dir),
                         "QT_QPA_PLATFORM": "offscreen"},
                    session_id=session_id, video=video, poster=folder / "poster.jpg",
                    size=video.stat().st_size,
                    sha256=hashlib.sha256(video.read_bytes()).hexdigest())


def _verify(recorded: Recorded) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "sessions", "verify",
                           recorded.session_id], capture_output=True, text=True,
                          env=recorded.env, timeout=RUN_TIMEOUT_S, check=False)


def test_verify_says_what_was_recorded_of_a_missing_file(recorded: Recorded) -> None:
    recorded.video.unlink()
    done = _verify(recorded)
    assert done.returncode == 1 and done.stderr == ""
    lines = _lines(done.stdout)
    assert f"Size:          {recorded.size} bytes recorded; the file is missing" in lines
    assert (f"Checksum:      recorded (sha256 {recorded.sha256[:12]}…); the file is missing"
            in lines)
    assert "Plays:         NO (the file is missing)" in lines
    assert f"Problem: The recording {recorded.video} is missing." in lines
    assert not any("not recorded" in line for line in lines)
    assert len(lines) <= 7


def test_verify_names_a_missing_poster(recorded: Recorded) -> None:
    recorded.poster.unlink()
    done = _verify(recorded)
    assert done.returncode == 1 and done.stderr == ""
    lines = _lines(done.stdout)
    assert "Size:          matches" in lines and "Checksum:      matches" in lines
    assert f"Poster:        MISSING ({recorded.poster})" in lines
    assert any(line.startswith(f"Problem: The poster {recorded.poster} is missing")
               for line in lines)
    assert len(lines) <= 7


def test_verify_of_a_damaged_file_keeps_decoder_noise_out(recorded: Recorded) -> None:
    data = bytearray(recorded.video.read_bytes())
    third = len(data) // 3
    data[third:2 * third] = bytes(third)
    recorded.video.write_bytes(bytes(data))
    done = _verify(recorded)
    assert done.returncode == 1
    lines = _lines(done.stdout)
    assert "Size:          matches" in lines and "Checksum:      DIFFERS" in lines
    assert any("checksum differs" in line for line in lines)
    assert _lines(done.stderr) == [], done.stderr
    assert len(lines) <= 7
