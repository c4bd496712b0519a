"""Today's scheduled candidates, as a recruiter or IT sets them: add, change, cancel.

Every change is one transaction with its audit event (who, and what it was before and
after), so the log says who gave a candidate extra time. A session whose candidate has
begun (consented at a booth, or further) is no longer the schedule's to change: it is
refused with a sentence, never half-changed.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from kiosk.accommodations import NONE, Accommodations
from kiosk.store.audit import Action, append_event
from kiosk.store.database import Database
from kiosk.store.models import InterviewSession, SessionStatus
from kiosk.store.sessions import (
    StatusChangeError,
    accommodations_of,
    clean_candidate_name,
    clean_position,
    create_session,
    get_session,
)


def schedule_candidate(db: Database, candidate: str, *, position: str | None = None,
                       accommodations: Accommodations = NONE,
                       by: str | None = None) -> str:
    """A new scheduled session for today; its id."""
    with db.session() as s, s.begin():
        row = create_session(s, candidate, position=position)
        row.accommodations = as_stored(accommodations)
        append_event(s, Action.SESSION_SCHEDULED, operator_name=by, session_id=row.id,
                     detail=_described(row))
        return row.id


def change_scheduled(db: Database, session_id: str, *, candidate: str,
                     position: str | None, accommodations: Accommodations,
                     by: str | None = None) -> None:
    """Give a scheduled session a new name, position or accommodations (all three as they
    should be now); nothing is written when nothing changes."""
    name, place = clean_candidate_name(candidate), clean_position(position)
    with db.session() as s, s.begin():
        row = _waiting(s, session_id, "changed")
        before = _described(row)
        row.candidate_name, row.position = name, place
        row.accommodations = as_stored(accommodations)
        after = _described(row)
        if after != before:
            append_event(s, Action.SCHEDULE_CHANGED, operator_name=by, session_id=row.id,
                         detail={"before": before, "after": after})


def cancel_scheduled(db: Database, session_id: str, *, by: str | None = None) -> None:
    """The candidate will not come: the session goes (nothing was recorded for it)."""
    with db.session() as s, s.begin():
        row = _waiting(s, session_id, "cancelled")
        append_event(s, Action.SCHEDULE_CANCELLED, operator_name=by, session_id=row.id,
                     detail=_described(row))
        s.delete(row)


def _waiting(s: Session, session_id: str, what: str) -> InterviewSession:
    row = get_session(s, session_id)
    if row.status is not SessionStatus.SCHEDULED or row.walk_in:
        raise StatusChangeError(f"{row.candidate_name}'s interview cannot be {what}: it is "
                                f"{row.status.value.replace('_', ' ')}, not scheduled.")
    if row.consent_at is not None:
        raise StatusChangeError(f"{row.candidate_name}'s interview cannot be {what} now: "
                                f"they have just begun it at a booth.")
    return row


def as_stored(accommodations: Accommodations) -> str | None:
    """The `sessions.accommodations` column's value: JSON, or None for none."""
    return json.dumps(accommodations.to_json(), sort_keys=True) if accommodations.any else None


def _described(row: InterviewSession) -> dict[str, Any]:
    return {"candidate_name": row.candidate_name, "position": row.position,
            "accommodations": accommodations_of(row).to_json()}
