"""A microphone through sounddevice (PortAudio): blocks with their ADC time, on our clock.

The callback runs on PortAudio's thread: it only copies the block into a bounded queue and
counts what it could not keep (the sound card's overflows and our full queue separately).

A block's time is its sample count, which never wobbles, anchored to our clock by the least
delay (kiosk.capture.stamping) to PortAudio's ADC time. Some host APIs report no ADC time
(0) and some ALSA plugins one that jumps: from the first such block on, the anchor is the
callback's own time instead, whose bursts (a sound server can deliver several blocks at
once) the least delay ignores.
"""

from __future__ import annotations

import logging
import queue

import numpy as np
import sounddevice as sd

from kiosk.capture.clock import Clock, SystemClock
from kiosk.capture.frames import AudioBlock
from kiosk.capture.sources import SourceError
from kiosk.capture.stamping import FrameStamping, SourceClock

log = logging.getLogger(__name__)

# How long without a block before the microphone counts as gone. Generous: a sound server
# with an idle source can take two seconds to deliver its first block.
SILENT_DEVICE_TIMEOUT_S = 5.0
# ADC times one block apart that differ from the block's length by more than this are not a
# clock: PortAudio's own timing jitter is far smaller.
ADC_TOLERANCE = 0.5  # of a block


def host_api_settings(host_api: str) -> sd.WasapiSettings | None:
    """PortAudio's extra settings for a microphone on `host_api`.

    WASAPI in shared mode refuses a sample rate its mixer does not run at (PortAudio error
    -9997) unless asked to convert.
    """
    return sd.WasapiSettings(auto_convert=True) if "WASAPI" in host_api.upper() else None


def _host_api_of(device: str | int | None) -> str:
    try:
        info = sd.query_devices(device, kind="input")
        return str(sd.query_hostapis(info["hostapi"])["name"])
    except (sd.PortAudioError, ValueError, KeyError):
        return ""


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
        self.stamping = FrameStamping.ADC
        self._sample_clock = SourceClock()
        self._adc_clock = SourceClock()
        self._samples = 0
        self._last_adc: float | None = None

    def open(self) -> None:
        name = microphone_name(self.device)
        try:
            device = self.device if self.device != "" else None
            sd.query_devices(device, kind="input")
            self._stream = sd.InputStream(
                device=device,
                channels=1,
                samplerate=self.sample_rate,
                blocksize=self._block_samples,
                dtype="int16",
                callback=self._on_block,
                extra_settings=host_api_settings(_host_api_of(device)),
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
        stamp = self._stamp(time_info.inputBufferAdcTime, time_info.currentTime, frames, now)
        try:
            self._queue.put_nowait(AudioBlock(indata[:, 0].copy(), stamp))
        except queue.Full:
            self.queue_overflows += 1

    def _stamp(self, adc: float, current: float, frames: int, now: float) -> float:
        """When the block's first sample was taken, on our clock: always its sample count,
        anchored by the least delay to the ADC time, or to the callback's time once the ADC
        time is unusable. ALSA's pulse plugin reports ADC times that wobble by several ms
        from block to block; the sample count does not."""
        source_t = self._samples / self.sample_rate
        self._samples += frames
        # Fed from the start, so that it takes over at once.
        by_callback = self._sample_clock.stamp(source_t, now - frames / self.sample_rate)
        if self.stamping is FrameStamping.ADC:
            expected = frames / self.sample_rate
            last, self._last_adc = self._last_adc, adc
            if adc > 0 and (last is None or abs(adc - last - expected) <= ADC_TOLERANCE * expected):
                # PortAudio's stream clock to ours, through the moment of this callback.
                return self._adc_clock.stamp(source_t, adc + (now - current))
            self.stamping = FrameStamping.SAMPLES
            log.info("the microphone's ADC times are unusable (%.3f after %s): its sound is "
                     "stamped by its sample count from here on", adc, last)
        return by_callback

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
