"""The unit in which answers are cut so that their parts join without the sound slipping.

An AAC frame holds 1024 samples. A part whose length is a whole number of video frames AND a
whole number of AAC frames ends exactly where its sound ends, so the next part starts in
sync. At 30 fps and 48 kHz that unit is 16 frames (0.53 s); a pair of rates whose unit would
be long (many seconds of padding per answer) is refused by the settings.
"""

from __future__ import annotations

from fractions import Fraction

AAC_FRAME_SAMPLES = 1024
LONGEST_UNIT_FRAMES = 64  # 2.7 s at 24 fps: the most padding an answer may get


def sync_unit_frames(fps: float, sample_rate: int) -> int | None:
    """The fewest frames holding a whole number of AAC frames, or None if over the limit."""
    rate = Fraction(fps).limit_denominator(1001)
    for frames in range(1, LONGEST_UNIT_FRAMES + 1):
        samples = Fraction(frames) * sample_rate / rate
        if samples.denominator == 1 and samples.numerator % AAC_FRAME_SAMPLES == 0:
            return frames
    return None
