"""Deleting sessions for good: one by an admin, or every old one by the retention period.

The rows go first (with the audit event, in one transaction), then the session's folder.
A folder that cannot be removed is reported, and `kiosk doctor` lists it as files without
a session; a row is never left pointing at files that are half gone. The audit event keeps
the session id and dates, not the candidate's name: the log outlives the retention period.
A session that a kiosk is recording right now is never touched.
"""

from __future__ import annotations

import logging
import shutil
from datetime import datetime, timedelta

from sqlalchemy import func, select

from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.store.audit import Action, append_event
from kiosk.store.database import Database
from kiosk.store.files import session_folder, sync_folder
from kiosk.store.locks import is_being_recorded
from kiosk.store.models import (
    UNFINISHED_STATUSES,
    InterviewSession,
    ObjectDeletion,
    Upload,
    utcnow,
)
from kiosk.store.sessions import get_session

log = logging.getLogger(__name__)


def delete_session(db: Database, settings: Settings, session_id: str, *,
                   deleted_by: str) -> None:
    """Delete one session, its notes, ratings and views, and its files (audited)."""
    problem = _delete(db, settings, session_id, Action.SESSION_DELETED, deleted_by)
    if problem:
        raise KioskError(problem)


def purge_expired(db: Database, settings: Settings, now: datetime | None = None) -> list[str]:
    """Delete every finished session older than `[review] retention_days`; their ids.

    A session's age is that of its recording, or of the session if nothing was recorded.
    Sessions left unfinished by a crash are recovery's business and are never purged.
    """
    days = settings.review.retention_days
    if days <= 0:
        return []
    cutoff = (now or utcnow()) - timedelta(days=days)
    age = func.coalesce(InterviewSession.recording_created_at, InterviewSession.created_at)
    with db.session() as s:
        expired = s.scalars(select(InterviewSession.id).where(
            age < cutoff, InterviewSession.status.not_in(UNFINISHED_STATUSES))).all()
    purged = []
    for session_id in expired:
        # One session that cannot go keeps no other from going.
        try:
            problem = _delete(db, settings, session_id, Action.RETENTION_PURGE, None,
                              retention_days=days)
        except KioskError as exc:
            log.warning("Retention could not purge %s: %s", session_id, exc)
            continue
        if problem:
            log.warning("Retention: %s", problem)
        purged.append(session_id)
    return purged


def _delete(db: Database, settings: Settings, session_id: str, action: str,
            operator_name: str | None, **detail: object) -> str | None:
    """Delete the rows (audited), then the folder; what went wrong with the folder, if any."""
    folder = session_folder(settings.recordings_dir, session_id)
    if is_being_recorded(folder):
        raise KioskError(f"The session {session_id} is being recorded right now; it can be "
                         f"deleted once it is finished.")
    with db.session() as s, s.begin():
        row = get_session(s, session_id)
        recorded = row.recording_created_at or row.created_at
        objects = s.execute(select(Upload.key, Upload.upload_id)
                            .where(Upload.session_id == session_id)).all()
        append_event(s, action, operator_name=operator_name, session_id=session_id,
                     detail={"status": row.status.value, "recorded_at": recorded.isoformat(),
                             **({"objects": len(objects)} if objects else {}), **detail})
        # Its uploaded files go with it: the upload worker removes them from the object
        # store (now, or when the store can be reached again).
        s.add_all(ObjectDeletion(session_id=session_id, key=key, upload_id=upload_id,
                                 attempts=0) for key, upload_id in objects)
        s.delete(row)
    if folder.exists():
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            return (f"The session {session_id} was deleted, but its folder {folder} could not "
                    f"be removed ({exc.strerror}); remove it by hand.")
        sync_folder(settings.recordings_dir)
    return None
