"""The candidate's languages: which ship, and switching Qt's translation to one at run time.

The screens' words are Qt translations (`self.tr`, `QCoreApplication.translate`), kept as
`translations/kiosk_<code>.ts` in the repository and compiled to `.qm` by `scripts/translations`
(the set-up and the bundle call it) into `resources/translations/`, where kiosk.resources finds
them from a checkout and in the bundle alike. English is the source language: its `.qm` holds
only the plural forms ("1 question", "2 questions"); every other sentence is the source text.

A `.qm` that is missing (a checkout whose set-up has not run since a `.ts` changed) is compiled
on the fly into a temporary folder when its `.ts` and Qt's lrelease are at hand; otherwise the
candidate reads English and the log says why. A language never stops the booth.

Only the candidate's translator is switched here, and only the candidate's widgets are turned
right-to-left (CandidateKiosk sets its own layout direction): the staff side keeps the booth's.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTranslator

from kiosk.resources import resource_path

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
# The candidate languages that ship, each named in its own language (as Welcome offers it).
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
CATALOGUE = "kiosk"  # kiosk_<code>.ts / .qm
# The .ts sources are in the checkout only; the bundle carries the compiled .qm alone.
SOURCE_DIR = Path(__file__).resolve().parent.parent.parent / "translations"
# What lupdate reads: every file with a candidate-facing string or a marker for one.
_PACKAGE = Path(__file__).resolve().parent.parent
TRANSLATED_SOURCES = ("ui/candidate", "ui/widgets", "words.py", "interview")


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in its own language
    qm: Path | None  # None: the source language with no .qm, or one not found
    right_to_left: bool
    locale: QLocale  # dates and numbers


# Languages added while the kiosk runs (the pseudo-translations of tests and screenshots):
# code -> (name, .qm, right to left, locale name).
_EXTRA: dict[str, tuple[str, Path, bool, str]] = {}
_compiled_dir: Path | None = None


def register_language(code: str, name: str, qm: Path, *, right_to_left: bool = False,
                      locale: str = SOURCE_LANGUAGE) -> None:
    """Make `code` a language the candidate side can switch to (a pseudo-translation)."""
    _EXTRA[code] = (name, qm, right_to_left, locale)


def language_name(code: str) -> str:
    if code in _EXTRA:
        return _EXTRA[code][0]
    return LANGUAGES.get(code) or QLocale(code).nativeLanguageName() or code


def locale_of(code: str) -> QLocale:
    """How `code` writes dates and numbers."""
    return QLocale(_EXTRA[code][3] if code in _EXTRA else code)


def qm_dir() -> Path:
    return resource_path("translations")


def qt_tool(name: str) -> Path:
    """Qt's `lrelease` or `lupdate`, as the PySide6 wheel carries it."""
    import PySide6

    folder = Path(PySide6.__file__).resolve().parent
    for candidate in (folder / name, folder / "Qt" / "libexec" / name, folder / f"{name}.exe"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"PySide6 has no {name} in {folder}")


def compile_translations(sources: Path = SOURCE_DIR, out: Path | None = None) -> list[Path]:
    """Compile every `sources/*.ts` to `out/*.qm` (default: where the kiosk loads them);
    return the .qm files written."""
    out = out or qm_dir()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for ts in sorted(sources.glob("*.ts")):
        written.append(compile_one(ts, out / f"{ts.stem}.qm"))
    return written


def compile_one(ts: Path, qm: Path) -> Path:
    result = subprocess.run([str(qt_tool("lrelease")), "-silent", str(ts), "-qm", str(qm)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0 or not qm.is_file():
        raise RuntimeError(f"lrelease could not compile {ts}: "
                           f"{(result.stderr or result.stdout).strip()}")
    return qm


def update_sources(ts: Path, *extra: str) -> str:
    """Run lupdate over the translated sources into `ts` (created or updated); its report."""
    result = subprocess.run([str(qt_tool("lupdate")), *map(str, translated_files()),
                             "-locations", "none", "-no-obsolete", *extra, "-ts", str(ts)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"lupdate failed: {(result.stderr or result.stdout).strip()}")
    return result.stdout + result.stderr


def translated_files() -> list[Path]:
    """The Python files lupdate reads (it does not look inside folders for them)."""
    found: list[Path] = []
    for part in TRANSLATED_SOURCES:
        path = _PACKAGE / part
        found.extend(sorted(path.glob("*.py")) if path.is_dir() else [path])
    return found


def _find_qm(code: str) -> Path | None:
    global _compiled_dir
    if code in _EXTRA:
        return _EXTRA[code][1]
    qm = qm_dir() / f"{CATALOGUE}_{code}.qm"
    ts = SOURCE_DIR / f"{CATALOGUE}_{code}.ts"
    # In a checkout, a .ts edited since the set-up compiled it wins over the old .qm.
    if qm.is_file() and not (ts.is_file() and ts.stat().st_mtime > qm.stat().st_mtime):
        return qm
    if not ts.is_file():
        if code != SOURCE_LANGUAGE:
            log.warning("no translation for the language %r: the candidate reads English",
                        code)
        return None
    try:
        if _compiled_dir is None:
            _compiled_dir = Path(tempfile.mkdtemp(prefix="kiosk-translations-"))
        compiled = _compiled_dir / qm.name
        if not compiled.is_file():
            log.warning("%s is missing or older than %s (run scripts/translations): "
                        "compiled for now", qm, ts.name)
            compile_one(ts, compiled)
        return compiled
    except (OSError, RuntimeError) as exc:
        log.warning("the %r translation cannot be compiled (%s): the candidate reads English",
                    code, exc)
        return None


def language(code: str) -> Language:
    if code in _EXTRA:
        name, qm, rtl, locale = _EXTRA[code]
        return Language(code, name, qm, rtl, QLocale(locale))
    locale = QLocale(code)
    return Language(code, language_name(code), _find_qm(code),
                    locale.textDirection() == Qt.LayoutDirection.RightToLeft, locale)


class CandidateTranslation:
    """The candidate's translator: one at a time, switched when the candidate chooses."""

    def __init__(self) -> None:
        self._translator: QTranslator | None = None
        self._cache: dict[str, QTranslator] = {}
        self.current = Language(SOURCE_LANGUAGE, language_name(SOURCE_LANGUAGE), None, False,
                                QLocale(SOURCE_LANGUAGE))
        self._code: str | None = None

    @property
    def code(self) -> str | None:
        return self._code

    def switch(self, code: str) -> Language:
        """Install `code`'s translation (Qt then sends every widget a LanguageChange)."""
        if code == self._code:
            return self.current
        wanted = language(code)
        translator = self._cache.get(code)
        if translator is None and wanted.qm is not None:
            translator = QTranslator()
            if not translator.load(str(wanted.qm)):
                log.warning("%s does not load: the candidate reads English", wanted.qm)
                translator = None
            else:
                self._cache[code] = translator
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
        self._translator = translator
        if translator is not None and app is not None:
            app.installTranslator(translator)
        self._code, self.current = code, wanted
        return wanted

    def close(self) -> None:
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
        self._translator, self._code = None, None
