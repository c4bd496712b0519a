"""The candidate screens' stylesheet, with its sizes scaled to the window's height.

Two looks a candidate may choose (or a recruiter may give them, kiosk.accommodations): larger
text, every size about a third larger (buttons and fields grow with their text), and high
contrast, white and yellow on black with thick focus borders. The high-contrast colours meet
WCAG AAA (7:1 for text, checked in tests/test_candidate_languages.py).
"""

from __future__ import annotations

from string import Template

from kiosk.resources import resource_path

REFERENCE_HEIGHT = 800  # the sizes below are for a 1280x800 screen
SIZES = {
    "body": 22, "small": 19, "lead": 28, "question": 40, "headline": 52, "button": 24,
    "button_height": 64, "button_pad": 36, "key_height": 52, "radius": 14, "pad": 14,
    "focus": 4, "bar": 14, "bar_radius": 7, "list_pad": 22,
}
LARGER = 1.35
# What larger text leaves alone: the shapes around the text, and the heights that are only
# a minimum (a button grows with its text; the keyboard's rows must still fit the screen).
NOT_TEXT = ("radius", "bar", "bar_radius", "focus", "pad", "button_height", "key_height")
HIGH_CONTRAST_FOCUS = 8

COLOURS = {
    "bg": "#f4f1ea", "fg": "#1d2731", "title": "#17324d", "lead_fg": "#3b4856",
    "hint_fg": "#55626f",
    "problem_fg": "#8a1f11", "problem_bg": "#fbe9e4", "problem_border": "#e3b3a8",
    "advice_fg": "#4a3200", "advice_bg": "#fff4d6", "advice_border": "#e8c77a",
    "ok_fg": "#1d4d2b", "ok_bg": "#e6f4ea", "ok_border": "#a8d5b5",
    "recording_fg": "#b3261e",
    "primary_bg": "#1f5f8b", "primary_fg": "#ffffff", "primary_border": "#1f5f8b",
    "primary_pressed": "#174a6d",
    "disabled_bg": "#a9b8c4", "disabled_fg": "#eef2f5", "disabled_border": "#a9b8c4",
    "secondary_bg": "#ffffff", "secondary_fg": "#1f5f8b", "secondary_border": "#1f5f8b",
    "secondary_pressed": "#e3edf4", "border": "2",
    "focus_colour": "#e0a100", "field_focus": "#1f5f8b",
    "key_bg": "#ffffff", "key_fg": "#1d2731", "key_border": "#cfc8bb",
    "field_bg": "#ffffff", "field_fg": "#1d2731", "field_border": "#9aa6b2",
    "card_bg": "#ffffff", "card_fg": "#1d2731", "card_border": "#d9d3c7",
    "track": "#dcd6ca", "chunk": "#1f5f8b", "recording_chunk": "#b3261e",
}
# Black, white and yellow: 21:1 and 19.6:1; the red of "Recording" is a light one (8.7:1).
HIGH_CONTRAST = {
    **{key: "#000000" for key in COLOURS if key.endswith("_bg")},
    **{key: "#ffffff" for key in COLOURS if key.endswith(("_fg", "_border"))},
    "bg": "#000000", "fg": "#ffffff", "title": "#ffffff", "lead_fg": "#ffffff",
    "hint_fg": "#ffff00", "problem_fg": "#ffff00", "problem_border": "#ffff00",
    "advice_fg": "#ffff00", "advice_border": "#ffff00", "ok_border": "#ffffff",
    "recording_fg": "#ff8a80",
    "primary_bg": "#ffff00", "primary_fg": "#000000", "primary_border": "#ffff00",
    "primary_pressed": "#c8c800",
    "disabled_bg": "#000000", "disabled_fg": "#bdbdbd", "disabled_border": "#bdbdbd",
    "secondary_pressed": "#333333", "border": "3",
    "focus_colour": "#00e5ff", "field_focus": "#00e5ff",
    "track": "#5a5a5a", "chunk": "#ffff00", "recording_chunk": "#ff8a80",
}


def text_scale(height: int, *, larger: bool = False) -> float:
    return max(0.8, height / REFERENCE_HEIGHT) * (LARGER if larger else 1.0)


def candidate_stylesheet(height: int, *, larger_text: bool = False,
                         high_contrast: bool = False) -> str:
    scale = max(0.8, height / REFERENCE_HEIGHT)
    sizes = {key: round(value * scale * (LARGER if larger_text and key not in NOT_TEXT
                                         else 1.0))
             for key, value in SIZES.items()}
    # The field a candidate types in is always focused: a quiet border, unless contrast
    # matters more than quiet.
    sizes["field_focus_width"] = 2
    if high_contrast:
        sizes["focus"] = sizes["field_focus_width"] = round(HIGH_CONTRAST_FOCUS * scale)
    border = int((HIGH_CONTRAST if high_contrast else COLOURS)["border"])
    thicker = sizes["focus"] - border
    sizes["focus_pad"] = max(0, sizes["button_pad"] - thicker)
    sizes["small_focus_pad"] = max(0, sizes["pad"] - thicker)
    template = Template(resource_path("candidate.qss").read_text(encoding="utf-8"))
    return template.substitute({**sizes, **(HIGH_CONTRAST if high_contrast else COLOURS)})
