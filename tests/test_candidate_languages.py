# ruff: noqa: F811
"""The candidate's screens in their language and their look: a Spanish interview to its end,
every candidate screen's text fitting its place 40% longer, larger text and high contrast
chosen at Welcome, and all of it gone for the next candidate."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.accommodations import Accommodations
from kiosk.config import Settings
from kiosk.interview import flow
from kiosk.interview.flow import Screen
from kiosk.interview.question_sets import configured_question_sets
from kiosk.store.database import Database, open_configured
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.tooling.pseudo import LONG, RTL, install_pseudo_languages
from kiosk.ui.tooling.screenshots import LANGUAGE_WALK, LAYOUT_PASSES, SIZES, CandidateWalk
from kiosk.ui.widgets.buttons import KioskButton
from kiosk.ui.widgets.text import TextLabel
from tests.test_candidate_kiosk import (  # noqa: F401 (fixtures)
    booth_settings,
    click,
    db,
    demo_opener,
    kiosk,
    on,
    saved_session,
)

QUESTIONS_ES = """\
language = "es"
title = "Entrevista de prueba"
consent = "Grabamos sus respuestas."
prepare_seconds = 30
answer_seconds = 30

[practice]
text = "¿Una pregunta de práctica?"

[[questions]]
text = "¿Primera pregunta?"
retakes = 1

[[questions]]
text = "¿Segunda pregunta?"
retakes = 0
"""


@pytest.fixture
def two_language_settings(booth_settings: Settings) -> Settings:
    """The test set of tests.test_candidate_kiosk as the set "test", in English and Spanish."""
    folder = booth_settings.question_sets_dir
    folder.mkdir(parents=True, exist_ok=True)
    english = (booth_settings.data_dir / "test.toml").read_text(encoding="utf-8")
    (folder / "test.toml").write_text(english, encoding="utf-8")
    (folder / "test.es.toml").write_text(QUESTIONS_ES, encoding="utf-8")
    return dataclasses.replace(booth_settings, interview=dataclasses.replace(
        booth_settings.interview, question_set="test"))


@pytest.fixture
def two_language_kiosk(qtbot: QtBot, two_language_settings: Settings
                       ) -> Iterator[CandidateKiosk]:
    database = open_configured(two_language_settings)
    made = CandidateKiosk(two_language_settings, database,
                          configured_question_sets(two_language_settings),
                          demo_opener(two_language_settings))
    qtbot.addWidget(made)
    made.resize(1280, 800)
    made.show()
    qtbot.waitExposed(made)
    made.database = database  # type: ignore[attr-defined]
    yield made
    made.shutdown()
    database.close()


def texts(widget: QWidget) -> str:
    return " | ".join(label.text() for label in widget.findChildren(TextLabel)
                      if label.isVisible())


def test_a_spanish_interview_to_its_end_then_english_for_the_next(
        qtbot: QtBot, two_language_kiosk: CandidateKiosk) -> None:
    kiosk = two_language_kiosk
    welcome = kiosk.welcome
    assert welcome.headline.text() == "Welcome"
    assert [b.text() for b in welcome.languages.buttons.values()] == ["English", "Español"]
    click(qtbot, welcome.languages.buttons["es"])
    assert kiosk.flow.state.language == "es" and kiosk.flow.state.screen is Screen.WELCOME
    assert welcome.headline.text() == "Le damos la bienvenida"
    assert welcome.start.text() == "Empezar"
    assert "2 preguntas" in welcome.lead.text()
    assert "diciembre" in welcome.date.text() or " de " in welcome.date.text()  # a long date
    assert welcome.languages.buttons["es"].isChecked()
    assert not welcome.languages.buttons["en"].isChecked()

    qtbot.mouseClick(welcome, Qt.MouseButton.LeftButton)
    identify = kiosk.identify
    assert identify.headline.text() == "¿Cómo se llama?"
    assert identify.keyboard.keys["Space"].text() == "Espacio"
    click(qtbot, identify.next)  # no name: the candidate's words, not the store's
    assert identify.problem.text() == "Por favor, escriba un nombre."
    qtbot.keyClicks(identify.name, "Ana")
    click(qtbot, identify.next)
    consent = kiosk.consent
    assert consent.headline.text() == "Antes de empezar, Ana"
    assert consent.text.text() == "Grabamos sus respuestas."
    assert not consent.language_note.isVisible()  # the set is in Spanish
    assert consent.accept.text() == "Estoy de acuerdo"
    click(qtbot, consent.accept)
    check = kiosk.device_check
    assert check.headline.text() == "¿Se ve y se oye bien?"
    qtbot.waitUntil(check.confirm.isEnabled, timeout=15_000)
    assert check.confirm.text() == "Me veo y me oigo bien"
    click(qtbot, check.confirm)
    assert kiosk.practice.headline.text() == "¿Todo listo para su entrevista?"
    assert "2 preguntas" in kiosk.practice.lead.text()
    click(qtbot, kiosk.practice.start)

    question, asked = kiosk.question, []
    while kiosk.flow.state.screen is not Screen.THANK_YOU:
        assert kiosk.flow.state.screen is Screen.PREPARE
        asked.append(question.question.text())
        number = kiosk.flow.state.question + 1
        assert question.progress.text() == f"Pregunta {number} de 2"
        assert "Tendrá 0:30 para responder" in question.allowance.text()
        assert question.start.text() == "Empezar a responder ya"
        click(qtbot, question.start)
        qtbot.wait(600)
        assert "Grabando" in question.status.text()
        assert question.done.text() == "He terminado"
        click(qtbot, question.done)
        if kiosk.flow.state.screen is Screen.RETAKE:
            assert question.status.text() == "¿Está conforme con su respuesta?"
            assert question.again.text() == "Intentar de nuevo (queda 1)"
            assert question.keep.text() == "Conservar esta respuesta"
            click(qtbot, question.keep)
    assert asked == ["¿Primera pregunta?", "¿Segunda pregunta?"]  # the Spanish set's
    assert kiosk.thank_you.headline.text() == "Gracias, Ana"
    qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
    assert "Su entrevista está guardada" in kiosk.thank_you.lead.text()
    assert saved_session(kiosk.database).language == "es"  # type: ignore[attr-defined]

    # The next candidate: the booth's language again, English and left to right.
    qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=10_000)
    assert kiosk.flow.state.language == "en"
    assert welcome.headline.text() == "Welcome" and welcome.start.text() == "Start"
    assert welcome.languages.buttons["en"].isChecked()
    assert kiosk.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_a_language_without_questions_says_so_and_rtl_turns_the_screens(
        qtbot: QtBot, kiosk: CandidateKiosk) -> None:
    """The test set is in English only: a Spanish candidate reads the screens in Spanish and
    is told the questions are in English. The right-to-left pseudo-language turns the kiosk
    round, and Back at Welcome turns it back."""
    kiosk.flow.handle(flow.ChooseLanguage("es"))
    kiosk.flow.handle(flow.Begin())
    kiosk.flow.handle(flow.Identified("Ana"))
    note = kiosk.consent.language_note
    assert note.isVisible() and "English" in note.text() and "su idioma" in note.text()
    assert kiosk.consent.text.text() == "We record your answers."
    kiosk.flow.handle(flow.Back())
    kiosk.flow.handle(flow.Back())
    assert kiosk.flow.state.screen is Screen.WELCOME and kiosk.flow.state.language == "en"
    assert kiosk.welcome.headline.text() == "Welcome"

    install_pseudo_languages()
    kiosk.flow.handle(flow.ChooseLanguage(RTL))
    assert kiosk.layoutDirection() == Qt.LayoutDirection.RightToLeft
    start = kiosk.welcome.start.text()
    assert start and all(not ch.isascii() for ch in start)
    # Along the top, the languages are now on the right and the aids on the left.
    for _ in range(3):
        QApplication.processEvents()
    languages = kiosk.welcome.languages.mapTo(kiosk, QPoint(0, 0)).x()
    assert languages > kiosk.welcome.aids.mapTo(kiosk, QPoint(0, 0)).x()
    kiosk.flow.handle(flow.Begin())
    kiosk.flow.handle(flow.Back())
    assert kiosk.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert kiosk.welcome.start.text() == "Start"


def _background(widget: QWidget) -> QColor:
    image = widget.grab().toImage()
    return image.pixelColor(3, 3)


def test_larger_text_and_high_contrast_from_welcome_last_the_interview_and_end_with_it(
        qtbot: QtBot, kiosk: CandidateKiosk) -> None:
    welcome = kiosk.welcome
    normal_headline = welcome.headline.font().pixelSize()
    normal_question = None
    assert _background(kiosk) == QColor("#f4f1ea")
    larger, contrast = welcome.aids.larger, welcome.aids.contrast
    assert larger.isCheckable() and not larger.isChecked() and larger.text() == "Larger text"
    click(qtbot, larger)
    click(qtbot, contrast)
    assert kiosk.flow.state.screen is Screen.WELCOME  # a choice, not a start
    assert kiosk.flow.state.larger_text and kiosk.flow.state.high_contrast
    assert larger.isChecked() and larger.text() == "✓ Larger text"
    assert contrast.isChecked()
    assert welcome.headline.font().pixelSize() == pytest.approx(normal_headline * 1.35, abs=1)
    assert _background(kiosk) == QColor("#000000")
    assert welcome.headline.palette().color(welcome.headline.foregroundRole()) == QColor(
        "#ffffff")

    qtbot.mouseClick(welcome, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(kiosk.identify.name, "Ana")
    click(qtbot, kiosk.identify.next)
    click(qtbot, kiosk.consent.accept)
    check = kiosk.device_check
    assert check.aids.larger.isChecked() and check.aids.contrast.isChecked()
    click(qtbot, check.aids.contrast)  # the device check can turn one off again
    assert not kiosk.flow.state.high_contrast
    assert _background(kiosk) == QColor("#f4f1ea")
    click(qtbot, check.aids.contrast)
    qtbot.waitUntil(check.confirm.isEnabled, timeout=15_000)
    click(qtbot, check.confirm)
    click(qtbot, kiosk.practice.start)
    question = kiosk.question
    larger_question = question.question.font().pixelSize()
    assert _background(kiosk) == QColor("#000000")
    # Not cut short by the larger words (the column beside the picture widens).
    for _ in range(3):
        QApplication.processEvents()
    assert question.start.shown_text() == question.start.text()
    for event in (flow.StartAnswering(), flow.Done(), flow.Keep(), flow.StartAnswering(),
                  flow.Done()):
        kiosk.flow.handle(event)
    assert kiosk.flow.state.screen is Screen.THANK_YOU
    assert _background(kiosk) == QColor("#000000")  # their thanks in their look too
    qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
    qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=10_000)

    # The next candidate: the booth's own look.
    assert not kiosk.flow.state.larger_text and not kiosk.flow.state.high_contrast
    assert not larger.isChecked() and not contrast.isChecked()
    assert larger.text() == "Larger text"
    assert welcome.headline.font().pixelSize() == normal_headline
    assert _background(kiosk) == QColor("#f4f1ea")
    kiosk.flow.handle(flow.Begin())
    kiosk.flow.handle(flow.Identified("Kwame"))
    kiosk.flow.handle(flow.AcceptConsent())
    qtbot.waitUntil(check.confirm.isEnabled, timeout=15_000)
    kiosk.flow.handle(flow.DevicesConfirmed())
    kiosk.flow.handle(flow.SkipPractice())
    normal_question = question.question.font().pixelSize()
    assert larger_question == pytest.approx(normal_question * 1.35, abs=1)


# -- every string fits its place, 40% longer ------------------------------------------

def _button_text_fits(button: QPushButton) -> bool:
    if isinstance(button, KioskButton):
        return button.shown_text() == button.text()
    option = QStyleOptionButton()
    button.initStyleOption(option)
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option,
                                         button)
    return button.fontMetrics().horizontalAdvance(button.text()) <= room.width()


def misfits(kiosk: CandidateKiosk) -> list[str]:
    """What does not fit on the screen on show (and the idle warning over it)."""
    roots = [kiosk.current_screen] + ([kiosk.idle_warning] if kiosk.idle_warning.isVisible()
                                      else [])
    window = QRect(QPoint(0, 0), kiosk.size())
    found = []
    for root in roots:
        for widget in root.findChildren(QWidget):
            if not widget.isVisibleTo(kiosk) or not isinstance(widget, TextLabel | QPushButton):
                continue
            text = widget.text()
            if not text:
                continue
            placed = QRect(widget.mapTo(kiosk, QPoint(0, 0)), widget.size())
            if not window.contains(placed):
                found.append(f"off the screen: {text[:50]!r} at {placed}")
            if isinstance(widget, TextLabel):
                scrolled = any(isinstance(a, QScrollArea) for a in _ancestors(widget))
                # A name ends with "…" by design; a scrolled text has all the room it needs.
                if widget.max_lines or scrolled:
                    continue
                if widget.heightForWidth(widget.width()) > widget.height() + 1:
                    found.append(f"cut off: {text[:50]!r} needs "
                                 f"{widget.heightForWidth(widget.width())} px, has "
                                 f"{widget.height()}")
            elif widget.objectName() != "scheduled" and not _button_text_fits(widget):
                found.append(f"elided: {text!r} in {widget.width()} px")
    return found


def _ancestors(widget: QWidget) -> Iterator[QWidget]:
    parent = widget.parentWidget()
    while parent is not None:
        yield parent
        parent = parent.parentWidget()


@pytest.mark.parametrize("language", [LONG, "es"])
def test_every_candidate_screen_fits_its_words(
        qtbot: QtBot, language: str, tmp_path: Path, data_dir: Path) -> None:
    """Each screen of the walk at 1280x800 and 1920x1080: no label cut off, no button's
    text elided, nothing off the screen, in the +40% pseudo-translation (and in Spanish)."""
    from kiosk.demo_data import demo_booth

    install_pseudo_languages()
    problems: list[str] = []
    app = QApplication.instance()
    assert app is not None
    with demo_booth() as (settings, database), CandidateWalk(settings, database) as walk:
        assert isinstance(database, Database)

        def check(name: str) -> None:
            for width, height in SIZES:
                walk.at_size(width, height)
                for _ in range(LAYOUT_PASSES):
                    app.processEvents()
                problems.extend(f"{name} at {width}x{height}: {problem}"
                                for problem in misfits(walk.kiosk))

        walk.walk(check, (*LANGUAGE_WALK, "identify-accents", "device-check-advice-too-far"),
                  language)
    assert not problems, "\n".join(problems)


def test_read_again_shows_while_preparing_and_deciding_only_when_read_aloud_is_asked(
        qtbot: QtBot, kiosk: CandidateKiosk) -> None:
    question = kiosk.question
    for event in (flow.Begin(), flow.Identified("Ana"), flow.AcceptConsent()):
        kiosk.flow.handle(event)
    qtbot.waitUntil(kiosk.device_check.confirm.isEnabled, timeout=15_000)
    kiosk.flow.handle(flow.DevicesConfirmed())
    kiosk.flow.handle(flow.SkipPractice())
    assert not question.read_again.isVisible()  # the test set does not ask for it
    for event in (flow.StartAnswering(), flow.Done(), flow.Keep(), flow.StartAnswering(),
                  flow.Done()):
        kiosk.flow.handle(event)
    qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
    qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=10_000)

    # A scheduled candidate who has their questions read aloud.
    kiosk.flow.handle(flow.ChooseLanguage("es"))
    for event in (flow.Begin(), flow.Identified(
            "Kwame", accommodations=Accommodations(read_aloud=True)), flow.AcceptConsent()):
        kiosk.flow.handle(event)
    qtbot.waitUntil(kiosk.device_check.confirm.isEnabled, timeout=15_000)
    kiosk.flow.handle(flow.DevicesConfirmed())
    kiosk.flow.handle(flow.SkipPractice())
    assert question.read_again.isVisible() and question.read_again.text() == "Leer otra vez"
    kiosk.flow.handle(flow.StartAnswering())
    assert not question.read_again.isVisible()  # never while answering
    kiosk.flow.handle(flow.Done())
    assert kiosk.flow.state.screen is Screen.RETAKE and question.read_again.isVisible()
