"""The kiosk's background uploads: a daemon thread that empties the backlog, oldest first,
at `[storage] max_upload_mbps`, removes the objects of deleted sessions, and waits with a
growing delay while the store cannot be reached (the backlog then waits on the disk, and
recording goes on)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from kiosk.config import Settings
from kiosk.storage import uploads
from kiosk.storage.deletions import remove_deleted
from kiosk.storage.s3 import explain, make_client
from kiosk.store.database import Database

log = logging.getLogger(__name__)

IDLE_POLL_S = 30.0  # a backlog left by another process, or a retry time come


class Pacer:
    """Keeps the average rate at or under `mbps` megabits a second (0: no limit), a part at
    a time: the part goes at the network's speed, then the pacer waits its share."""

    def __init__(self, mbps: int, stopped: threading.Event) -> None:
        self._bytes_per_s = mbps * 1_000_000 / 8
        self._stopped = stopped

    def __call__(self, sent: int, seconds: float) -> None:
        if self._bytes_per_s > 0:
            self._stopped.wait(max(0.0, sent / self._bytes_per_s - seconds))


class UploadWorker:
    def __init__(self, db: Database, settings: Settings) -> None:
        self._db, self._settings = db, settings
        self._stopped = threading.Event()
        self._woken = threading.Event()
        self._thread: threading.Thread | None = None
        self.problem: str | None = None  # why the backlog waits (the store unreachable...)
        self.last_result: uploads.UploadResult | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="uploads", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """An interview was committed: queue its files and send them now."""
        self._woken.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stopped.set()
        self._woken.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        pace = Pacer(self._settings.storage.max_upload_mbps, self._stopped)
        client: Any = None
        cleaned = False
        while not self._stopped.is_set():
            try:
                client = client or make_client(self._settings.storage)
                if not cleaned:
                    uploads.abort_abandoned(self._db, self._settings.storage, client)
                    cleaned = True
                remove_deleted(self._db, self._settings.storage, client)
                uploads.queue_missing(self._db, self._settings)
                self._send_due(client, pace)
                uploads.remove_local_copies(self._db, self._settings, client)
                self.problem = None
            except Exception as exc:  # the store, the network, the database: said, retried
                self.problem = explain(exc, self._settings.storage)
                log.warning("uploads wait: %s", self.problem)
            self._woken.wait(self._idle_s())
            self._woken.clear()

    def _send_due(self, client: Any, pace: Pacer) -> None:
        while not self._stopped.is_set():
            upload_id = uploads.next_upload(self._db)
            if upload_id is None:
                return
            try:
                result = uploads.send(self._db, self._settings, client, upload_id, pace=pace,
                                      stop=self._stopped.is_set)
            except Exception as exc:
                message = explain(exc, self._settings.storage)
                retry_at = uploads.postpone(self._db, upload_id, message)
                log.warning("upload postponed to %s: %s", retry_at.isoformat(), message)
                raise
            self.last_result = result
            log.info("upload of %s/%s: %s (%d bytes sent)", result.session_id, result.name,
                     result.outcome.value, result.bytes_sent)

    def _idle_s(self) -> float:
        due = uploads.next_retry_at(self._db)
        if due is None:
            return IDLE_POLL_S
        return min(IDLE_POLL_S, max(0.5, (due - datetime.now(UTC)).total_seconds()))


def run_uploads(db: Database, settings: Settings, *, session_id: str | None = None,
                on_result: Any = lambda result: None) -> list[uploads.UploadResult]:
    """`kiosk storage upload`: send what waits now (or one session's files), in the
    foreground, without waiting for retry times; the store's refusal is raised."""
    client = make_client(settings.storage)
    uploads.abort_abandoned(db, settings.storage, client)
    remove_deleted(db, settings.storage, client)
    uploads.queue_missing(db, settings)
    stopped = threading.Event()
    pace = Pacer(settings.storage.max_upload_mbps, stopped)
    results = []
    far = datetime.max.replace(tzinfo=UTC)
    while (upload_id := uploads.next_upload(db, far, session_id=session_id)) is not None:
        started = time.monotonic()
        try:
            result = uploads.send(db, settings, client, upload_id, pace=pace)
        except Exception as exc:
            uploads.postpone(db, upload_id, explain(exc, settings.storage))
            raise
        log.info("sent in %.1f s", time.monotonic() - started)
        results.append(result)
        on_result(result)
    uploads.remove_local_copies(db, settings, client)
    return results
