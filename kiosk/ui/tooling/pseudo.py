"""Pseudo-translations of the candidate's screens, made on demand for tests and screenshots.

Neither is a language anyone reads; each shows what a real one would do to the layout:
- LONG ("x-long"): every sentence 40% longer (Spanish, German and French run 20 to 40%
  longer than English), its letters accented so that an untranslated string stands out;
- RTL ("x-rtl"): the letters swapped for Hebrew ones, and the screens turned right-to-left.

They are made from the current sources (lupdate into a scratch .ts, so a sentence added
since the shipped .ts files were last updated is in them too; the shipped Spanish .ts if
lupdate is not at hand), compiled with lrelease, and registered with kiosk.ui.i18n. The
placeholders (`{name}`, `%n`, `%1`) are kept as they are, or the screens could not fill them.
"""

from __future__ import annotations

import math
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from kiosk.ui.i18n import SOURCE_DIR, compile_one, register_language, update_sources

LONG, RTL = "x-long", "x-rtl"
GROWTH = 1.4
PLACEHOLDER = re.compile(r"(\{[a-z_]+\}|%n|%\d)")
_ACCENTED = dict(zip("aceinorsuyzACEINORSUYZ", "àçéîñøŕšûýžÀÇÉÎÑØŔŠÛÝŽ", strict=True))
_HEBREW = "אבגדהוזחטיכלמנסעפצקרשת"
# Each Latin letter its own Hebrew one (the 26 letters over 22, some twice).
_TO_HEBREW = {letter: _HEBREW[n % len(_HEBREW)]
              for n, letter in enumerate("abcdefghijklmnopqrstuvwxyz")}
_FILLER = "ẋẍẋẍẋ"

_made: dict[str, Path] = {}


def longer(text: str) -> str:
    """`text` accented and padded with words to 40% more characters, placeholders kept."""
    parts = PLACEHOLDER.split(text)
    shown = "".join(part if PLACEHOLDER.fullmatch(part) else
                    "".join(_ACCENTED.get(ch, ch) for ch in part) for part in parts)
    wanted = math.ceil(len(text) * GROWTH)
    padding = []
    while len(shown) + sum(len(p) + 1 for p in padding) < wanted:
        room = wanted - len(shown) - sum(len(p) + 1 for p in padding) - 1
        padding.append(_FILLER[:max(1, min(len(_FILLER), room))])
    return " ".join([shown, *padding])


def right_to_left(text: str) -> str:
    """`text` in Hebrew letters, placeholders, digits and punctuation kept."""
    parts = PLACEHOLDER.split(text)
    return "".join(part if PLACEHOLDER.fullmatch(part) else
                   "".join(_TO_HEBREW.get(ch.lower(), ch) for ch in part) for part in parts)


def _scratch_ts(folder: Path, language: str) -> Path:
    ts = folder / f"pseudo_{language}.ts"
    try:
        update_sources(ts, "-target-language", language, "-source-language", "en")
    except (OSError, RuntimeError):
        ts.write_bytes((SOURCE_DIR / "kiosk_es.ts").read_bytes())
    return ts


def _fill(ts: Path, translate) -> None:
    tree = ET.parse(ts)
    for message in tree.getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        translation.attrib.pop("type", None)
        forms = translation.findall("numerusform")
        if message.get("numerus") == "yes" and forms:
            for form in forms:
                form.text = translate(source)
        else:
            translation.text = translate(source)
    tree.write(ts, encoding="utf-8", xml_declaration=True)


def install_pseudo_languages(folder: Path | None = None) -> dict[str, Path]:
    """Make LONG and RTL, register them as candidate languages; their .qm files."""
    if len(_made) == 2 and all(p.is_file() for p in _made.values()):
        return dict(_made)
    folder = folder or Path(tempfile.mkdtemp(prefix="kiosk-pseudo-"))
    for code, language, translate in ((LONG, "en", longer), (RTL, "he", right_to_left)):
        ts = _scratch_ts(folder, language)
        _fill(ts, translate)
        qm = compile_one(ts, folder / f"kiosk_{code}.qm")
        _made[code] = qm
    register_language(LONG, longer("English"), _made[LONG], locale="en")
    register_language(RTL, right_to_left("pseudo"), _made[RTL], right_to_left=True,
                      locale="he")
    return dict(_made)
