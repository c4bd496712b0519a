"""Words that cross layers: why an answer stopped, what became of a take, what the device
check advises, and what the flow and the booth tell a candidate.

Defined once, below every layer that says them (the recorder, the recording package, the
flow, the booth, the command line), so nobody compares with a bare string. They are
`StrEnum`s whose values are the strings the manifests have always stored.

What a candidate reads is English here and translated on screen: each sentence is written
inside `QT_TRANSLATE_NOOP(context, text)`, which returns the text unchanged but is how Qt's
`lupdate` finds it, and the screens show `QCoreApplication.translate(context, text)`.
"""

from __future__ import annotations

import enum


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate reads
    """Mark `text` for translation in `context`; the core never translates."""
    return text


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
    Advice.TOO_DARK: QT_TRANSLATE_NOOP(
        "Advice", "The picture is too dark. Please turn on more light."),
    Advice.BACKLIT: QT_TRANSLATE_NOOP(
        "Advice", "There is bright light behind you. Please close the blind if you can."),
    Advice.NO_FACE: QT_TRANSLATE_NOOP(
        "Advice", "We cannot see your face. Please sit in front of the camera."),
    Advice.TOO_QUIET: QT_TRANSLATE_NOOP(
        "Advice", "We cannot hear you well. Please speak up or sit a little closer."),
    Advice.CLIPPING: QT_TRANSLATE_NOOP(
        "Advice", "You are too loud for the microphone. Please speak more softly."),
    Advice.MOVE_LEFT: QT_TRANSLATE_NOOP("Advice", "Please move a little to your left."),
    Advice.MOVE_RIGHT: QT_TRANSLATE_NOOP("Advice", "Please move a little to your right."),
    Advice.TOO_FAR: QT_TRANSLATE_NOOP("Advice", "Please sit a little closer to the camera."),
    Advice.JERKY: QT_TRANSLATE_NOOP(
        "Advice", "The picture will be jerky. More light in the room may help."),
}


class Notice(enum.StrEnum):
    """What the flow or the booth tells a candidate, in plain words; translated on screen.

    The details (a driver's error, a path) go to the log for IT: a candidate cannot act on
    them, and they could not be translated.
    """

    CAMERA_STOPPED = QT_TRANSLATE_NOOP(
        "Notice", "The camera stopped while you were answering. Check that it is plugged in, "
        "then press Retry. If that does not help, please tell a member of staff.")
    MICROPHONE_STOPPED = QT_TRANSLATE_NOOP(
        "Notice", "The microphone stopped while you were answering. Check that it is plugged "
        "in, then press Retry. If that does not help, please tell a member of staff.")
    CANNOT_SWITCH_ON_CAMERA = QT_TRANSLATE_NOOP(
        "Notice", "We cannot switch on the camera. Check that it is plugged in, then press "
        "Retry. If that does not help, please tell a member of staff.")
    CANNOT_SWITCH_ON_MICROPHONE = QT_TRANSLATE_NOOP(
        "Notice", "We cannot switch on the microphone. Check that it is plugged in, then "
        "press Retry. If that does not help, please tell a member of staff.")
    CANNOT_SWITCH_ON_DEVICES = QT_TRANSLATE_NOOP(
        "Notice", "We cannot switch on the camera or the microphone. Check that they are "
        "plugged in, then press Retry. If that does not help, please tell a member of staff.")
    CANNOT_SEE_CAMERA = QT_TRANSLATE_NOOP(
        "Notice", "We cannot see a camera. Check that it is plugged in and not covered, then "
        "press Retry. If it keeps happening, please tell a member of staff.")
    CANNOT_HEAR_MICROPHONE = QT_TRANSLATE_NOOP(
        "Notice", "We cannot hear a microphone. Check that it is plugged in, then press "
        "Retry. If it keeps happening, please tell a member of staff.")
    OUT_OF_SPACE_STOPPED = QT_TRANSLATE_NOOP(
        "Notice", "This booth ran out of storage space. Your answers up to that moment are "
        "saved. Please tell a member of staff.")
    TOO_SLOW_STOPPED = QT_TRANSLATE_NOOP(
        "Notice", "The recording stopped because this booth was too slow. Your answers up to "
        "that moment are saved. Please tell a member of staff.")
    RECORDING_STOPPED = QT_TRANSLATE_NOOP(
        "Notice", "The recording stopped. Your answers up to that moment are saved. Please "
        "tell a member of staff.")
    OUT_OF_SPACE = QT_TRANSLATE_NOOP(
        "Notice", "This booth ran out of storage space. Your answers up to this moment are "
        "saved. Please tell a member of staff.")
    BOOTH_PROBLEM = QT_TRANSLATE_NOOP(
        "Notice", "Something went wrong with this booth. Your answers so far are saved. "
        "Please tell a member of staff.")
    NOT_SAVED_YET = QT_TRANSLATE_NOOP(
        "Notice", "Your answers are kept on this booth, but they could not be saved "
        "completely yet. Please tell a member of staff.")
    NOTHING_RECORDED = QT_TRANSLATE_NOOP(
        "Notice", "Nothing was recorded.")
