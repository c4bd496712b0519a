"""Languages, aids and accommodations in the flow, the question sets, the settings and the
schedule's store: no window (the screens are tested in their own files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.accommodations import NONE, Accommodations, Aid, make_accommodations
from kiosk.config import Settings, load_settings
from kiosk.errors import ConfigError, InvalidInputError, NotFoundError
from kiosk.interview import flow
from kiosk.interview.flow import Screen
from kiosk.interview.question_sets import (
    Question,
    QuestionSet,
    QuestionSetError,
    QuestionSets,
    configured_question_sets,
)
from kiosk.store.audit import Action, verify_chain
from kiosk.store.database import Database, open_configured
from kiosk.store.models import AuditEvent, InterviewSession
from kiosk.store.schedule import cancel_scheduled, change_scheduled, schedule_candidate
from kiosk.store.sessions import (
    StatusChangeError,
    give_consent,
    scheduled_today,
    session_to_dict,
)
from kiosk.words import Notice
from tests.test_interview_flow import Clock, advance

Q1 = Question("First?", prepare_seconds=10, answer_seconds=30, retakes=0)
Q1_ES = Question("¿Primera?", prepare_seconds=10, answer_seconds=30, retakes=0)


def sets(*, spanish: bool = True, read_aloud: bool = False) -> QuestionSets:
    english = QuestionSet(name="t", title="Test", consent="We record you.", questions=(Q1,),
                          practice=None, source=Path("t.toml"), read_aloud=read_aloud)
    by = {"en": english}
    if spanish:
        by["es"] = QuestionSet(name="t", title="Prueba", consent="Le grabamos.",
                               questions=(Q1_ES,), practice=None, source=Path("t.es.toml"),
                               language="es")
    return QuestionSets(by, "en")


def make(clock: Clock, questions: QuestionSets | None = None) -> flow.InterviewFlow:
    return flow.InterviewFlow(questions or sets(), flow.Timing(idle_s=60, thank_you_s=8),
                              clock)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def to_prepare(machine: flow.InterviewFlow, given: Accommodations = NONE) -> None:
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana", "s1", given))
    machine.handle(flow.AcceptConsent())
    machine.handle(flow.DevicesReady())
    machine.handle(flow.DevicesConfirmed())
    assert machine.state.screen is Screen.PREPARE


# -- the flow ------------------------------------------------------------------------

def test_extra_time_doubles_the_prepare_and_answer_deadlines(clock: Clock) -> None:
    machine = make(clock)
    to_prepare(machine, make_accommodations(extra_time=2))
    assert machine.state.deadline == clock.t + 20
    advance(machine, clock, 19.9)
    assert machine.state.screen is Screen.PREPARE
    advance(machine, clock, 0.1)
    assert machine.state.screen is Screen.ANSWER and machine.state.deadline == clock.t + 60
    machine.handle(flow.Activity())  # the voice, as the kiosk reports it
    advance(machine, clock, 59.9)
    assert machine.state.screen is Screen.ANSWER, "the set's 30 s would have ended it"
    advance(machine, clock, 0.1)
    assert machine.state.screen is Screen.THANK_YOU


def test_an_extra_retake_is_offered_where_the_set_gives_none(clock: Clock) -> None:
    machine = make(clock)
    to_prepare(machine, make_accommodations(extra_retakes=1))
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert machine.state.screen is Screen.RETAKE
    machine.handle(flow.TryAgain())
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert machine.state.screen is Screen.THANK_YOU, "one extra, not more"


def test_extra_time_gives_as_much_more_idle_time(clock: Clock) -> None:
    machine = make(clock)
    to_prepare(machine, make_accommodations(extra_time=2))
    assert machine.state.idle_deadline == clock.t + 120
    plain = make(clock)
    to_prepare(plain)
    assert plain.state.idle_deadline == clock.t + 60


def test_without_accommodations_the_set_decides(clock: Clock) -> None:
    machine = make(clock)
    to_prepare(machine)
    assert machine.current_question == Q1
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert machine.state.screen is Screen.THANK_YOU


def test_a_chosen_language_gives_its_set_and_is_stored_then_forgotten(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.ChooseLanguage("es"))
    assert machine.state.language == "es" and machine.state.screen is Screen.WELCOME
    assert machine.questions.title == "Prueba" and machine.in_language(machine.state)
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana"))
    effects = machine.handle(flow.AcceptConsent())
    assert flow.GiveConsent("Ana", None, "es") in effects
    machine.handle(flow.DevicesReady())
    machine.handle(flow.DevicesConfirmed())
    assert machine.current_question.text == "¿Primera?"
    machine.handle(flow.ChooseLanguage("en"))
    assert machine.state.language == "es", "not in the middle of the interview"
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert machine.state.screen is Screen.THANK_YOU and machine.state.language == "es"
    advance(machine, clock, 8)
    assert machine.state.screen is Screen.WELCOME and machine.state.language == "en"
    assert machine.questions.title == "Test"


def test_a_booth_failure_is_told_in_the_candidates_language_and_look(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.ChooseLanguage("es"))
    machine.handle(flow.ToggleAid(Aid.HIGH_CONTRAST))
    to_prepare_from_welcome(machine)
    machine.handle(flow.Failed(Notice.BOOTH_PROBLEM))
    state = machine.state
    assert (state.screen, state.language, state.high_contrast) == (
        Screen.UNAVAILABLE, "es", True)
    machine.handle(flow.Back())
    assert (machine.state.language, machine.state.high_contrast) == ("en", False)


def test_a_language_without_a_set_shows_the_default_and_says_so(clock: Clock) -> None:
    machine = make(clock, sets(spanish=False))
    machine.handle(flow.ChooseLanguage("es"))
    assert machine.questions.title == "Test" and not machine.in_language(machine.state)


def test_aids_toggle_and_are_gone_for_the_next_candidate(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.ToggleAid(Aid.LARGER_TEXT))
    machine.handle(flow.ToggleAid(Aid.HIGH_CONTRAST))
    machine.handle(flow.ToggleAid(Aid.HIGH_CONTRAST))
    assert machine.state.larger_text and not machine.state.high_contrast
    to_prepare_from_welcome(machine)
    machine.handle(flow.ToggleAid(Aid.HIGH_CONTRAST))
    assert not machine.state.high_contrast, "not while the questions are on screen"
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert machine.state.screen is Screen.THANK_YOU and machine.state.larger_text
    advance(machine, clock, 8)
    assert not machine.state.larger_text and machine.state.aids == frozenset()


def to_prepare_from_welcome(machine: flow.InterviewFlow) -> None:
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana"))
    machine.handle(flow.AcceptConsent())
    machine.handle(flow.DevicesReady())
    machine.handle(flow.ToggleAid(Aid.LARGER_TEXT))
    machine.handle(flow.ToggleAid(Aid.LARGER_TEXT))  # on the device check too
    machine.handle(flow.DevicesConfirmed())


def test_accommodations_bring_their_aids_and_read_aloud(clock: Clock) -> None:
    machine = make(clock)
    given = make_accommodations(larger_text=True, high_contrast=True, read_aloud=True)
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana", "s1", given))
    state = machine.state
    assert state.larger_text and state.high_contrast and machine.read_aloud(state)
    machine.handle(flow.Back())
    assert not machine.state.larger_text and not machine.read_aloud(machine.state), (
        "back to the names: the next name picked is someone else")


def test_a_set_can_ask_for_read_aloud(clock: Clock) -> None:
    assert make(clock, sets(read_aloud=True)).read_aloud(flow.FlowState())
    assert not make(clock).read_aloud(flow.FlowState())


# -- accommodations' values ------------------------------------------------------------

@pytest.mark.parametrize("values, says", [
    ({"extra_time": 0.5}, "Extra time must be a number from 1 to 3"),
    ({"extra_time": 3.5}, "Extra time must be a number from 1 to 3"),
    ({"extra_time": "abc"}, "not 'abc'"),
    ({"extra_time": True}, "Extra time"),
    ({"extra_retakes": -1}, "Extra retakes must be a whole number from 0 to 5"),
    ({"extra_retakes": 1.5}, "Extra retakes"),
    ({"read_aloud": "yes"}, "'read aloud' is on or off"),
])
def test_bad_accommodations_are_refused_in_words(values: dict, says: str) -> None:
    with pytest.raises(InvalidInputError, match=says):
        make_accommodations(**values)


def test_extra_time_rounds_up_to_whole_seconds_and_reads_back() -> None:
    given = make_accommodations(extra_time="1.5", extra_retakes="2", read_aloud=True)
    assert given.seconds(25) == 38 and given.seconds(30) == 45
    assert Accommodations.from_json(json.loads(json.dumps(given.to_json()))) == given
    assert given.in_words() == "1.5x time, 2 extra retakes, questions read aloud"
    assert Accommodations.from_json({"extra_time": 2, "from_a_newer_booth": 1}).extra_time == 2
    assert not NONE.any and NONE.in_words() == ""


# -- question sets and settings -----------------------------------------------------------

def _settings(tmp_path: Path, text: str = "") -> Settings:
    (tmp_path / "kiosk.toml").write_text(text, encoding="utf-8")
    return load_settings({"KIOSK_DATA_DIR": str(tmp_path)})


SET = """title = "T"
consent = "C"
{extra}
[[questions]]
text = "{question}"
"""


def test_the_shipped_default_set_is_in_english_and_spanish(tmp_path: Path) -> None:
    found = configured_question_sets(_settings(tmp_path))
    assert set(found.by_language) == {"en", "es"}
    english, spanish = found.by_language["en"], found.by_language["es"]
    assert len(english.questions) == len(spanish.questions)
    for a, b in zip(english.questions, spanish.questions, strict=True):
        assert (a.prepare_seconds, a.answer_seconds, a.retakes) == (
            b.prepare_seconds, b.answer_seconds, b.retakes), "the same interview in both"
        assert a.text != b.text
    assert found.for_language("fr") == (english, False)


def test_an_admins_set_per_language_wins_over_the_shipped_one(tmp_path: Path) -> None:
    folder = tmp_path / "question_sets"
    folder.mkdir()
    (folder / "default.es.toml").write_text(SET.format(extra="", question="¿Mía?"),
                                            encoding="utf-8")
    found = configured_question_sets(_settings(tmp_path, 'language = "es"\n'))
    assert found.default.questions[0].text == "¿Mía?" and found.default_language == "es"
    assert found.by_language["en"].source.parent.name == "question_sets"
    assert found.by_language["en"].source.parent != folder


@pytest.mark.parametrize("name, extra, says", [
    ("default.es.toml", 'language = "fr"', "'language' says 'fr', but the file's name says 'es'"),
    ("default.toml", 'language = "Spanish"', "'language' must be a language code"),
    ("default.toml", "read_aloud = 1", "'read_aloud' must be true or false"),
])
def test_a_bad_language_or_read_aloud_names_the_line(tmp_path: Path, name: str, extra: str,
                                                     says: str) -> None:
    folder = tmp_path / "question_sets"
    folder.mkdir()
    (folder / name).write_text(SET.format(extra=extra, question="Q?"), encoding="utf-8")
    with pytest.raises(QuestionSetError, match=f"{name}, line 3: {says}"):
        configured_question_sets(_settings(tmp_path))


def test_two_files_for_one_language_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "question_sets"
    folder.mkdir()
    (folder / "default.toml").write_text(SET.format(extra='language = "es"', question="Q?"),
                                         encoding="utf-8")
    (folder / "default.es.toml").write_text(SET.format(extra="", question="Q?"),
                                            encoding="utf-8")
    with pytest.raises(QuestionSetError, match="are both the set 'default' in 'es'"):
        configured_question_sets(_settings(tmp_path))


@pytest.mark.parametrize("text, says", [
    ('language = "English"', "'language' in .* must be a language code"),
    ('[interview]\nlanguages = "en"', "'interview.languages' in .* must be a list"),
    ('[interview]\nlanguages = []', "at least one language"),
    ('[interview]\nlanguages = ["en", "en"]', "names a language twice"),
    ('[interview]\nlanguages = ["en", 3]', "must hold language codes"),
])
def test_bad_language_settings_name_the_key(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        _settings(tmp_path, text)


def test_language_settings(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 'language = "es"\n[interview]\nlanguages = ["es", "en"]\n')
    assert settings.language == "es" and settings.interview.languages == ("es", "en")
    (tmp_path / "x").mkdir()
    assert _settings(tmp_path / "x").interview.languages == ("en", "es")


# -- the schedule's store ------------------------------------------------------------------

@pytest.fixture
def db(settings: Settings) -> Database:
    database = open_configured(settings)
    yield database
    database.close()


def _events(db: Database) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_schedule_change_and_cancel_are_audited_with_who(db: Database,
                                                         settings: Settings) -> None:
    given = make_accommodations(extra_time=2, extra_retakes=1, read_aloud=True)
    first = schedule_candidate(db, "Ana Müller", position="Picker", accommodations=given,
                               by="Rita")
    with db.session() as s:
        (row,) = scheduled_today(s)
        as_json = session_to_dict(row, settings.recordings_dir)
    assert row.id == first and as_json["accommodations"] == given.to_json()
    change_scheduled(db, first, candidate="Ana Müller", position="Picker",
                     accommodations=make_accommodations(extra_time=1.5), by="Rita")
    change_scheduled(db, first, candidate="Ana Müller", position="Picker",
                     accommodations=make_accommodations(extra_time=1.5), by="Rita")
    second = schedule_candidate(db, "Bo", by="command line (it)")
    cancel_scheduled(db, second, by="command line (it)")
    events = _events(db)
    assert [(e.action, e.operator_name, e.session_id) for e in events] == [
        (Action.SESSION_SCHEDULED, "Rita", first),
        (Action.SCHEDULE_CHANGED, "Rita", first),  # the same change again wrote nothing
        (Action.SESSION_SCHEDULED, "command line (it)", second),
        (Action.SCHEDULE_CANCELLED, "command line (it)", second),
    ]
    changed = json.loads(events[1].detail)
    assert changed["before"]["accommodations"]["extra_time"] == 2
    assert changed["after"]["accommodations"] == make_accommodations(extra_time=1.5).to_json()
    with db.session() as s:
        assert s.get(InterviewSession, second) is None
        assert verify_chain(s).ok


def test_a_started_or_missing_session_is_not_the_schedules_to_change(db: Database) -> None:
    waiting = schedule_candidate(db, "Ana", accommodations=make_accommodations(extra_time=2))
    taken = give_consent(db, "Ana", waiting, language="es")
    assert taken == waiting
    with pytest.raises(StatusChangeError, match="they have just begun it at a booth"):
        change_scheduled(db, waiting, candidate="Ana", position=None, accommodations=NONE)
    with pytest.raises(StatusChangeError):
        cancel_scheduled(db, waiting)
    with pytest.raises(NotFoundError):
        cancel_scheduled(db, "no-such-id")
    with pytest.raises(InvalidInputError, match="Please enter a name"):
        change_scheduled(db, schedule_candidate(db, "Bo"), candidate="  ", position=None,
                         accommodations=NONE)
    with db.session() as s:
        row = s.get(InterviewSession, waiting)
        assert row.language == "es" and json.loads(row.accommodations)["extra_time"] == 2
    assert [e.action for e in _events(db)] == [Action.SESSION_SCHEDULED] * 2


def test_a_candidate_whose_session_another_booth_took_keeps_their_accommodations(
        db: Database) -> None:
    waiting = schedule_candidate(db, "Ana", accommodations=make_accommodations(extra_time=2))
    give_consent(db, "Ana", waiting)
    with db.session() as s, s.begin():
        s.get(InterviewSession, waiting).status = "in_progress"
    own = give_consent(db, "Ana", waiting, language="en")
    with db.session() as s:
        assert own != waiting
        assert json.loads(s.get(InterviewSession, own).accommodations)["extra_time"] == 2
