"""Words that cross layers: why an answer stopped, and what became of a take.

Defined once, below every layer that says them (the recorder, the recording package, the
flow, the booth, the command line), so nobody compares with a bare string. They are
`StrEnum`s whose values are the strings the manifests have always stored.
"""

from __future__ import annotations

import enum


class StopReason(enum.StrEnum):
    ASKED = "asked"  # Done, the answer limit, the end of a headless recording
    CAMERA_LOST = "camera lost"
    MICROPHONE_LOST = "microphone lost"
    DISK_LOW = "disk low"
    ENCODER_STALLED = "encoder stalled"  # an encoder took no data for longer than the limit
    FAILED = "failed"  # the writer itself failed: what is on disk is rebuilt at the finish

    @property
    def device_lost(self) -> bool:
        """A Retry may mend it: the device may come back for the next answer."""
        return self in (StopReason.CAMERA_LOST, StopReason.MICROPHONE_LOST)


class TakeStatus(enum.StrEnum):
    RECORDING = "recording"  # being written, or cut off by a crash while it was
    DONE = "done"
    DISCARDED = "discarded"  # the candidate chose to try again, or nothing usable survived
    FAILED = "failed"  # its writer failed: rebuilt from what is on disk when finishing

    @property
    def cut_off(self) -> bool:
        """It did not end normally: what survives is rebuilt before the merge."""
        return self in (TakeStatus.RECORDING, TakeStatus.FAILED)
