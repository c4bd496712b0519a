"""Question sets: TOML files with a title, the consent text and the questions to ask.

The shipped sets live in `resources/question_sets/`; an admin may add a folder of their own
(`[interview] question_sets_dir`), whose files win over shipped ones of the same name.
A file that cannot be used is refused with a message naming the file, the line and the
problem, so whoever wrote it can fix it without reading code:

    title = "Customer support"
    consent = "We record your answers ..."
    prepare_seconds = 30        # defaults for every question below
    answer_seconds = 120
    retakes = 1                 # extra tries a candidate may take

    [practice]                  # optional; never recorded
    text = "What did you have for breakfast?"

    [[questions]]
    text = "Tell us about yourself."
    answer_seconds = 90         # overrides the default
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from kiosk.config import Settings
from kiosk.errors import InvalidInputError
from kiosk.resources import resource_path

SUFFIX = ".toml"
MAX_QUESTIONS = 50
MAX_TEXT_LENGTH = 2000
MAX_CONSENT_LENGTH = 20_000
LIMITS = {"prepare_seconds": (0, 600), "answer_seconds": (5, 3600), "retakes": (0, 5)}
DEFAULTS = {"prepare_seconds": 30, "answer_seconds": 120, "retakes": 1}
TOP_KEYS = {"title", "consent", "practice", "questions", *LIMITS}
QUESTION_KEYS = {"text", *LIMITS}


class QuestionSetError(InvalidInputError):
    """A question set file is missing, unreadable or not what it should be."""


@dataclass(frozen=True)
class Question:
    text: str
    prepare_seconds: int
    answer_seconds: int
    retakes: int  # tries beyond the first

    @property
    def tries(self) -> int:
        return 1 + self.retakes


@dataclass(frozen=True)
class QuestionSet:
    name: str  # the file's stem, how settings refer to it
    title: str
    consent: str
    questions: tuple[Question, ...]
    practice: Question | None
    source: Path


def load_question_set(path: Path) -> QuestionSet:
    """Read and check one file; QuestionSetError says `file, line N: problem`."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise QuestionSetError(f"The question set {path} does not exist.") from None
    except UnicodeDecodeError:
        raise QuestionSetError(f"{path}: not UTF-8 text.") from None
    except OSError as exc:
        raise QuestionSetError(f"The question set {path} cannot be read: {exc.strerror}.") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionSetError(f"{path}, line {_decode_error_line(exc, text)}: "
                               f"{_decode_error_problem(exc)}.") from None
    return _Checker(path, text).question_set(table)


def find_question_set(name: str, folders: list[Path]) -> QuestionSet:
    """The set called `name` (a file stem) in the first folder that has it, or a path to one."""
    as_path = Path(name)
    if as_path.suffix == SUFFIX:
        return load_question_set(as_path)
    for folder in folders:
        candidate = folder / f"{name}{SUFFIX}"
        if candidate.is_file():
            return load_question_set(candidate)
    searched = ", ".join(str(f) for f in folders)
    raise QuestionSetError(f"No question set called '{name}' in {searched}.")


def configured_question_set(settings: Settings) -> QuestionSet:
    """The set the settings name: the admin's folder first, then the shipped sets."""
    name = settings.interview.question_set
    if name.endswith(SUFFIX):
        return load_question_set(settings.data_dir / name)  # an absolute path stays itself
    return find_question_set(name, [settings.question_sets_dir, resource_path("question_sets")])


def _decode_error_line(exc: tomllib.TOMLDecodeError, text: str) -> int:
    found = re.search(r"at line (\d+)", str(exc))
    return int(found.group(1)) if found else max(1, text.count("\n") + 1)


def _decode_error_problem(exc: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))


class _Checker:
    """Checks a parsed table, finding the line of each key in the text for its messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.splitlines()

    def question_set(self, table: dict[str, Any]) -> QuestionSet:
        self._unknown_keys(table, TOP_KEYS, section=None)
        defaults = {key: self._seconds(table, key, DEFAULTS[key], section=None) for key in LIMITS}
        title = self._text(table, "title", None, MAX_TEXT_LENGTH)
        consent = self._text(table, "consent", None, MAX_CONSENT_LENGTH)
        practice = None
        if "practice" in table:
            if not isinstance(table["practice"], dict):
                self._fail("'practice' must be a table ([practice])", self._line_of("practice"))
            practice = self._question(table["practice"], defaults, ("practice", 0))
        entries = table.get("questions")
        if not isinstance(entries, list) or not entries:
            where = self._line_of("questions") if "questions" in table else len(self.lines)
            self._fail("there must be at least one [[questions]] entry with a text", where or 1)
        if len(entries) > MAX_QUESTIONS:
            self._fail(f"at most {MAX_QUESTIONS} questions, not {len(entries)}",
                       self._section_line(("questions", MAX_QUESTIONS)))
        questions = tuple(self._question(entry, defaults, ("questions", n))
                          for n, entry in enumerate(entries))
        return QuestionSet(name=self.path.stem, title=title, consent=consent,
                           questions=questions, practice=practice, source=self.path)

    def _question(self, entry: Any, defaults: dict[str, int],
                  section: tuple[str, int]) -> Question:
        if not isinstance(entry, dict):
            self._fail("each question must be a [[questions]] table", self._line_of(section[0]))
        self._unknown_keys(entry, QUESTION_KEYS, section)
        return Question(
            text=self._text(entry, "text", section, MAX_TEXT_LENGTH),
            **{key: self._seconds(entry, key, defaults[key], section) for key in LIMITS},
        )

    def _text(self, table: dict, key: str, section: tuple[str, int] | None, longest: int) -> str:
        value = table.get(key)
        where = self._key_line(key, section)
        if value is None:
            owner = f"[{section[0]}] entry {section[1] + 1}" if section else "the file"
            self._fail(f"'{key}' is missing from {owner}", where)
        if not isinstance(value, str) or not value.strip():
            self._fail(f"'{key}' must be some text", where)
        if len(value) > longest:
            self._fail(f"'{key}' is longer than {longest} characters", where)
        return value.strip()

    def _seconds(self, table: dict, key: str, default: int,
                 section: tuple[str, int] | None) -> int:
        value = table.get(key, default)
        low, high = LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self._fail(f"'{key}' must be a whole number from {low} to {high}, not {value!r}",
                       self._key_line(key, section))
        return value

    def _unknown_keys(self, table: dict, known: set[str], section: tuple[str, int] | None) -> None:
        for key in table:
            if key not in known:
                self._fail(f"unknown key '{key}' (known: {', '.join(sorted(known))})",
                           self._key_line(key, section))

    def _fail(self, problem: str, line: int) -> NoReturn:
        raise QuestionSetError(f"{self.path}, line {line}: {problem}.")

    # tomllib gives no positions for values, so lines are found in the text: a key's line is
    # the first `key =` inside its section (the n-th [[questions]] header, or [practice]).
    def _section_line(self, section: tuple[str, int]) -> int:
        name, n = section
        header = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?")
        seen = -1
        for number, line in enumerate(self.lines, start=1):
            if header.match(line):
                seen += 1
                if seen == n:
                    return number
        return 1

    def _key_line(self, key: str, section: tuple[str, int] | None) -> int:
        start = self._section_line(section) if section else 1
        assignment = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        any_header = re.compile(r"^\s*\[")
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if number > start and any_header.match(line):
                break  # the key is not in this section: point at the section itself
            if assignment.match(line):
                return number
        return start

    def _line_of(self, key: str) -> int:
        return self._key_line(key, None)

