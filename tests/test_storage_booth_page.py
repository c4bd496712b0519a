"""The booth page's "Object storage" row, against a real S3 server on loopback: the bucket
with a backlog waiting, then the server gone. Screenshots of both go to KIOSK_SHOTS_DIR
when it is set (a person looks at them), and to the test's own folder otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot

from kiosk.health import OBJECT_STORAGE
from kiosk.storage import uploads
from kiosk.store.database import open_configured
from kiosk.store.models import SessionStatus
from kiosk.store.sessions import create_session
from kiosk.ui.recruiter import RecruiterView
from tests.recruiter import add_staff
from tests.s3_fixtures import s3_booth
from tests.s3_server import S3Server

SIZES = ((1280, 800), (1920, 1080))


def _shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KIOSK_SHOTS_DIR") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_booth_page_says_the_backlog_and_then_that_the_store_is_away(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, own_s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket = own_s3_server.create_bucket("kiosk-booth-page")
    settings = s3_booth(data_dir, own_s3_server, bucket, monkeypatch, before=(
        'booth_name = "lobby"\n[recording]\ncamera = "synthetic"\nmicrophone = "synthetic"\n'))
    db = open_configured(settings)
    try:
        staff = add_staff(db)
        for name in ("Ada Lovelace", "Grace Hopper"):  # two interviews waiting to go up
            with db.session() as s, s.begin():
                row = create_session(s, name, status=SessionStatus.COMPLETED)
                s.flush()
                folder = settings.recordings_dir / row.id
                folder.mkdir(parents=True)
                (folder / "interview.mp4").write_bytes(os.urandom(3 << 20))
                row.recording_video = f"{row.id}/interview.mp4"
                row.booth_name = settings.booth_name
        uploads.queue_missing(db, settings)
        shots = _shots_dir(tmp_path)

        def page(state: str) -> str:
            view = RecruiterView(settings, db, staff.admin)
            qtbot.addWidget(view)
            view.show()
            qtbot.mouseClick(view.booth_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: not view.booth.health.checking, timeout=30_000)
            row = view.booth.health.rows[OBJECT_STORAGE]
            for width, height in SIZES:
                view.resize(width, height)
                qtbot.wait(100)
                scroll = next(a for a in view.booth.findChildren(QScrollArea)
                              if a.isAncestorOf(row))
                scroll.ensureWidgetVisible(row)
                qtbot.wait(50)
                view.grab().save(str(shots / f"booth-storage-{state}-{width}x{height}.png"))
            said = f"{row.headline.text()} | {row.detail.toolTip()}"  # the text unbroken
            view.close()
            return said

        waiting = page("backlog")
        assert waiting.startswith("2 waiting | Bucket kiosk-booth-page at http://127.0.0.1:")
        assert "reachable and writable; 2 files waiting (6 MB" in waiting
        own_s3_server.stop_server()
        away = page("unreachable")
        assert away.startswith("Cannot be used | The storage at the bucket 'kiosk-booth-page'")
        assert "cannot be reached (EndpointConnectionError): the network, or the server, " \
            "is down. Recording goes on; 2 files waiting" in away
        assert own_s3_server.secret_key not in away
    finally:
        db.close()
