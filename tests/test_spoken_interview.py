"""End to end: a candidate speaks known sentences into the real microphone path (espeak-ng into
a PulseAudio null sink, heard through sounddevice), the booth records them as answers while an
earlier interview waits to be transcribed, and the words are found in the transcript, inside
the right answer, through `kiosk transcripts search` and through the sessions list's search."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Settings
from kiosk.store.database import open_configured
from kiosk.store.review import list_session_rows
from kiosk.store.sessions import get_session
from kiosk.store.transcripts import load_transcript
from kiosk.ui.recruiter.search_hits import HIT
from kiosk.ui.recruiter.sessions_list import SessionsList
from tests.pulse import null_sink_server
from tests.speech import committed_interview, spoken_wav

SENTENCES = (
    "I have worked in a warehouse for three years.",
    "My favorite part of the job is helping customers.",
)
# Words the shipped tiny.en model hears in espeak-ng's voice, and only in their own answer.
HEARD = ({"warehouse", "three", "years"}, {"favorite", "helping", "customers"})


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("spoken")
    data_dir = base / "data"
    data_dir.mkdir()
    (data_dir / "kiosk.toml").write_text(
        '[recording]\ncamera = "synthetic"\nmicrophone = "pulse"\nwidth = 640\nheight = 360\n'
        "disk_reserve_mb = 1\nlongest_interview_minutes = 1\n")
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir)}
    settings = Settings(data_dir=data_dir, config_file=data_dir / "kiosk.toml",
                        recordings_dir=data_dir / "recordings",
                        database_url=f"sqlite:///{data_dir / 'kiosk.db'}")
    db = open_configured(settings)
    try:
        # An earlier interview of ten minutes, waiting for its transcript.
        speech = spoken_wav("Earlier candidate talking about forklifts and night shifts.",
                            base / "earlier.wav")
        committed_interview(db, settings.recordings_dir, speech, seconds=600,
                            name="Earlier Candidate")
    finally:
        db.close()
    with null_sink_server() as pulse:
        done = subprocess.run([sys.executable, "-m", "tests.speaking_candidate", *SENTENCES],
                              env={**pulse, **env}, capture_output=True, text=True,
                              timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"result": json.loads(done.stdout.splitlines()[-1]), "settings": settings,
            "env": env}


def test_the_recording_drops_no_frame_while_a_transcription_waits(spoken: dict) -> None:
    answers = spoken["result"]["answers"]
    assert spoken["result"]["saved"]
    assert [a["frames_dropped"] for a in answers] == [0] * len(SENTENCES)
    assert all(a["frames_offered"] > 60 for a in answers)
    for answer in answers:  # the job waited: held, not done, and not a millisecond further
        assert answer["state_during"] == "held" and answer["waiting_job"] == "running"
        assert answer["progress_at_end_ms"] == answer["progress_at_start_ms"]


def test_the_spoken_words_are_in_the_transcript_inside_their_answer(spoken: dict) -> None:
    settings, session_id = spoken["settings"], spoken["result"]["session_id"]
    db = open_configured(settings)
    try:
        transcript = load_transcript(db, session_id)
        with db.session() as s:
            markers = {m.index: (m.start_ms, m.end_ms)
                       for m in get_session(s, session_id).markers}
        waited = load_transcript(db, spoken["result"]["waiting_session_id"])
    finally:
        db.close()
    assert transcript.done and waited.done  # the earlier job finished after the interview
    for index, expected in enumerate(HEARD):
        start, end = markers[index]
        words = {w.text.strip(".,!?").lower(): w for s in transcript.segments for w in s.words
                 if s.question_index == index}
        assert expected <= set(words), (index, sorted(words))
        for word in expected:
            assert start <= words[word].start_ms <= words[word].end_ms <= end, word
    other = {w.text.strip(".,!?").lower() for s in transcript.segments for w in s.words
             if s.question_index == 1}
    assert not HEARD[0] & other


def test_kiosk_transcripts_search_finds_the_moment(spoken: dict) -> None:
    session_id = spoken["result"]["session_id"]
    done = subprocess.run([sys.executable, "-m", "kiosk", "transcripts", "search",
                           "helping CUSTOMERS", "--json"], env=spoken["env"],
                          capture_output=True, text=True, timeout=60, check=True)
    hits = json.loads(done.stdout)
    assert [(h["session_id"], h["candidate_name"], h["question_index"]) for h in hits] == [
        (session_id, "Sam Speaker", 1)]
    forklifts = subprocess.run([sys.executable, "-m", "kiosk", "transcripts", "search",
                                "forklift"], env=spoken["env"], capture_output=True,
                               text=True, timeout=60, check=True)
    assert "Earlier Candidate" in forklifts.stdout


def test_the_sessions_list_finds_the_moment_and_opens_it_there(spoken: dict,
                                                               qtbot: QtBot) -> None:
    settings, session_id = spoken["settings"], spoken["result"]["session_id"]
    db = open_configured(settings)
    try:
        sessions = SessionsList(settings.recordings_dir, db=db)
        qtbot.addWidget(sessions)
        sessions.set_rows(list_session_rows(db))
        opened: list[tuple[str, int]] = []
        sessions.moment_opened.connect(lambda sid, ms: opened.append((sid, ms)))
        qtbot.keyClicks(sessions.search, "helping customers")
        hits = sessions.hits
        assert hits.model.rowCount() == 1
        hit = hits.model.index(0).data(HIT)
        with db.session() as s:
            answer = next(m for m in get_session(s, session_id).markers if m.index == 1)
        assert (hit.session_id, hit.candidate_name, hit.question_index) == (
            session_id, "Sam Speaker", 1)
        assert answer.start_ms <= hit.start_ms < answer.end_ms
        index = hits.model.index(0)
        qtbot.mouseClick(hits.view.viewport(), Qt.MouseButton.LeftButton,
                         pos=hits.view.visualRect(index).center())
        assert opened == [(session_id, hit.start_ms)]
    finally:
        db.close()
