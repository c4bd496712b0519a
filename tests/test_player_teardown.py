"""Closing a recording never freezes the recruiter's view.

Before kiosk/ui/media_objects.py, stopping the player could deadlock between the GUI
thread (holding the GIL inside QMediaPlayer.stop) and Qt's audio thread (holding a Qt mutex,
waiting for the GIL): about once in fifty fresh players with a sound device, so it hung CI.
The churn runs in its own process so that a deadlock fails this test instead of hanging the
run, and under a PulseAudio null sink so that the audio thread really plays.
"""

from __future__ import annotations

import os
import subprocess
import sys

from kiosk.store.database import open_configured
from kiosk.store.files import resolve_recording_path
from kiosk.store.sessions import get_session
from tests.engine import quick_interview
from tests.pulse import null_sink_server

ROUNDS = 150  # without the fix this hung within 22 to 68 rounds (three runs)
HANG_S = 90  # the rounds take about 25 s on two cores


def test_many_players_open_play_and_close_a_recording_without_a_deadlock(settings) -> None:
    db = open_configured(settings)
    try:
        session_id = quick_interview(db, settings)
        with db.session() as s:
            relative = get_session(s, session_id).recording_video
    finally:
        db.close()
    recording = resolve_recording_path(settings.recordings_dir, relative)
    with null_sink_server() as env:
        done = subprocess.run(
            [sys.executable, "-m", "tests.player_churn", str(recording), str(ROUNDS),
             str(HANG_S)],
            env={**env, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True,
            timeout=HANG_S + 60, check=False, cwd=os.getcwd())
    stuck = "\n".join(line for line in done.stderr.splitlines()
                      if line.startswith(("Timeout", "Thread", "  File")))
    assert done.returncode == 0, f"the player churn stopped:\n{stuck or done.stderr[-3000:]}"
    assert f"{ROUNDS} rounds" in done.stdout
