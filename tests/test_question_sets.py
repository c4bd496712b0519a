"""Question set files: the shipped one loads, and a bad file names the file, line and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.interview.question_sets import (
    QuestionSetError,
    find_question_set,
    load_question_set,
)
from kiosk.resources import resource_path

GOOD = """\
title = "Support desk"
consent = "We record you."
prepare_seconds = 20

[practice]
text = "Warm up?"
answer_seconds = 15

[[questions]]
text = "One?"

[[questions]]
text = "Two?"
retakes = 0
answer_seconds = 45
"""


def write(tmp_path: Path, text: str, name: str = "set.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_with_defaults_and_overrides(tmp_path: Path) -> None:
    loaded = load_question_set(write(tmp_path, GOOD))
    assert (loaded.name, loaded.title, loaded.consent) == ("set", "Support desk", "We record you.")
    one, two = loaded.questions
    assert (one.text, one.prepare_seconds, one.answer_seconds, one.retakes) == ("One?", 20, 120, 1)
    assert (two.answer_seconds, two.retakes, two.tries) == (45, 0, 1)
    assert loaded.practice is not None and loaded.practice.answer_seconds == 15


def test_the_shipped_default_set_loads() -> None:
    default = find_question_set("default", [resource_path("question_sets")])
    assert len(default.questions) >= 3 and default.practice is not None
    assert "record" in default.consent


def test_an_admin_folder_wins_over_the_shipped_one(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "default.toml")
    found = find_question_set("default", [tmp_path, resource_path("question_sets")])
    assert found.title == "Support desk"


@pytest.mark.parametrize(("text", "line", "problem"), [
    (GOOD.replace('text = "Two?"', 'text = "Two?'), 13, "Illegal character"),  # unclosed quote
    (GOOD.replace("retakes = 0", "retakes = 9"), 14, "'retakes' must be a whole number from 0"),
    (GOOD.replace("retakes = 0", 'retakes = "two"'), 14, "'retakes' must be a whole number"),
    (GOOD.replace('text = "One?"', 'txt = "One?"'), 10, "unknown key 'txt'"),
    (GOOD.replace('text = "One?"', 'text = "  "'), 10, "'text' must be some text"),
    (GOOD.replace('text = "One?"\n', ""), 9, "'text' is missing from [questions] entry 1"),
    (GOOD.replace('consent = "We record you."\n', ""), 1, "'consent' is missing"),
    (GOOD.replace("prepare_seconds = 20", "prepare_seconds = true"), 3, "'prepare_seconds'"),
    (GOOD.replace("answer_seconds = 15", "answer_seconds = 2"), 7, "'answer_seconds'"),
    (GOOD.split("[[questions]]")[0], 8, "at least one [[questions]]"),
])
def test_a_bad_file_names_the_file_the_line_and_the_problem(
        tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(QuestionSetError) as raised:
        load_question_set(path)
    message = str(raised.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert problem in message


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes('title = "Caf\xe9"'.encode("latin-1"))
    with pytest.raises(QuestionSetError, match="not UTF-8"):
        load_question_set(tmp_path / "latin1.toml")
    with pytest.raises(QuestionSetError, match="No question set called 'nope'"):
        find_question_set("nope", [tmp_path])
    with pytest.raises(QuestionSetError, match="does not exist"):
        find_question_set(str(tmp_path / "gone.toml"), [])
