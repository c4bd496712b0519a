"""`kiosk sessions add / edit / cancel` with accommodations: stored, shown, audited with
the command line's actor, and every bad value refused in one line with nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.store.audit import Action
from kiosk.store.database import open_configured
from kiosk.store.models import AuditEvent
from kiosk.store.sessions import give_consent

NO_ACCOMMODATIONS = {"extra_time": 1.0, "extra_retakes": 0, "larger_text": False,
                     "high_contrast": False, "read_aloud": False}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def audit_events() -> list[tuple[str, str | None, dict]]:
    db = open_configured(load_settings())
    try:
        with db.session() as s:
            rows = s.execute(select(AuditEvent.action, AuditEvent.operator_name,
                                    AuditEvent.detail).order_by(AuditEvent.id)).all()
    finally:
        db.close()
    return [(action, who, json.loads(detail) if detail else {}) for action, who, detail in rows]


def add(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, "sessions", "add", *argv)
    assert code == 0, err
    return out.strip()


def test_add_with_accommodations_stores_shows_and_audits_them(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = run_json(capsys, "sessions", "add", "Ana Müller", "--position", "Support",
                   "--extra-time", "1.5", "--extra-retakes", "1", "--read-aloud",
                   "--high-contrast")
    assert row["status"] == "scheduled" and row["position"] == "Support"
    assert row["accommodations"] == {**NO_ACCOMMODATIONS, "extra_time": 1.5,
                                     "extra_retakes": 1, "high_contrast": True,
                                     "read_aloud": True}
    assert row["language"] is None

    code, out, _ = run(capsys, "sessions", "show", row["session_id"])
    assert code == 0
    assert ("Accommodations: 1.5x time, 1 extra retake, high contrast, questions read aloud"
            in out.splitlines())
    code, out, _ = run(capsys, "sessions", "list")
    assert "Ana Müller  (1.5x time, 1 extra retake, high contrast, questions read aloud)" in out
    assert run_json(capsys, "sessions", "show", row["session_id"])["accommodations"] == \
        row["accommodations"]

    [(action, who, detail)] = audit_events()
    assert action == Action.SESSION_SCHEDULED
    assert who is not None and who.startswith("command line")
    assert detail["accommodations"] == row["accommodations"]


def test_add_without_options_gives_none(data_dir: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    session_id = add(capsys, "Kwame Mensah")
    assert run_json(capsys, "sessions", "show", session_id)["accommodations"] == \
        NO_ACCOMMODATIONS
    _code, out, _ = run(capsys, "sessions", "show", session_id)
    assert "Accommodations: none" in out.splitlines()


def test_edit_changes_only_what_is_given_and_is_audited(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session_id = add(capsys, "Zoë O'Brien", "--position", "Team lead", "--extra-time", "2",
                     "--read-aloud", "--larger-text")
    row = run_json(capsys, "sessions", "edit", session_id, "--extra-retakes", "2",
                   "--no-read-aloud")
    assert row["candidate_name"] == "Zoë O'Brien" and row["position"] == "Team lead"
    assert row["accommodations"] == {**NO_ACCOMMODATIONS, "extra_time": 2.0,
                                     "extra_retakes": 2, "larger_text": True}
    row = run_json(capsys, "sessions", "edit", session_id, "--name", "Zoe O'Brien",
                   "--position", "", "--extra-time", "1")
    assert row["candidate_name"] == "Zoe O'Brien" and row["position"] is None
    assert row["accommodations"]["extra_time"] == 1.0
    assert row["accommodations"]["larger_text"] is True

    changes = [(who, detail) for action, who, detail in audit_events()
               if action == Action.SCHEDULE_CHANGED]
    assert len(changes) == 2
    who, detail = changes[0]
    assert who is not None and who.startswith("command line")
    assert detail["before"]["accommodations"]["read_aloud"] is True
    assert detail["after"]["accommodations"]["read_aloud"] is False
    assert detail["after"]["accommodations"]["extra_retakes"] == 2


def test_cancel_removes_a_scheduled_candidate_and_is_audited(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session_id = add(capsys, "Ana Müller")
    code, out, err = run(capsys, "sessions", "cancel", session_id)
    assert code == 0 and "Ana Müller" in out and "cancelled" in out and err == ""
    code, _, err = run(capsys, "sessions", "show", session_id)
    assert code == 1
    action, who, detail = audit_events()[-1]
    assert action == Action.SCHEDULE_CANCELLED and who.startswith("command line")
    assert detail["candidate_name"] == "Ana Müller"


@pytest.mark.parametrize(("options", "says"), [
    (("--extra-time", "0.5"), "Extra time must be a number from 1 to 3"),
    (("--extra-time", "4"), "Extra time must be a number from 1 to 3"),
    (("--extra-time", "abc"), "'abc'"),
    (("--extra-retakes", "-1"), "Extra retakes must be a whole number from 0 to 5"),
    (("--extra-retakes", "6"), "Extra retakes must be a whole number from 0 to 5"),
    (("--extra-retakes", "1.5"), "'1.5'"),
])
def test_bad_values_are_refused_in_one_line_and_nothing_changes(
        data_dir: Path, capsys: pytest.CaptureFixture[str], options: tuple[str, ...],
        says: str) -> None:
    code, out, err = run(capsys, "sessions", "add", "Ana Müller", *options)
    assert code == 1 and out == ""
    assert says in err and err.count("\n") == 1 and err.startswith("kiosk: ")
    assert run(capsys, "sessions", "list", "--json")[1].strip() == "[]"

    session_id = add(capsys, "Kwame Mensah", "--extra-time", "1.5")
    code, out, err = run(capsys, "sessions", "edit", session_id, *options)
    assert code == 1 and out == "" and says in err and err.count("\n") == 1
    assert run_json(capsys, "sessions", "show", session_id)["accommodations"]["extra_time"] \
        == 1.5
    assert [action for action, _who, _detail in audit_events()] == [Action.SESSION_SCHEDULED]


def test_an_unknown_id_is_refused_in_one_line(data_dir: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    for command in (("edit", "nope", "--extra-time", "2"), ("cancel", "nope")):
        code, out, err = run(capsys, "sessions", *command)
        assert code == 1 and out == ""
        assert "'nope'" in err and err.count("\n") == 1
    assert audit_events() == []


def test_a_candidate_who_has_begun_cannot_be_changed_or_cancelled(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session_id = add(capsys, "Ana Müller", "--extra-time", "2")
    db = open_configured(load_settings())
    try:
        give_consent(db, "Ana Müller", session_id, language="es")
    finally:
        db.close()
    for command in (("edit", session_id, "--extra-time", "3"), ("cancel", session_id)):
        code, out, err = run(capsys, "sessions", *command)
        assert code == 1 and out == ""
        assert "begun it at a booth" in err and err.count("\n") == 1
    row = run_json(capsys, "sessions", "show", session_id)
    assert row["accommodations"]["extra_time"] == 2.0 and row["language"] == "es"
    code, out, _ = run(capsys, "sessions", "show", session_id)
    assert "Language:       es" in out.splitlines()
