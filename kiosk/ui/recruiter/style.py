"""The recruiter screens' look, on top of the kiosk's own stylesheet.

Kept in its own file (resources/recruiter.qss) and set on each recruiter screen, so it
refines the app's look there without touching the candidate screens. Qt resolves a url() in
a stylesheet against the working folder, so `{resources}` is replaced by the real folder.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtWidgets import QWidget

from kiosk.resources import resource_path, resources_dir


@cache
def _stylesheet() -> str:
    text = resource_path("recruiter.qss").read_text(encoding="utf-8")
    return text.replace("{resources}", resources_dir().as_posix())


def apply_recruiter_style(widget: QWidget) -> None:
    widget.setStyleSheet(_stylesheet())
