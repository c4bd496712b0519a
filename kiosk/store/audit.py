"""The audit log: append-only events, each chained to the one before by a SHA-256 hash.

An event's hash covers the previous event's hash and every field of its own, so editing,
inserting or removing a row breaks the chain from that row on; the head row (`audit_chain`)
holds the last hash and the count, so removing events from the end is noticed too.
`kiosk doctor` walks the chain. The database itself refuses UPDATE and DELETE on the events
(triggers from migration 0003): tampering needs deliberate work, and still shows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.store.models import AuditChain, AuditEvent, utcnow

GENESIS_HASH = "0" * 64


class Action:
    """The actions the kiosk records (the `action` column)."""

    SIGNED_IN = "signed_in"
    PIN_FAILED = "pin_failed"
    OPERATOR_ADDED = "operator_added"
    PIN_RESET = "pin_reset"
    EXPORTED = "exported"
    SESSION_DELETED = "session_deleted"
    RETENTION_PURGE = "retention_purge"


def event_hash(prev_hash: str, at: datetime, action: str, operator_name: str | None,
               session_id: str | None, detail: str | None) -> str:
    """The hash of one event. Its form is fixed: changing it would break every chain."""
    fields = [prev_hash, at.isoformat(), action, operator_name, session_id, detail]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append_event(
    db: Session,
    action: str,
    *,
    operator_name: str | None = None,
    session_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event at the end of the chain, in the caller's transaction (not committed)."""
    # The head row is written before it is read: that takes the lock that makes two
    # booths (or the kiosk and a command) append one after the other, never on one link.
    db.execute(update(AuditChain).where(AuditChain.id == 1)
               .values(events=AuditChain.events + 1))
    head = db.scalars(select(AuditChain).where(AuditChain.id == 1)
                      .execution_options(populate_existing=True)).one()
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None
    at = utcnow()
    digest = event_hash(head.last_hash, at, action, operator_name, session_id, text)
    event = AuditEvent(at=at, action=action, operator_name=operator_name,
                       session_id=session_id, detail=text, prev_hash=head.last_hash,
                       hash=digest)
    db.add(event)
    head.last_hash = digest
    db.flush()
    return event


@dataclass
class ChainReport:
    events: int
    problem: str | None = None  # None: the chain is whole
    first_bad_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(db: Session) -> ChainReport:
    """Walk every event in order, recomputing each hash; say where the chain first breaks."""
    report = ChainReport(events=0)
    expected_prev = GENESIS_HASH
    rows = db.execute(select(AuditEvent.id, AuditEvent.at, AuditEvent.action,
                             AuditEvent.operator_name, AuditEvent.session_id,
                             AuditEvent.detail, AuditEvent.prev_hash, AuditEvent.hash)
                      .order_by(AuditEvent.id).execution_options(yield_per=1000))
    for event_id, at, action, operator, session_id, detail, prev_hash, digest in rows:
        report.events += 1
        if not report.ok:
            continue  # counting the rest: the first break is the one to look at
        if prev_hash != expected_prev:
            report.problem = (f"the audit event {event_id} does not follow the one before it: "
                              f"an event was removed or inserted there")
        elif event_hash(prev_hash, at, action, operator, session_id, detail) != digest:
            report.problem = f"the audit event {event_id} was changed after it was written"
        report.first_bad_id = None if report.ok else event_id
        expected_prev = digest
    head = db.get(AuditChain, 1)
    if report.ok and (head is None or head.last_hash != expected_prev
                      or head.events != report.events):
        report.problem = "events are missing from the end of the audit log"
    return report
