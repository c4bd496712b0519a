"""Words that cross layers: why an answer stopped, what became of a take, what the device
check advises.

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


class Advice(enum.StrEnum):
    """What the device check asks the candidate to change, most important first.

    Declared in the order it is shown: what makes the recording unusable before what only
    makes it worse, and what the candidate can mend before what they cannot. Left and right
    are the candidate's own, as they see themselves in the (mirrored) preview.
    """

    TOO_DARK = "too dark"
    BACKLIT = "backlit"  # a bright window or lamp behind a dark face
    NO_FACE = "no face"
    TOO_QUIET = "too quiet"  # no voice heard, or only a faint one
    CLIPPING = "clipping"  # the voice reaches full scale: distorted
    MOVE_LEFT = "move left"
    MOVE_RIGHT = "move right"
    TOO_FAR = "too far"
    JERKY = "jerky"  # the camera delivers too few frames a second

    @property
    def sentence(self) -> str:
        """What the candidate reads, in plain words, from 60 cm."""
        return _ADVICE_SENTENCES[self]


# Short enough that two fit beside the picture at 1280x800 (about 60 characters each).
_ADVICE_SENTENCES = {
    Advice.TOO_DARK: "The picture is too dark. Please turn on more light.",
    Advice.BACKLIT: "There is bright light behind you. Please close the blind if you can.",
    Advice.NO_FACE: "We cannot see your face. Please sit in front of the camera.",
    Advice.TOO_QUIET: "We cannot hear you well. Please speak up or sit a little closer.",
    Advice.CLIPPING: "You are too loud for the microphone. Please speak more softly.",
    Advice.MOVE_LEFT: "Please move a little to your left.",
    Advice.MOVE_RIGHT: "Please move a little to your right.",
    Advice.TOO_FAR: "Please sit a little closer to the camera.",
    Advice.JERKY: "The picture will be jerky. More light in the room may help.",
}
