"""What was said, as the screens look into it: which lines a search matches, which words
to mark in them, and which line is being said at a moment of the recording.

The matching rule is the store's search (`kiosk.store.transcripts.search`): every word
typed must be in the line, the last may be the start of a word (as while someone types),
case and accents folded away. A line found in the list's search is found again, with the
same words, inside its interview.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Sequence

from kiosk.store.folding import WORD, search_key, search_words
from kiosk.store.transcripts import Segment

# A line stays "being said" through a pause this long after it ends (captions do not
# flicker off between two sentences).
LINGER_MS = 1_500


def line_words(text: str) -> frozenset[str]:
    """The folded words of a line, made once and matched at every key typed."""
    return frozenset(search_words(text))


def line_matches(words: frozenset[str], typed: Sequence[str]) -> bool:
    """Whether a line (its `line_words`) holds every word of `typed` (`search_words`)."""
    if not typed:
        return False
    *whole, start = typed
    return all(word in words for word in whole) and any(w.startswith(start) for w in words)


def marked_runs(text: str, typed: Sequence[str]) -> list[tuple[str, bool]]:
    """`text` cut into runs, each marked True where it is a word the search matched."""
    if not typed:
        return [(text, False)] if text else []
    *whole, start = typed
    runs: list[tuple[str, bool]] = []
    done = 0
    for found in WORD.finditer(text):
        folded = search_key(found.group())
        if folded in whole or folded.startswith(start):
            if found.start() > done:
                runs.append((text[done:found.start()], False))
            runs.append((found.group(), True))
            done = found.end()
    if done < len(text):
        runs.append((text[done:], False))
    return runs


def marked_html(text: str, typed: Sequence[str], style: str) -> str:
    """`text` as rich text, the matched words in a span with `style` (CSS)."""
    return "".join(f'<span style="{style}">{html.escape(run)}</span>' if marked
                   else html.escape(run) for run, marked in marked_runs(text, typed))


def segment_at(segments: Sequence[Segment], starts: Sequence[int], ms: int) -> int | None:
    """The index of the line being said at `ms` (`starts`: each segment's start_ms, in
    order), or None in a silence."""
    index = bisect_right(starts, ms) - 1
    if index < 0 or ms >= segments[index].end_ms + LINGER_MS:
        return None
    return index
