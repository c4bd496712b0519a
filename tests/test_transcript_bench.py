"""kiosk.transcript_bench: the word error rate, the search booth's filler, the known clip in a
fresh process, a recording while a transcription waits; and the self-test's speech check."""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.selftest import check_transcription
from kiosk.store import transcripts
from kiosk.store.database import Database
from kiosk.store.folding import search_words
from kiosk.store.models import TranscriptSegment
from kiosk.transcript_bench import (
    COMMON_WORDS,
    RARE_WORDS,
    WordErrors,
    count_rows,
    fill_search_booth,
    known_text,
    measure_known_clip,
    normalised_words,
    number_words,
    record_while_pending,
    word_errors,
    word_weights,
)

# --- word error rate ------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "words"), [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (20, "twenty"), (21, "twenty one"),
    (100, "one hundred"), (305, "three hundred five"), (1000, "one thousand"),
    (2024, "two thousand twenty four"), (999_999, "nine hundred ninety nine thousand nine "
                                                  "hundred ninety nine"),
])
def test_numbers_are_spoken_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_words_are_compared_without_case_punctuation_or_digits() -> None:
    assert normalised_words("Hello, World!  It's 5 o'clock; well-known 1,200 ÉTÉ.") == [
        "hello", "world", "its", "five", "oclock", "well", "known", "one", "thousand",
        "two", "hundred", "ete"]


@pytest.mark.parametrize(("reference", "hypothesis", "errors"), [
    ("the cat sat", "the cat sat", WordErrors(0, 0, 0, 3)),
    ("The cat sat.", "the CAT, sat", WordErrors(0, 0, 0, 3)),
    ("the cat sat", "the hat sat", WordErrors(1, 0, 0, 3)),
    ("the cat sat", "the sat", WordErrors(0, 1, 0, 3)),
    ("the cat sat", "the cat sat down", WordErrors(0, 0, 1, 3)),
    ("the cat sat", "cat sat on", WordErrors(0, 1, 1, 3)),  # shifted, not three substitutions
    ("I have 5 years", "I have five years", WordErrors(0, 0, 0, 4)),
    ("twenty-one people", "21 people", WordErrors(0, 0, 0, 3)),
    ("a b c d", "", WordErrors(0, 4, 0, 4)),
    ("", "something said", WordErrors(0, 0, 2, 0)),
    ("kitten sitting on the mat", "sitting kitten on a mat", WordErrors(3, 0, 0, 5)),
])
def test_word_errors_are_the_fewest_edits(reference: str, hypothesis: str,
                                          errors: WordErrors) -> None:
    assert word_errors(reference, hypothesis) == errors


def test_the_word_error_rate_is_errors_per_reference_word() -> None:
    assert word_errors("one two three four", "one too three").rate == pytest.approx(0.5)
    assert word_errors("", "").rate == 0.0
    assert word_errors("", "noise").rate == float("inf")
    assert word_errors("yes", "no no no").rate == pytest.approx(3.0)


# --- the search booth -----------------------------------------------------------------------


def test_word_weights_fall_with_rank_and_keep_the_rare_words_rare() -> None:
    weights = word_weights()
    common = weights[:len(COMMON_WORDS)]
    assert weights.sum() == pytest.approx(1.0)
    assert all(a > b for a, b in itertools.pairwise(common))
    assert weights[len(COMMON_WORDS):].max() < common.min() / 10
    assert len(set(COMMON_WORDS + RARE_WORDS)) == len(COMMON_WORDS) + len(RARE_WORDS)


def _segment_texts(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as s:
        return [tuple(row) for row in s.execute(  # type: ignore[misc]
            select(TranscriptSegment.session_id, TranscriptSegment.text,
                   TranscriptSegment.words)).all()]


def test_the_filler_makes_whole_transcripts_that_the_search_finds(
    booth_db: tuple[Settings, Database],
) -> None:
    _, db = booth_db
    filled = fill_search_booth(db, sessions=50, words_per_session=200, seed=3)
    rows = _segment_texts(db)
    assert count_rows(db) == {"sessions": 50, "jobs_done": 50, "segments": len(rows)}
    assert (filled.sessions, filled.segments, filled.words) == (50, len(rows), 50 * 200)
    per_session = Counter()
    for session_id, text, words in rows:
        timed = json.loads(words)
        assert search_words(" ".join(word for _, _, word in timed)) == search_words(text)
        per_session[session_id] += len(timed)
    assert set(per_session.values()) == {200}
    # Zipf-like: the most common word is said far more often than the median one.
    counts = Counter(word for _, text, _ in rows for word in search_words(text))
    ranked = [count for _, count in counts.most_common()]
    assert ranked[0] > 20 * ranked[len(ranked) // 2]
    # A word said in a few segments only: the search finds each of them.
    word, _ = min(counts.items(), key=lambda item: (item[1], item[0]))
    holding = {session_id for session_id, text, _ in rows if word in search_words(text)}
    hits = transcripts.search(db, word)
    assert {hit.session_id for hit in hits} == holding
    assert all(word in search_words(hit.text) for hit in hits)


def test_the_same_seed_fills_the_same_booth(tmp_path: Path) -> None:
    from kiosk.store.database import open_database

    booths = []
    for name in ("one", "two"):
        db = open_database(f"sqlite:///{tmp_path / name}.db")
        try:
            fill_search_booth(db, sessions=5, words_per_session=100, seed=8)
            booths.append(sorted(_segment_texts(db)))
        finally:
            db.close()
    assert booths[0] == booths[1]


# --- the speech engine ----------------------------------------------------------------------


def test_the_known_clip_is_transcribed_in_a_fresh_process(settings: Settings) -> None:
    figures = measure_known_clip(settings)
    assert 55 < figures["audio_s"] < 65
    assert 0 < figures["real_time_factor"] < 1
    assert figures["peak_rss_mb"] > figures["peak_rss_mb_before_decoding"] > 0
    # espeak-ng's voice is hard for tiny.en, yet most of the text comes through.
    assert figures["word_error_rate"] < 0.3
    errors = word_errors(known_text(), figures["text"])
    assert figures["word_error_rate"] == pytest.approx(errors.rate, abs=1e-4)


def test_the_self_test_hears_the_known_sentence(settings: Settings) -> None:
    detail = check_transcription(settings)
    assert "customer support" in detail.lower()
    assert "of 14 words" in detail


def test_the_self_test_fails_naming_the_words_it_did_not_hear(settings: Settings) -> None:
    missed = "the, quick, brown, fox, jumps, over, lazy, dog"  # each once
    with pytest.raises(KioskError, match=rf"heard 'My name is Alex.*it missed {missed}$"):
        check_transcription(settings, "The quick brown fox jumps over the lazy dog.")


def test_a_recording_waits_for_no_transcription_and_the_job_ends_after_it(
    settings: Settings, tmp_path: Path,
) -> None:
    small = dataclasses.replace(settings, recording=dataclasses.replace(
        settings.recording, width=320, height=180))
    figures = record_while_pending(small, tmp_path, seconds=3.0, clip_repeats=3)
    assert figures["job_waited"], figures
    assert figures["worker_state_at_end_of_recording"] == "held"
    assert figures["job_state_after_release"] == "done"
    assert figures["worker_held_after_s"] is not None and figures["worker_held_after_s"] < 3
    assert figures["recorded_s"] == pytest.approx(3.0, abs=0.5)
    assert figures["frames_offered"] > 0 and figures["frames_dropped"] >= 0
    assert 170 < figures["job_audio_s"] < 190 and figures["job_s_after_release"] > 0
