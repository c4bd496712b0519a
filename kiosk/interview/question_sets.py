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

A set is in one language (`language = "es"`; English if it does not say) and may ask for
its questions to be read aloud (`read_aloud = true`). One name may have a file per
language: `default.toml` and `default.es.toml` are both the set "default", and a candidate
who chose Spanish gets the second (`QuestionSets`).
"""

from __future__ import annotations

import glob
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
TOP_KEYS = {"title", "consent", "practice", "questions", "language", "read_aloud", *LIMITS}
DEFAULT_LANGUAGE = "en"
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
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
    language: str = DEFAULT_LANGUAGE
    read_aloud: bool = False


@dataclass(frozen=True)
class QuestionSets:
    """One set by name, in each language it is written in."""

    by_language: dict[str, QuestionSet]
    default_language: str  # the booth's: its set is the one shown when a language has none

    @property
    def default(self) -> QuestionSet:
        found = self.by_language.get(self.default_language)
        return found if found is not None else next(iter(self.by_language.values()))

    def for_language(self, language: str) -> tuple[QuestionSet, bool]:
        """The set in `language`, and True; or the default set, and False."""
        found = self.by_language.get(language)
        return (found, True) if found is not None else (self.default, False)


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
    """The set the settings name, in the booth's language (see configured_question_sets)."""
    return configured_question_sets(settings).default


def configured_question_sets(settings: Settings) -> QuestionSets:
    """The set the settings name in every language it has: for each language, the admin's
    folder first, then the shipped sets. A path to one .toml file is that file alone."""
    name = settings.interview.question_set
    if name.endswith(SUFFIX):
        one = load_question_set(settings.data_dir / name)  # an absolute path stays itself
        return QuestionSets({one.language: one}, settings.language)
    folders = [settings.question_sets_dir, resource_path("question_sets")]
    found: dict[str, QuestionSet] = {}
    for folder in folders:
        in_folder: dict[str, QuestionSet] = {}
        for path in _files_of(name, folder):
            loaded = load_question_set(path)
            if loaded.language in in_folder:
                raise QuestionSetError(
                    f"{path} and {in_folder[loaded.language].source} are both the set "
                    f"'{name}' in '{loaded.language}': keep one of them.")
            in_folder[loaded.language] = loaded
        for language, loaded in in_folder.items():
            found.setdefault(language, loaded)  # the admin's folder came first
    if not found:
        searched = ", ".join(str(f) for f in folders)
        raise QuestionSetError(f"No question set called '{name}' in {searched}.")
    return QuestionSets(found, settings.language)


def _files_of(name: str, folder: Path) -> list[Path]:
    """`name.toml` and `name.<language>.toml` in `folder`."""
    if not folder.is_dir():
        return []
    plain = folder / f"{name}{SUFFIX}"
    tagged = sorted(p for p in folder.glob(f"{glob.escape(name)}.*{SUFFIX}")
                    if p != plain and LANGUAGE_TAG.fullmatch(p.name[len(name) + 1:-len(SUFFIX)]))
    return ([plain] if plain.is_file() else []) + [p for p in tagged if p.is_file()]


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
        language = self._language(table)
        read_aloud = table.get("read_aloud", False)
        if not isinstance(read_aloud, bool):
            self._fail("'read_aloud' must be true or false", self._line_of("read_aloud"))
        return QuestionSet(name=self.path.stem.split(".")[0], title=title, consent=consent,
                           questions=questions, practice=practice, source=self.path,
                           language=language, read_aloud=read_aloud)

    def _language(self, table: dict[str, Any]) -> str:
        # The file's name may say it (default.es.toml); the key must then agree.
        parts = self.path.name[:-len(SUFFIX)].split(".", 1) if self.path.name.endswith(
            SUFFIX) else [self.path.stem]
        named = parts[1] if len(parts) == 2 and LANGUAGE_TAG.fullmatch(parts[1]) else None
        value = table.get("language", named or DEFAULT_LANGUAGE)
        if not isinstance(value, str) or not LANGUAGE_TAG.fullmatch(value):
            self._fail(f"'language' must be a language code such as \"en\" or \"es\", not "
                       f"{value!r}", self._line_of("language"))
        if named is not None and value != named:
            self._fail(f"'language' says {value!r}, but the file's name says {named!r}",
                       self._line_of("language"))
        return value

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

