"""The candidate screens' stylesheet, with its sizes scaled to the window's height."""

from __future__ import annotations

from string import Template

from kiosk.resources import resource_path

REFERENCE_HEIGHT = 800  # the sizes below are for a 1280x800 screen
SIZES = {
    "body": 22, "small": 19, "lead": 28, "question": 40, "headline": 52, "button": 24,
    "button_height": 64, "button_pad": 36, "key_height": 52, "radius": 14, "pad": 14,
    "focus": 4, "bar": 14, "bar_radius": 7, "list_pad": 22,
}


def candidate_stylesheet(height: int) -> str:
    scale = max(0.8, height / REFERENCE_HEIGHT)
    template = Template(resource_path("candidate.qss").read_text(encoding="utf-8"))
    return template.substitute({key: round(value * scale) for key, value in SIZES.items()})
