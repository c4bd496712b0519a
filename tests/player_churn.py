"""Run as a program: open and close a recording in a new recruiter player, many times.

Used by test_player_teardown: each round makes a fresh RecordingPlayer (the recruiter's view
makes one per opening), shows the first frame, plays or seeks a little, and unloads, which
is when Qt's media threads tear down their renderers. A deadlock there stops the program
from finishing, and faulthandler prints where every thread stood before it exits.

    python -m tests.player_churn RECORDING ROUNDS HANG_SECONDS
"""

from __future__ import annotations

import faulthandler
import random
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.ui.recruiter.player import RecordingPlayer


def _wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    recording, rounds, hang_s = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    faulthandler.dump_traceback_later(hang_s, exit=True)
    app = QApplication(sys.argv[:1])
    pick = random.Random(20261124)
    for round_ in range(rounds):
        player = RecordingPlayer()
        player.resize(480, 320)
        player.show()
        frames: list[int] = []
        player.video_sink.videoFrameChanged.connect(
            lambda frame, shown=frames: shown.append(1) if frame.isValid() else None)
        if not player.load(recording, chapters=[0], notes=[]):
            sys.exit(f"round {round_}: {player.message.text()}")
        deadline = time.monotonic() + 10
        while not frames:
            if time.monotonic() > deadline:
                sys.exit(f"round {round_}: no first frame in 10 s")
            _wait(5)
        if pick.random() < 0.6:
            player.play()
            _wait(pick.randint(0, 300))
        if pick.random() < 0.4:
            player.seek(pick.randint(0, max(0, player.media.duration() - 500)))
            _wait(pick.randint(0, 100))
        player.unload()
        player.deleteLater()
        _wait(1)
    print(f"{rounds} rounds", flush=True)
    app.quit()


if __name__ == "__main__":
    main()
