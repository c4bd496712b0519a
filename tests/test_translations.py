"""The candidate's translations: complete in every shipped language, compiled and loaded, with
their placeholders; the pseudo-translations the layout tests use; and the high-contrast look
meeting WCAG AAA."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from pytestqt.qtbot import QtBot

from kiosk.ui.candidate.style import COLOURS, HIGH_CONTRAST
from kiosk.ui.i18n import (
    LANGUAGES,
    SOURCE_DIR,
    SOURCE_LANGUAGE,
    CandidateTranslation,
    compile_translations,
    update_sources,
)
from kiosk.ui.tooling.pseudo import LONG, RTL, install_pseudo_languages, longer, right_to_left

PLACEHOLDERS = re.compile(r"\{[a-z_]+\}|%n|%\d")


def messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, message) for each message of a .ts file."""
    found = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found.append((name, message.findtext("source") or "", message))
    return found


def translations_of(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    assert translation is not None
    forms = translation.findall("numerusform")
    return [form.text or "" for form in forms] if forms else [translation.text or ""]


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_candidate_string_is_translated_in_each_shipped_language(
        code: str, tmp_path: Path) -> None:
    """lupdate over today's sources into a copy of the shipped .ts: a sentence added or
    changed since it was translated comes in unfinished, and is named here."""
    shipped = SOURCE_DIR / f"kiosk_{code}.ts"
    assert shipped.is_file(), f"{shipped} is missing: run scripts/translations --update"
    copy = tmp_path / shipped.name
    shutil.copy(shipped, copy)
    # The source language's file holds only plural forms ("1 question", "2 questions").
    update_sources(copy, *(["-pluralonly"] if code == SOURCE_LANGUAGE else []))
    unfinished = []
    for context, source, message in messages(copy):
        translation = message.find("translation")
        assert translation is not None
        texts = translations_of(message)
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not all(texts):
            unfinished.append(f"{context}: {source!r}")
    assert not unfinished, (f"not translated in {code} (run scripts/translations --update, "
                            f"then translate them in {shipped.name}):\n" + "\n".join(unfinished))
    if code != SOURCE_LANGUAGE:
        # Every candidate string is in it, none left out by a stale file.
        assert len(messages(copy)) == len(messages(shipped)) > 100


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != SOURCE_LANGUAGE])
def test_translations_keep_their_placeholders(code: str) -> None:
    for context, source, message in messages(SOURCE_DIR / f"kiosk_{code}.ts"):
        wanted = sorted(PLACEHOLDERS.findall(source))
        for text in translations_of(message):
            assert sorted(PLACEHOLDERS.findall(text)) == wanted, (context, source, text)
            assert text != source or len(source) < 6, (context, source)  # really translated


def test_the_translations_compile_and_the_candidate_side_switches(
        qtbot: QtBot, tmp_path: Path) -> None:
    written = compile_translations(out=tmp_path)
    assert {p.name for p in written} == {f"kiosk_{code}.qm" for code in LANGUAGES}
    loaded = QTranslator()
    assert loaded.load(str(tmp_path / "kiosk_es.qm"))
    assert loaded.translate("WelcomeScreen", "Start") == "Empezar"
    translation = CandidateTranslation()
    try:
        translation.switch("es")
        assert QCoreApplication.translate("ConsentScreen", "I agree") == "Estoy de acuerdo"
        assert QCoreApplication.translate("QuestionScreen", "%n tries left", None, 1) == (
            "queda 1 intento")
        assert QCoreApplication.translate("QuestionScreen", "%n tries left", None, 3) == (
            "quedan 3 intentos")
        translation.switch("en")  # English has its plurals, and nothing else, translated
        assert QCoreApplication.translate("QuestionScreen", "%n tries left", None, 1) == (
            "1 try left")
        assert QCoreApplication.translate("ConsentScreen", "I agree") == "I agree"
        assert not translation.switch("xx").right_to_left  # unknown: English, no crash
        assert QCoreApplication.translate("ConsentScreen", "I agree") == "I agree"
    finally:
        translation.close()


def test_the_pseudo_translations_grow_by_forty_percent_and_run_right_to_left(
        qtbot: QtBot) -> None:
    for text in ("Start", "Question {number} of {count}", "Try again (%n left)",
                 "Before we start, {name}"):
        made = longer(text)
        assert len(made) >= 1.4 * len(text), made
        assert PLACEHOLDERS.findall(made) == PLACEHOLDERS.findall(text)
        turned = right_to_left(text)
        assert PLACEHOLDERS.findall(turned) == PLACEHOLDERS.findall(text)
        assert not re.search(r"[a-z]", PLACEHOLDERS.sub("", turned)), turned
    made = install_pseudo_languages()
    translation = CandidateTranslation()
    try:
        assert translation.switch(RTL).right_to_left
        shown = QCoreApplication.translate("WelcomeScreen", "Start")
        assert shown == right_to_left("Start") and "\u05d0" <= shown[0] <= "\u05ea"
        assert not translation.switch(LONG).right_to_left
        assert QCoreApplication.translate("WelcomeScreen", "Start") == longer("Start")
    finally:
        translation.close()
    assert set(made) == {LONG, RTL}


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


TEXT_ON = (("fg", "bg"), ("title", "bg"), ("lead_fg", "bg"), ("hint_fg", "bg"),
           ("recording_fg", "bg"), ("primary_fg", "primary_bg"),
           ("secondary_fg", "secondary_bg"), ("problem_fg", "problem_bg"),
           ("advice_fg", "advice_bg"), ("ok_fg", "ok_bg"), ("key_fg", "key_bg"),
           ("field_fg", "field_bg"), ("card_fg", "card_bg"), ("focus_colour", "bg"))


def test_high_contrast_meets_wcag_aaa_and_the_normal_look_aa() -> None:
    for text, background in TEXT_ON:
        assert contrast(HIGH_CONTRAST[text], HIGH_CONTRAST[background]) >= 7.0, (
            text, background)
        if text != "focus_colour":  # the normal look's amber focus ring is not text
            assert contrast(COLOURS[text], COLOURS[background]) >= 4.5, (text, background)
    assert HIGH_CONTRAST["bg"] == "#000000"
