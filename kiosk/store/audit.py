"""The audit log: append-only events, each chained to the one before by a hash.

An event's hash covers the previous event's hash and every field of its own, so editing,
inserting or removing a row breaks the chain from that row on; the head row (`audit_chain`)
holds the last hash and the count, so removing events from the end is noticed too.
`kiosk doctor` walks the chain. The database itself refuses UPDATE and DELETE on the events
(triggers from migration 0003): tampering needs deliberate work, and still shows.

A plain SHA-256 chain can be recomputed by anyone who can write the database, so events are
keyed: an HMAC-SHA256 with a key kept outside the database, `audit.key` in the data folder
(owner-only, made at the first event that needs it). Rewriting the chain then takes the data
folder too. Events written before keys existed (an earlier release) carry no `key_id` and keep
their plain hash; the key file records how many events the chain had when it was made, so
events after that point that claim to be unkeyed are a rewrite, not history. A problem with
the key never stops an event being recorded: it is written unkeyed and doctor says so.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from kiosk.config import default_data_dir, load_settings
from kiosk.errors import KioskError
from kiosk.store.files import FILE_MODE, sync_folder
from kiosk.store.models import AuditChain, AuditEvent, utcnow

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
KEY_FILE_NAME = "audit.key"
KEY_FORMAT = 1
KEY_BYTES = 32

# The append-only guards of migration 0003, as they must be found. SQLite keeps a trigger's
# text as it was created; PostgreSQL's are checked by what they do: pg_trigger.tgtype's bits
# (1 row, 2 before, 8 delete, 16 update, 32 truncate), no WHEN, no column list, and a
# function that raises.
SQLITE_GUARDS = {
    f"audit_events_no_{verb.lower()}":
        f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
}
POSTGRES_GUARDS = {
    "audit_events_no_change": 1 | 2 | 8 | 16,
    "audit_events_no_truncate": 2 | 32,
}


class Action:
    """The actions the kiosk records (the `action` column)."""

    SIGNED_IN = "signed_in"
    PIN_FAILED = "pin_failed"
    OPERATOR_ADDED = "operator_added"
    PIN_RESET = "pin_reset"
    EXPORTED = "exported"
    SESSION_DELETED = "session_deleted"
    RETENTION_PURGE = "retention_purge"
    OBJECT_DELETED = "object_deleted"  # a deleted session's file, removed from the store
    SESSION_SCHEDULED = "session_scheduled"
    SCHEDULE_CHANGED = "schedule_changed"  # its name, position or accommodations
    SCHEDULE_CANCELLED = "schedule_cancelled"


def event_hash(prev_hash: str, at: datetime, action: str, operator_name: str | None,
               session_id: str | None, detail: str | None) -> str:
    """The hash of one event. Its form is fixed: changing it would break every chain."""
    fields = [prev_hash, at.isoformat(), action, operator_name, session_id, detail]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def keyed_hash(key: AuditKey, prev_hash: str, at: datetime, action: str,
               operator_name: str | None, session_id: str | None, detail: str | None) -> str:
    """The HMAC of one keyed event: the fields of `event_hash` and the key's id."""
    fields = [prev_hash, at.isoformat(), action, operator_name, session_id, detail, key.key_id]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key.secret, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


# -- the key ---------------------------------------------------------------------------------

class AuditKeyError(KioskError):
    """The key file is there but cannot be used (unreadable, or not a key this kiosk wrote)."""


@dataclass(frozen=True)
class AuditKey:
    path: Path
    secret: bytes = field(repr=False)
    # How many events the chain had when the key was made: every later one must be keyed.
    keyed_from: int

    @property
    def key_id(self) -> str:
        """Names the key in each event without giving anything of it away."""
        return hmac.new(self.secret, b"kiosk audit key id", hashlib.sha256).hexdigest()[:16]


def key_file_for(database_url: str | URL) -> Path:
    """Where the key of the database at `database_url` is kept.

    A SQLite database keeps it beside its file (the data folder, unless the settings put the
    file elsewhere; a throwaway booth's own folder); PostgreSQL in this booth's data folder.
    It is found from the database alone because every caller of `append_event` has that.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(os.path.abspath(url.database)).parent / KEY_FILE_NAME
    try:
        folder = load_settings().data_dir
    except KioskError:
        folder = default_data_dir()
    return folder / KEY_FILE_NAME


def load_key(path: Path) -> AuditKey | None:
    """The key in `path`, None if there is none yet; AuditKeyError if it cannot be used."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditKeyError(f"The audit key {path} cannot be read: "
                            f"{exc.strerror or exc}.") from None
    try:
        data = json.loads(raw)
        secret = bytes.fromhex(data["key"])
        keyed_from = int(data["keyed_from"])
        if data.get("format") != KEY_FORMAT or len(secret) != KEY_BYTES or keyed_from < 0:
            raise ValueError("not this kiosk's key")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise AuditKeyError(f"The audit key {path} is damaged: it is not a key this kiosk "
                            f"wrote.") from None
    return AuditKey(path=path, secret=secret, keyed_from=keyed_from)


def make_key(path: Path, keyed_from: int) -> AuditKey:
    """A new owner-only key file at `path`, or the one another process made a moment ago."""
    secret = secrets.token_bytes(KEY_BYTES)
    body = json.dumps({"format": KEY_FORMAT, "key": secret.hex(), "keyed_from": keyed_from})
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(body + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # A link, not a rename: it never replaces a key that is already there, and a power
        # cut leaves either no key or a whole one.
        try:
            os.link(temp, path)
        except FileExistsError:
            existing = load_key(path)
            if existing is None:
                raise
            return existing
        sync_folder(path.parent)
    finally:
        temp.unlink(missing_ok=True)
    return AuditKey(path=path, secret=secret, keyed_from=keyed_from)


def _key_for_append(db: Session, events_before: int) -> AuditKey | None:
    """This database's key, made now if it has none; None (and a log line) if that fails:
    the event is then written unkeyed, because an event lost is worse than one unkeyed."""
    path = key_file_for(db.get_bind().engine.url)
    try:
        return load_key(path) or make_key(path, keyed_from=events_before)
    except (OSError, AuditKeyError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        log.warning("audit event written without its key (%s): %s", path, reason)
        return None


# -- appending -------------------------------------------------------------------------------

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
    # It also makes the key's creation take turns, so `keyed_from` is the true count.
    db.execute(update(AuditChain).where(AuditChain.id == 1)
               .values(events=AuditChain.events + 1))
    head = db.scalars(select(AuditChain).where(AuditChain.id == 1)
                      .execution_options(populate_existing=True)).one()
    detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None
    at = utcnow()
    key = _key_for_append(db, head.events - 1)
    if key is None:
        digest = event_hash(head.last_hash, at, action, operator_name, session_id, detail_text)
    else:
        digest = keyed_hash(key, head.last_hash, at, action, operator_name, session_id,
                            detail_text)
    event = AuditEvent(at=at, action=action, operator_name=operator_name,
                       session_id=session_id, detail=detail_text, prev_hash=head.last_hash,
                       hash=digest, key_id=key.key_id if key else None)
    db.add(event)
    head.last_hash = digest
    db.flush()
    return event


# -- checking --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainHead:
    """Where the chain ends: printed by doctor and written into every export's sidecar, so
    a later truncation shows against a head seen earlier."""

    events: int
    last_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"events": self.events, "last_hash": self.last_hash}


def read_head(db: Session) -> ChainHead:
    """The head row as it stands (cheap: no walk)."""
    head = db.get(AuditChain, 1)
    return ChainHead(0, GENESIS_HASH) if head is None else ChainHead(head.events,
                                                                    head.last_hash)


@dataclass
class ChainReport:
    events: int
    problem: str | None = None  # None: no event was found changed, inserted or removed
    first_bad_id: int | None = None
    head: ChainHead | None = None  # as the walk found it
    key_file: str = ""
    key_id: str | None = None  # None: no usable key
    keyed_events: int = 0
    key_problems: list[str] = field(default_factory=list)  # events that could not be checked

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.key_problems


def verify_chain(db: Session, key_file: Path | None = None) -> ChainReport:
    """Walk every event in order, recomputing each hash; say where the chain first breaks,
    and what could not be checked for want of the key."""
    path = key_file or key_file_for(db.get_bind().engine.url)
    report = ChainReport(events=0, key_file=str(path))
    try:
        key = load_key(path)
    except AuditKeyError as exc:
        key = None
        report.key_problems.append(str(exc))
    report.key_id = key.key_id if key else None
    unchecked: dict[str, int] = {}  # key id -> events written with that key
    expected_prev = GENESIS_HASH
    rows = db.execute(select(AuditEvent.id, AuditEvent.at, AuditEvent.action,
                             AuditEvent.operator_name, AuditEvent.session_id,
                             AuditEvent.detail, AuditEvent.prev_hash, AuditEvent.hash,
                             AuditEvent.key_id)
                      .order_by(AuditEvent.id).execution_options(yield_per=1000))
    for row in rows:
        event_id, digest, key_id = row.id, row.hash, row.key_id
        report.events += 1
        if key_id is not None:
            report.keyed_events += 1
            if key is None or key_id != key.key_id:
                unchecked[key_id] = unchecked.get(key_id, 0) + 1
        if report.problem is None:  # the first break is the one to look at
            report.problem = _event_problem(row, report.events, expected_prev, key)
            report.first_bad_id = None if report.problem is None else event_id
        expected_prev = digest
    report.head = ChainHead(report.events, expected_prev)
    head = db.get(AuditChain, 1)
    if report.problem is None and (head is None or head.last_hash != expected_prev
                                   or head.events != report.events):
        report.problem = "events are missing from the end of the audit log"
    if report.problem is None and key is not None and report.events < key.keyed_from:
        report.problem = (f"the audit log has {report.events} events, fewer than the "
                          f"{key.keyed_from} it had when its key was made: events were removed "
                          f"(or the database was put back from an older backup)")
    report.key_problems.extend(_key_problems(path, key, unchecked))
    return report


def _event_problem(row: Sequence[Any], position: int, expected_prev: str,
                   key: AuditKey | None) -> str | None:
    """What is wrong with the event at `position` (1 for the first), if anything."""
    event_id, at, action, operator, session_id, detail, prev_hash, digest, key_id = row
    if prev_hash != expected_prev:
        return (f"the audit event {event_id} does not follow the one before it: an event was "
                f"removed or inserted there")
    changed = f"the audit event {event_id} was changed after it was written"
    if key_id is None:
        if key is not None and position > key.keyed_from:
            return (f"the audit event {event_id} is not keyed, though the key in {key.path} "
                    f"was made before it: it was rewritten by someone without the key (or "
                    f"written while the key file could not be read)")
        ok = event_hash(prev_hash, at, action, operator, session_id, detail) == digest
        return None if ok else changed
    if key is not None and key_id == key.key_id:
        expected = keyed_hash(key, prev_hash, at, action, operator, session_id, detail)
        return None if hmac.compare_digest(expected, digest) else changed
    return None  # written with another key: counted apart, it cannot be checked here


def _key_problems(path: Path, key: AuditKey | None, unchecked: dict[str, int]) -> list[str]:
    """What stood in the way of checking: a missing key, another key, a key others can read.
    (A key file that is there but unusable was said by `load_key`.)"""
    problems = []
    events = sum(unchecked.values())
    if events and key is None and not path.exists():
        problems.append(
            f"The audit key {path} is missing: {_events(events)} written with it cannot be "
            f"checked. Put the data folder's audit.key back from a backup; new events get a "
            f"new key meanwhile.")
    elif events and key is not None:
        problems.append(
            f"{_events(events)} written with another key (id {', '.join(sorted(unchecked))}) "
            f"than the one in {path} (id {key.key_id}) cannot be checked here: the key file "
            f"was replaced or lost, or another booth sharing this database keeps its own key "
            f"(docs/deploy.md: one key for every booth).")
    if key is not None and os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            problems.append(f"The audit key {path} can be read by other users (mode "
                            f"{mode:03o}): make it owner-only with 'chmod 600 {path}'.")
    return problems


def _events(count: int) -> str:
    return "1 audit event" if count == 1 else f"{count:,} audit events"


def guard_problems(connection: Connection) -> dict[str, str]:
    """The append-only triggers that are not as migration 0003 made them: name -> what is
    wrong ("is missing", "is switched off", "was changed")."""
    if connection.dialect.name == "sqlite":
        found: dict[str, str] = {name: sql for name, sql in connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'audit_events'"))}
        return {name: "is missing" if name not in found else "was changed"
                for name, sql in SQLITE_GUARDS.items()
                if _words(found.get(name)) != _words(sql)}
    rows = connection.execute(text(
        "SELECT t.tgname, t.tgenabled::text, t.tgtype::int, "
        "t.tgqual IS NULL AND t.tgattr::text = '', p.prosrc "
        "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = to_regclass('audit_events') AND NOT t.tgisinternal"))
    triggers = {name: (enabled, kind, unconditional, source)
                for name, enabled, kind, unconditional, source in rows}
    problems = {}
    for name, expected_kind in POSTGRES_GUARDS.items():
        if name not in triggers:
            problems[name] = "is missing"
            continue
        enabled, kind, unconditional, source = triggers[name]
        if enabled not in ("O", "A"):  # D: disabled; R: fires only on a replica
            problems[name] = "is switched off"
        elif (kind != expected_kind or not unconditional
              or "RAISE EXCEPTION" not in source.upper()):
            problems[name] = "was changed"
    return problems


def _words(sql: str | None) -> str:
    return " ".join((sql or "").split()).lower()
