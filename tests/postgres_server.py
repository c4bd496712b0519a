"""A private PostgreSQL server for the storage tests, from Debian's `postgresql` package.

It lives in a temporary folder, listens on 127.0.0.1 only, trusts local connections and is
stopped (and its folder deleted) when the test session ends. PostgreSQL refuses to run as
root, so under root it runs as the `postgres` user that the Debian package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


@dataclass
class PostgresServer:
    base: Path
    port: int
    bindir: Path
    run_as: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://kiosk@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://kiosk@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"),
             "-m", "immediate", "stop"],
            capture_output=True, check=False,
        )
        shutil.rmtree(self.base, ignore_errors=True)


def _bindir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb) were not found. scripts/test installs them "
            "(Debian package 'postgresql'); run it, or set KIOSK_TEST_POSTGRES_URL."
        )
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_postgres() -> PostgresServer:
    bindir = _bindir()
    base = Path(tempfile.mkdtemp(prefix="kiosk-test-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*run_as, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = (base / "server.log")
            tail = log.read_text()[-2000:] if log.exists() else ""
            shutil.rmtree(base, ignore_errors=True)
            raise PostgresUnavailable(f"{args[0]} failed: {done.stderr or done.stdout}\n{tail}")

    run(str(bindir / "initdb"), "-D", str(base / "data"), "-U", "kiosk", "--auth=trust",
        "-E", "UTF8", "--no-locale", "--no-sync")
    # fsync off: a test server's data need not survive a power cut, and it is much faster.
    run(str(bindir / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "server.log"), "-w",
        "-o", f"-h 127.0.0.1 -p {port} -k {base} -F", "start")
    return PostgresServer(base=base, port=port, bindir=bindir, run_as=run_as)
