"""How text is compared when a person searches: case and accents folded away.

One rule for the name search (in the sessions list) and the transcript search (in the
database's full-text index), so "zoe" finds "Zoë" and "ZOË" in both.
"""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"\w+")  # what counts as a word, for searching and for marking


def search_key(text: str) -> str:
    """Case and accents folded away, so "zoe" finds "Zoë" and "ZOË"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_words(text: str) -> list[str]:
    """The folded words of what a person typed; punctuation is not searched for."""
    return WORD.findall(search_key(text))
