"""A live IP camera on loopback, with the clapper's beeps played into the microphone's sink.

One ffmpeg process makes both halves of the synthetic clapper (kiosk.capture.synthetic: a
white frame and a 100 ms 1 kHz beep at source time 1 s, 3 s, 5 s, ...) from lavfi at its own
rate (-re). The picture goes out as H.264 (-tune zerolatency, a keyframe a second, like an
IP camera) in MPEG-TS over UDP; the sound goes as raw PCM through a pipe into `pacat`, which
plays it into the null sink of tests.pulse, whose monitor is what the booth's microphone
(sounddevice through ALSA) hears.

The two halves leave in step only if nothing holds one back:
- ffmpeg's -re reads its first half second at full speed unless told otherwise (and 0 means
  "the default" there, hence a millisecond);
- an idle null sink sleeps in blocks of two seconds: whatever is played before it wakes
  waits, and stays that late for good. It is woken (its monitor gives data) first;
- the pipe to pacat is one page, so a stalled sound path stalls the sender as a whole
  rather than queueing sound, and -readrate_catchup then brings the picture back onto the
  sender's clock, as a real camera's capture clock never stops;
- the sender and the sound path run ahead of the booth (nice): a real camera and a real
  room do not wait for the booth's CPU, nor for the other tests on a busy machine.

What the sender really did is measured on every run, apart from the booth's code: a second
copy of the stream (tee) comes to a socket here, stamped by the kernel on arrival, and a
reader on the sink's monitor (parec) finds the beeps. A flash is due on the wire at the
sender's clock (the least-delayed frame places it) and its beep is heard when the sink has
it; their difference is the sender's own offset, which a busy machine moves (a sound path
that runs dry plays the rest later). The booth's offset is the recorded one minus that.

Loopback has no network jitter, which a Wi-Fi or IP camera's path has. With `--jitter` the
booth's copy of the stream goes through a JitterRelay on loopback: every datagram forwarded
in order, the link stalling for 60-150 ms every 0.5-1 s (seeded) and releasing what queued
at once. The wire tap still gets the sender's own copy, so the sender's figures stay its own.
Frames stamped by their PTS come through such bursts in place; frames stamped when they are
read do not (a flash that was held is stamped that much late).

Even without jitter the booth's offset is not zero but a steady ~75 ms: the camera's own
pipeline delay (an MPEG-TS video packet is complete only when the next one starts, and the
H.264 parser holds a frame: about two frames at 25 fps). A booth corrects it once with
`[recording] av_offset_ms` (`--av-offset-ms`).

Run as a benchmark, `python -m tests.network_camera [--json] [--seconds N]
[--stamping device|read] [--av-offset-ms MS] [--jitter [SEED]]` records one answer through
the real engine from a stream it has joined mid-way (OpenCVCamera on the udp:// URL,
SoundDeviceMicrophone on the null sink, PartRecorder, merge_parts), measures every
flash/beep pair with kiosk.media.clapper and prints the figures;
tests/test_network_camera_sync.py runs exactly that.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import queue
import random
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.capture.frames import AudioBlock, VideoFrame
from kiosk.capture.synthetic import (
    BEEP_AMPLITUDE,
    BEEP_HZ,
    BEEP_S,
    FLASH_FIRST_S,
    FLASH_PERIOD_S,
)
from kiosk.media.clapper import WHITE_LUMA
from kiosk.media.ffmpeg import ffmpeg_exe

REPO = Path(__file__).resolve().parents[1]
STREAM_FPS = 25
RECORD_FPS = 30.0
WIDTH, HEIGHT = 640, 360
SAMPLE_RATE = 48_000
JOIN_AFTER_S = 1.5  # the booth joins a stream that is already running
ANSWER_S = 9.0
SINK_LATENCY_MS = 50  # pacat's buffer: 20 ms runs dry now and then on a busy machine
SINK_WAKE_TIMEOUT_S = 5.0  # an idle null sink answers within two seconds
MPEGTS_PACKET = 188
PTS_WRAP = 2**33  # MPEG-TS times are 33 bits of 90 kHz: they wrap every 26.5 hours
PTS_HZ = 90_000
PIPE_PAGE = 4096
SENDER_NICENESS = -10
# The jitter relay (--jitter): a Wi-Fi link that stalls for 60-150 ms every 0.5-1 s, and
# holds each datagram up to 3 ms otherwise.
STALL_EVERY_S = (0.5, 1.0)
STALL_S = (0.060, 0.150)
PACKET_JITTER_S = 0.003
JITTER_SEED = 7
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux's; Python 3.11 lacks the name
# Joined mid-GOP, the decoder reports each frame before the first keyframe: expected here.
FFMPEG_QUIET = {"OPENCV_FFMPEG_LOGLEVEL": "8"}


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clapper_graph(fps: int = STREAM_FPS) -> str:
    """lavfi: a dark moving pattern with a white frame at each flash, and the beeps."""
    first, period = round(FLASH_FIRST_S * fps), round(FLASH_PERIOD_S * fps)
    assert (first, period) == (FLASH_FIRST_S * fps, FLASH_PERIOD_S * fps), "flashes off-grid"
    flash = f"gte(n,{first})*not(mod(n-{first},{period}))"
    beep = (f"{BEEP_AMPLITUDE / 32767:.4f}*sin(2*PI*{BEEP_HZ:g}*t)*gte(t,{FLASH_FIRST_S:g})"
            f"*lt(mod(t-{FLASH_FIRST_S:g},{FLASH_PERIOD_S:g}),{BEEP_S:g})")
    # 10 ms audio frames: -re paces the pictures between them, and 1024 samples (the
    # default) would make a 21 ms sawtooth of the frame times.
    return (f"testsrc2=s={WIDTH}x{HEIGHT}:r={fps},lutyuv=y=val*0.4,"
            f"drawbox=x=0:y=0:w=iw:h=ih:c=white:t=fill:enable='{flash}'[out0];"
            f"aevalsrc='{beep}':s={SAMPLE_RATE}:c=mono:n=480[out1]")


def sender_command(camera_port: int, tap_port: int, *, pts_offset_s: float = 0.0) -> list[str]:
    udp = "udp://127.0.0.1:{}?pkt_size=1316"
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
        "-re", "-readrate_initial_burst", "0.001", "-readrate_catchup", "10",
        "-f", "lavfi", "-i", clapper_graph(),
        "-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
        "-g", str(STREAM_FPS), "-pix_fmt", "yuv420p", "-output_ts_offset", f"{pts_offset_s:.6f}",
        "-f", "tee", f"[f=mpegts]{udp.format(camera_port)}|[f=mpegts]{udp.format(tap_port)}",
        "-map", "0:a", "-ac", "1", "-f", "s16le", "pipe:1",
    ]


class WireTap:
    """The stream's second copy: when each frame's first packet arrived, with its PTS."""

    def __init__(self) -> None:
        self._socket = _stamped_socket()
        self.port: int = self._socket.getsockname()[1]
        self.frames: list[tuple[float, int]] = []  # (monotonic arrival, 90 kHz PTS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wire tap", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()

    def _run(self) -> None:
        for data, arrived in _datagrams(self._socket, self._stop):
            for start in range(0, len(data) - MPEGTS_PACKET + 1, MPEGTS_PACKET):
                pts = _video_pts(data[start:start + MPEGTS_PACKET])
                if pts is not None:
                    self.frames.append((arrived, pts))

    def _delays(self) -> list[tuple[float, float]]:
        """(arrival, arrival - source time). The tap listens before the sender starts, so
        the first PTS is source time 0."""
        origin = self.frames[0][1] if self.frames else 0
        return [(arrived, arrived - ((pts - origin) % PTS_WRAP) / PTS_HZ)
                for arrived, pts in self.frames]

    def epoch(self) -> float | None:
        """When source time 0 was on the wire: the least-delayed frame says it."""
        return min((delay for _, delay in self._delays()), default=None)

    def largest_delay_s(self, since: float) -> float:
        """How far the sender fell behind its own clock, at worst, from `since` on."""
        epoch = self.epoch()
        return max((delay - epoch for arrived, delay in self._delays()
                    if epoch is not None and arrived >= since), default=0.0)


def _stamped_socket() -> socket.socket:
    """A UDP socket on loopback whose datagrams carry the kernel's receive time."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.settimeout(0.2)
    return sock


def _receive_stamped(sock: socket.socket, realtime_to_monotonic: float) -> tuple[bytes, float]:
    """A datagram and when it arrived (monotonic), by the kernel's receive time: the thread
    that reads it may wait for the GIL while the booth records."""
    size = struct.calcsize("qq")
    data, ancillary, _, _ = sock.recvmsg(65536, socket.CMSG_SPACE(size))
    arrived = time.monotonic()
    for level, kind, value in ancillary:
        if (level, kind) == (socket.SOL_SOCKET, SO_TIMESTAMPNS):
            seconds, nanoseconds = struct.unpack("qq", value[:size])
            arrived = seconds + nanoseconds * 1e-9 + realtime_to_monotonic
    return data, arrived


def _datagrams(sock: socket.socket, stop: threading.Event) -> Iterator[tuple[bytes, float]]:
    """Every datagram with its arrival time (see _receive_stamped) until `stop` is set; the
    socket's timeout is how often `stop` is looked at."""
    realtime_to_monotonic = time.monotonic() - time.time()
    while not stop.is_set():
        try:
            yield _receive_stamped(sock, realtime_to_monotonic)
        except TimeoutError:
            continue


class JitterRelay:
    """The network between a Wi-Fi camera and the booth: every datagram is forwarded to
    `target_port` in the order it came, each held for a while. Now and then the link stalls
    (STALL_EVERY_S apart, STALL_S long, as a Wi-Fi link does on a retry storm, a channel scan
    or a neighbour's burst) and what queued meanwhile is released at once when it comes back;
    otherwise a datagram waits up to PACKET_JITTER_S. Nothing overtakes: each leaves at
    max(the previous one's release, its arrival + its delay).

    The stalls are seeded and timed from the first datagram (the stream's source time 0), so
    a seed puts them at the same moments of the stream on every run. It runs in a process of
    its own (RelayProcess): a network does not share the booth's GIL.
    """

    def __init__(self, target_port: int, seed: int = 0) -> None:
        self._socket = _stamped_socket()
        self.port: int = self._socket.getsockname()[1]
        self._target = ("127.0.0.1", target_port)
        self._stalls_random = random.Random(seed)  # apart: the stalls' times, whatever the
        self._packets_random = random.Random(~seed)  # number of datagrams in between
        self._origin: float | None = None
        self._stall = (0.0, 0.0)  # the current or next stall, seconds from the origin
        self._released = 0.0
        self.stalls: list[tuple[float, float]] = []  # the stalls so far, from the origin
        self.held_s = 0.0  # the longest a datagram was held
        self._queue: queue.SimpleQueue[tuple[float, bytes] | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._receive, name="relay in", daemon=True),
                         threading.Thread(target=self._send, name="relay out", daemon=True)]
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        self._stop.set()
        self._queue.put(None)
        for thread in self._threads:
            thread.join(5)
        self._socket.close()

    def _delay(self, arrived: float) -> float:
        """How long a datagram that arrived at `arrived` (from the origin) is held."""
        while arrived >= self._stall[1]:
            start = self._stall[1] + self._stalls_random.uniform(*STALL_EVERY_S)
            self._stall = (start, start + self._stalls_random.uniform(*STALL_S))
            self.stalls.append(self._stall)
        start, end = self._stall
        if arrived >= start:
            return end - arrived
        return self._packets_random.uniform(0, PACKET_JITTER_S)

    def _receive(self) -> None:
        for data, arrived in _datagrams(self._socket, self._stop):
            if self._origin is None:
                self._origin = arrived
            since = arrived - self._origin
            self._released = max(self._released, since + self._delay(since))
            self.held_s = max(self.held_s, self._released - since)
            self._queue.put((self._origin + self._released, data))

    def _send(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
            while (item := self._queue.get()) is not None:
                release, data = item
                if (wait := release - time.monotonic()) > 0:
                    time.sleep(wait)
                with suppress(OSError):  # nobody listening yet: the booth has not joined
                    out.sendto(data, self._target)


class RelayProcess:
    """A JitterRelay in a process of its own, ahead of the booth like the sender; its stalls
    and the longest hold are known once it is closed."""

    def __init__(self, target_port: int, seed: int) -> None:
        code = "import sys; from tests.network_camera import _relay_child; _relay_child(sys.argv)"
        self._process = subprocess.Popen(
            _ahead_of_the_booth([sys.executable, "-c", code, str(target_port), str(seed)]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.strip().isdigit():
            _end(self._process)
            raise RuntimeError(f"The jitter relay did not start: {line!r}")
        self.port = int(line)
        self.stalls: list[tuple[float, float]] = []
        self.held_s = 0.0

    def close(self) -> None:
        try:
            out, _ = self._process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            _end(self._process)
            return
        report = json.loads(out.splitlines()[-1])
        self.stalls = [(a, b) for a, b in report["stalls"]]
        self.held_s = report["held_s"]


def _relay_child(argv: list[str]) -> None:
    """RelayProcess's side: the port on a line, then forward until stdin closes, then the
    stalls and the longest hold as JSON."""
    relay = JitterRelay(int(argv[1]), int(argv[2]))
    print(relay.port, flush=True)
    sys.stdin.read()
    relay.close()
    print(json.dumps({"stalls": relay.stalls, "held_s": relay.held_s}), flush=True)


def _video_pts(packet: bytes) -> int | None:
    """The PTS of a transport packet that starts a video PES, else None."""
    if packet[0] != 0x47 or not packet[1] & 0x40:
        return None
    offset = 4 + (1 + packet[4] if packet[3] & 0x20 else 0)
    header = packet[offset:offset + 14]
    if len(header) < 14 or header[:3] != b"\0\0\1" or header[3] & 0xF0 != 0xE0:
        return None
    if not header[7] & 0x80:
        return None
    b = header[9:14]
    return ((b[0] >> 1) & 7) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1


class SinkMonitor:
    """A reader on the null sink's monitor: when what was played there could be heard."""

    def __init__(self, env: dict[str, str]) -> None:
        self._process = subprocess.Popen(_ahead_of_the_booth(
            ["parec", "--raw", "--format=s16le", f"--rate={SAMPLE_RATE}", "--channels=1",
             "--latency-msec=10"]), env=env, stdout=subprocess.PIPE)
        self._chunks: list[bytes] = []
        self._arrivals: list[tuple[float, int]] = []  # (monotonic, samples up to then)
        self.awake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sink monitor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._process.stdout is not None
        total = 0
        while chunk := self._process.stdout.read1(65536):
            total += len(chunk) // 2
            self._arrivals.append((time.monotonic(), total))
            self._chunks.append(chunk)
            self.awake.set()

    def close(self) -> None:
        _end(self._process)
        self._thread.join(5)

    def beep_times(self) -> list[float]:
        """Each beep's onset, monotonic. A chunk can come late but never early, so the
        least (arrival - samples so far) says when sample 0 was there."""
        if not self._arrivals:
            return []
        arrivals = np.array(self._arrivals)
        zero = float(np.min(arrivals[:, 0] - arrivals[:, 1] / SAMPLE_RATE))
        samples = np.frombuffer(b"".join(self._chunks), np.int16).astype(np.int32)
        onsets: list[int] = []
        for index in np.flatnonzero(np.abs(samples) > BEEP_AMPLITUDE / 2):
            if not onsets or index - onsets[-1] > FLASH_PERIOD_S * SAMPLE_RATE / 2:
                onsets.append(int(index))
        return [zero + index / SAMPLE_RATE for index in onsets]


@dataclass
class SenderCheck:
    tap: WireTap
    monitor: SinkMonitor

    def flash_near(self, moment: float) -> tuple[float, float] | None:
        """(due, heard) of the flash nearest monotonic `moment`: when its frame was due on
        the wire and when the sink had its beep."""
        epoch = self.tap.epoch()
        if epoch is None:
            return None
        k = round((moment - epoch - FLASH_FIRST_S) / FLASH_PERIOD_S)
        due = epoch + FLASH_FIRST_S + k * FLASH_PERIOD_S
        heard = [t for t in self.monitor.beep_times() if abs(t - due) < FLASH_PERIOD_S / 4]
        return (due, heard[0]) if heard and abs(moment - due) < FLASH_PERIOD_S / 2 else None


@dataclass
class NetworkCamera:
    url: str
    check: SenderCheck
    relay: RelayProcess | None = None


@contextmanager
def network_camera(env: dict[str, str], *, pts_offset_s: float = 0.0,
                   jitter_seed: int | None = None) -> Iterator[NetworkCamera]:
    """A live stream at `url`, its beeps played into the null sink that `env` reaches; with
    a `jitter_seed`, through a JitterRelay (the wire tap still gets the sender's own copy)."""
    with ExitStack() as stack:
        monitor = SinkMonitor(env)
        stack.callback(monitor.close)
        read_end, write_end = os.pipe()
        stack.callback(os.close, write_end)
        try:
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_PAGE)
            player = subprocess.Popen(_ahead_of_the_booth(
                ["pacat", "--raw", "--format=s16le", f"--rate={SAMPLE_RATE}", "--channels=1",
                 f"--latency-msec={SINK_LATENCY_MS}"]), env=env, stdin=read_end)
        finally:
            os.close(read_end)
        stack.callback(_end, player)
        if not monitor.awake.wait(SINK_WAKE_TIMEOUT_S):
            raise RuntimeError("The null sink's monitor gave no sound: is PulseAudio running?")
        tap = WireTap()
        stack.callback(tap.close)
        camera_port = free_udp_port()
        relay = None if jitter_seed is None else RelayProcess(camera_port, jitter_seed)
        if relay is not None:
            stack.callback(relay.close)
        sender = subprocess.Popen(
            _ahead_of_the_booth(sender_command(camera_port if relay is None else relay.port,
                                               tap.port, pts_offset_s=pts_offset_s)),
            stdout=write_end, stdin=subprocess.DEVNULL)
        stack.callback(_end, sender)
        yield NetworkCamera(f"udp://127.0.0.1:{camera_port}", SenderCheck(tap, monitor), relay)


def _ahead_of_the_booth(command: list[str]) -> list[str]:
    """A real camera and a real room do not wait for the booth's CPU: the sender and the
    sound path run before it, and before whatever else the machine runs (where allowed;
    `nice` says so and runs it anyway where not)."""
    return ["nice", "-n", str(SENDER_NICENESS), *command]


def _end(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(5)


class Watched:
    """A camera or microphone as the booth's engine sees it, noting where its stamps put each
    flash or beep; everything else goes to the source itself."""

    def __init__(self, source: Any) -> None:
        self._source = source
        self.stamps: list[float] = []
        self._loud_until = -1e9

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def read(self) -> Any:
        item = self._source.read()
        if isinstance(item, VideoFrame):
            if float(item.image[::16, ::16].mean()) > WHITE_LUMA:
                self._onset(item.t, item.t)
        elif isinstance(item, AudioBlock):
            loud = np.flatnonzero(np.abs(item.samples.astype(np.int32)) > BEEP_AMPLITUDE / 2)
            if len(loud):
                rate = self._source.sample_rate
                self._onset(item.t + loud[0] / rate, item.t + loud[-1] / rate)
        return item

    def _onset(self, first: float, last: float) -> None:
        if first - self._loud_until > FLASH_PERIOD_S / 2:
            self.stamps.append(first)
        self._loud_until = last


def _late_ms(stamps: list[float], truth: float) -> float | None:
    near = [t for t in stamps if abs(t - truth) < FLASH_PERIOD_S / 2]
    return round((near[0] - truth) * 1000, 1) if near else None


@dataclass
class Figures:
    """One answer's sync, measured in the merged file (ms; positive: picture after sound)."""

    stamping_asked: str
    video_stamping: str
    audio_stamping: str
    seconds: float
    av_offset_ms: float  # [recording] av_offset_ms, as the booth was told
    flash_s: list[float]  # where each flash/beep pair is in the answer
    recorded_ms: list[float]  # each pair's offset in the file
    sender_ms: list[float | None]  # the same flash at the source: due on the wire - heard
    offsets_ms: list[float | None]  # the booth's own: recorded - sender
    spread_ms: float | None  # max - min of offsets_ms, the answer's first second included
    mean_offset_ms: float | None
    # Where the booth's stamps put each flash (against when it was due on the wire) and
    # each beep (against when the sink had it); the offset is their difference, give or
    # take where the frame slots fall.
    picture_late_ms: list[float | None]
    sound_late_ms: list[float | None]
    sender_behind_ms: float  # the sender at its furthest behind its own clock, meanwhile
    frames: dict[str, int] = field(default_factory=dict)
    # With the jitter relay: its seed, the longest it held a datagram, and its stalls that
    # overlapped the answer (start, end: seconds into the answer).
    jitter_seed: int | None = None
    jitter_held_ms: float | None = None
    jitter_stalls_s: list[tuple[float, float]] = field(default_factory=list)

    def as_text(self) -> str:
        def ms(value: float | None) -> str:
            return "   -  " if value is None else f"{value:+6.1f}"

        rows = [f"  {t:5.2f} s  {ms(r)}  {ms(s)}  {ms(o)}    {ms(v)}  {ms(a)}"
                for t, r, s, o, v, a in zip(self.flash_s, self.recorded_ms, self.sender_ms,
                                            self.offsets_ms, self.picture_late_ms,
                                            self.sound_late_ms, strict=True)]
        return "\n".join([
            f"{STREAM_FPS} fps H.264 over UDP joined {JOIN_AFTER_S:g} s in, recorded at "
            f"{RECORD_FPS:g} fps for {self.seconds:g} s (av_offset_ms {self.av_offset_ms:g}); "
            f"stamping asked {self.stamping_asked}, used: picture {self.video_stamping}, "
            f"sound {self.audio_stamping}",
            "  flash    recorded  sender   booth  | stamped late: picture  sound   (ms)",
            *(rows or ["  no flash/beep pair found"]),
            f"booth: spread {ms(self.spread_ms)}, mean offset {ms(self.mean_offset_ms)}; the "
            f"sender fell {self.sender_behind_ms:.0f} ms behind its clock at worst",
            f"frames: {self.frames}",
            *([] if self.jitter_seed is None else [
                f"jitter relay (seed {self.jitter_seed}): held up to {self.jitter_held_ms:.0f} "
                f"ms; stalls in the answer (s): "
                + ", ".join(f"{a:.2f}-{b:.2f}" for a, b in self.jitter_stalls_s)]),
        ])


def record_answer(env: dict[str, str], folder: Path, *, seconds: float = ANSWER_S,
                  stamping: str | None = None, av_offset_ms: float = 0.0,
                  pts_offset_s: float = 0.0, jitter_seed: int | None = None) -> Figures:
    """One answer through the booth's engine, from a network camera joined mid-stream; with
    a `jitter_seed`, through a JitterRelay of that seed.

    PortAudio lists the devices once, when it loads: this process must reach the null sink
    through `env` by then, hence the late imports.
    """
    from kiosk.capture.clock import SystemClock
    from kiosk.capture.live import LiveSources
    from kiosk.capture.opencv_camera import OpenCVCamera
    from kiosk.capture.recorder import PartRecorder
    from kiosk.capture.sounddevice_microphone import SoundDeviceMicrophone
    from kiosk.capture.stamping import FrameStamping
    from kiosk.media.clapper import clapper_matches
    from kiosk.media.encode import VideoFormat
    from kiosk.media.merge import merge_parts

    clock = SystemClock()
    with network_camera(env, pts_offset_s=pts_offset_s, jitter_seed=jitter_seed) as stream:
        time.sleep(JOIN_AFTER_S)
        camera = Watched(OpenCVCamera(
            stream.url, width=WIDTH, height=HEIGHT, fps=RECORD_FPS, clock=clock,
            stamping=FrameStamping(stamping) if stamping else None))
        microphone = Watched(SoundDeviceMicrophone("", sample_rate=SAMPLE_RATE, clock=clock))
        live = LiveSources(camera, microphone, clock)  # type: ignore[arg-type]
        live.start()
        try:
            if not live.wait_until_live(timeout_s=10):
                raise RuntimeError(f"No picture or no sound within 10 s: {live.error}")
            # At once, as a candidate who starts right after the device check: whatever
            # joining the stream does to the first frames is in the answer's first seconds.
            began = clock.now()
            recorder = PartRecorder(live, folder, "answer",
                                    video=VideoFormat(WIDTH, HEIGHT, RECORD_FPS),
                                    sample_rate=SAMPLE_RATE, title="Answer",
                                    av_offset_s=av_offset_ms / 1000)
            recorder.start()
            recorder.stop(at=began + seconds)
            part = recorder.wait(timeout=seconds + 60)
        finally:
            live.close()
        movie = folder / "answer.mp4"
        merge_parts([part.files], movie)
        matches = clapper_matches(movie)
        # The file starts at the answer's first sound block, within a block of `began`.
        truths = [stream.check.flash_near(began + m.flash_s) for m in matches]
        behind_s = stream.check.tap.largest_delay_s(since=began)
    relay = stream.relay  # closed: its stalls are known
    stalls: list[tuple[float, float]] = []
    if relay is not None and (epoch := stream.check.tap.epoch()) is not None:
        # The relay's origin is the first datagram, source time 0 on the wire.
        stalls = [(round(epoch + a - began, 3), round(epoch + b - began, 3))
                  for a, b in relay.stalls if epoch + b > began and epoch + a < began + seconds]
    recorded = [round(m.offset_ms, 1) for m in matches]
    sender = [None if t is None else round((t[0] - t[1]) * 1000, 1) for t in truths]
    booth = [None if s is None else round(r - s, 1) for r, s in zip(recorded, sender, strict=True)]
    known = [b for b in booth if b is not None]
    stats = part.stats
    return Figures(
        stamping_asked=stamping or "auto",
        video_stamping=stats.video_stamping,
        audio_stamping=stats.audio_stamping,
        seconds=seconds,
        av_offset_ms=av_offset_ms,
        flash_s=[round(m.flash_s, 3) for m in matches],
        recorded_ms=recorded,
        sender_ms=sender,
        offsets_ms=booth,
        spread_ms=round(max(known) - min(known), 1) if known else None,
        mean_offset_ms=round(float(np.mean(known)), 1) if known else None,
        picture_late_ms=[None if t is None else _late_ms(camera.stamps, t[0]) for t in truths],
        sound_late_ms=[None if t is None else _late_ms(microphone.stamps, t[1]) for t in truths],
        sender_behind_ms=round(behind_s * 1000, 1),
        frames={"offered": stats.frames_offered, "dropped": stats.frames_dropped,
                "repeated": stats.frames_repeated, "surplus": stats.frames_surplus},
        jitter_seed=jitter_seed,
        jitter_held_ms=None if relay is None else round(relay.held_s * 1000, 1),
        jitter_stalls_s=stalls,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.network_camera",
        description=f"Record one answer from a live network camera joined mid-stream (H.264 "
                    f"over UDP at {STREAM_FPS} fps, recorded at {RECORD_FPS:g} fps) and a "
                    f"microphone on a PulseAudio null sink; print each flash/beep pair's A/V "
                    f"offset.")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    parser.add_argument("--seconds", type=float, default=ANSWER_S, help="the answer's length")
    parser.add_argument("--stamping", choices=("device", "read"), default=None,
                        help="force how frames are stamped (default: the camera's choice)")
    parser.add_argument("--av-offset-ms", type=float, default=0.0, metavar="MS",
                        help="the booth's [recording] av_offset_ms")
    parser.add_argument("--pts-offset", type=float, default=0.0, metavar="S",
                        help="the stream's first timestamp (95436 puts the 33-bit wrap-around "
                             "in the answer)")
    parser.add_argument("--jitter", nargs="?", type=int, const=JITTER_SEED, default=None,
                        metavar="SEED",
                        help=f"send the booth's copy through a jittery link that stalls for "
                             f"{STALL_S[0] * 1000:.0f}-{STALL_S[1] * 1000:.0f} ms every "
                             f"{STALL_EVERY_S[0]:g}-{STALL_EVERY_S[1]:g} s (seed "
                             f"{JITTER_SEED} unless given)")
    args = parser.parse_args(argv)
    from tests.pulse import null_sink_server

    with null_sink_server() as env, tempfile.TemporaryDirectory(prefix="netcam-") as work:
        os.environ.update({**env, **FFMPEG_QUIET})
        figures = record_answer(env, Path(work), seconds=args.seconds, stamping=args.stamping,
                                av_offset_ms=args.av_offset_ms, pts_offset_s=args.pts_offset,
                                jitter_seed=args.jitter)
    print(json.dumps(asdict(figures)) if args.json else figures.as_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
