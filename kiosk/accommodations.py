"""What a candidate is given to take the interview fairly: more time, more tries, and aids.

A recruiter sets `Accommodations` on a scheduled session (the CLI or the Schedule page); the
flow applies them to every question; the recruiter sees them beside the recording, so a
longer answer is read for what it is. A candidate may also choose an `Aid` alone, at Welcome
or the device check, for their own interview only.

Stored as JSON on the session (`to_json`/`from_json`): a key this version does not know is
ignored on reading, so a newer booth's rows do not stop an older one.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, fields
from typing import Any

from kiosk.errors import InvalidInputError

EXTRA_TIME_RANGE = (1.0, 3.0)
EXTRA_RETAKES_RANGE = (0, 5)


class Aid(enum.StrEnum):
    """What a candidate can turn on alone, without staff."""

    LARGER_TEXT = "larger text"
    HIGH_CONTRAST = "high contrast"


@dataclass(frozen=True)
class Accommodations:
    extra_time: float = 1.0  # multiplies the prepare and answer times
    extra_retakes: int = 0  # tries beyond the question set's own
    larger_text: bool = False
    high_contrast: bool = False
    read_aloud: bool = False

    @property
    def any(self) -> bool:
        return self != Accommodations()

    def seconds(self, seconds: int) -> int:
        """A question's time with the extra time: whole seconds, never less than asked."""
        return math.ceil(seconds * self.extra_time - 1e-9)

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Accommodations:
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        return make_accommodations(**{k: v for k, v in data.items() if k in known})

    def in_words(self) -> str:
        """For the recruiter and the command line: "2x time, questions read aloud"; "" for
        none."""
        words = []
        if self.extra_time != 1.0:
            words.append(f"{self.extra_time:g}x time")
        if self.extra_retakes:
            words.append(f"{self.extra_retakes} extra retake"
                         f"{'s' if self.extra_retakes != 1 else ''}")
        words += [name for name, on in (("larger text", self.larger_text),
                                        ("high contrast", self.high_contrast),
                                        ("questions read aloud", self.read_aloud)) if on]
        return ", ".join(words)


NONE = Accommodations()  # what a walk-in, and every candidate not given any, has


def make_accommodations(*, extra_time: Any = 1.0, extra_retakes: Any = 0,
                        larger_text: Any = False, high_contrast: Any = False,
                        read_aloud: Any = False) -> Accommodations:
    """Accommodations from typed or stored values, or InvalidInputError saying what is wrong."""
    low, high = EXTRA_TIME_RANGE
    try:
        time = float(extra_time)
    except (TypeError, ValueError):
        time = math.nan
    if isinstance(extra_time, bool) or not low <= time <= high:
        raise InvalidInputError(f"Extra time must be a number from {low:g} to {high:g} "
                                f"(1.5 gives half as much time again), not {extra_time!r}.")
    low_r, high_r = EXTRA_RETAKES_RANGE
    if isinstance(extra_retakes, str) and extra_retakes.strip().isdigit():
        extra_retakes = int(extra_retakes)
    if (isinstance(extra_retakes, bool) or not isinstance(extra_retakes, int)
            or not low_r <= extra_retakes <= high_r):
        raise InvalidInputError(f"Extra retakes must be a whole number from {low_r} to "
                                f"{high_r}, not {extra_retakes!r}.")
    flags = {"larger text": larger_text, "high contrast": high_contrast,
             "read aloud": read_aloud}
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise InvalidInputError(f"'{name}' is on or off (true or false), not {value!r}.")
    return Accommodations(extra_time=round(time, 2), extra_retakes=extra_retakes,
                          larger_text=larger_text, high_contrast=high_contrast,
                          read_aloud=read_aloud)
