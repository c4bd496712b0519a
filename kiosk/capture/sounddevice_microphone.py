"""A microphone through sounddevice (PortAudio): blocks with their ADC time, on our clock.

The callback runs on PortAudio's thread: it only copies the block into a bounded queue and
counts what it could not keep (the sound card's overflows and our full queue separately).
"""

from __future__ import annotations

import queue

import numpy as np
import sounddevice as sd

from kiosk.capture.clock import Clock, SystemClock
from kiosk.capture.frames import AudioBlock
from kiosk.capture.sources import SourceError

# How long without a block before the microphone counts as gone. Generous: a sound server
# with an idle source can take two seconds to deliver its first block.
SILENT_DEVICE_TIMEOUT_S = 5.0


def input_devices() -> list[dict]:
    """The microphones sounddevice sees: index, name, channels, default sample rate."""
    try:
        devices = sd.query_devices()
    except sd.PortAudioError:
        return []
    return [
        {"index": d["index"], "name": d["name"], "channels": d["max_input_channels"],
         "default_samplerate": d["default_samplerate"]}
        for d in devices if d["max_input_channels"] > 0
    ]


def microphone_name(spec: str | int | None) -> str:
    """How messages name a configured microphone (empty or None: the default one)."""
    return "The default microphone" if spec in (None, "") else f"The microphone '{spec}'"


class SoundDeviceMicrophone:
    def __init__(
        self,
        device: str | int | None = None,
        *,
        sample_rate: int = 48_000,
        block_samples: int = 960,
        clock: Clock | None = None,
        queue_blocks: int = 500,
    ) -> None:
        self.device = int(device) if isinstance(device, str) and device.isdigit() else device
        self.sample_rate = sample_rate
        self._block_samples = block_samples
        self._clock = clock or SystemClock()
        self._queue: queue.Queue[AudioBlock] = queue.Queue(maxsize=queue_blocks)
        self._stream: sd.InputStream | None = None
        self.device_overflows = 0  # the sound card dropped input before we saw it
        self.queue_overflows = 0  # we had no room for a block (the recorder fell behind)

    def open(self) -> None:
        name = microphone_name(self.device)
        try:
            sd.query_devices(self.device if self.device != "" else None, kind="input")
            self._stream = sd.InputStream(
                device=self.device if self.device != "" else None,
                channels=1,
                samplerate=self.sample_rate,
                blocksize=self._block_samples,
                dtype="int16",
                callback=self._on_block,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            available = ", ".join(d["name"] for d in input_devices()) or "none"
            raise SourceError(
                f"{name} cannot be opened: {exc}. Microphones found: {available}.",
                device="microphone",
            ) from None

    def _on_block(self, indata: np.ndarray, frames: int, time_info, status) -> None:
        now = self._clock.now()
        if status.input_overflow:
            self.device_overflows += 1
        adc = time_info.inputBufferAdcTime
        if adc > 0:
            # PortAudio's stream clock to ours, through the moment of this callback.
            stamp = adc + (now - time_info.currentTime)
        else:
            stamp = now - frames / self.sample_rate
        try:
            self._queue.put_nowait(AudioBlock(indata[:, 0].copy(), stamp))
        except queue.Full:
            self.queue_overflows += 1

    def read(self) -> AudioBlock | None:
        try:
            return self._queue.get(timeout=SILENT_DEVICE_TIMEOUT_S)
        except queue.Empty:
            return None

    def close(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except sd.PortAudioError:
                pass
            self._stream = None
