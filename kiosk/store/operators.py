"""Operators (recruiters and admins), their PINs, and signing in with lockout.

A PIN is stored as a salted scrypt hash (`scrypt$n$r$p$salt$hash`, base64) and compared in
constant time. Five wrong PINs in a row lock that operator out for a minute; every further
wrong PIN after the lock ends doubles it, up to an hour. A right PIN clears the count.
Every wrong PIN and every sign-in is an audit event.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, false, func, select, text, update
from sqlalchemy.orm import Session

from kiosk.errors import InvalidInputError, KioskError, NotFoundError
from kiosk.store.audit import Action, append_event
from kiosk.store.database import Database
from kiosk.store.models import AuditEvent, Operator, Role, utcnow
from kiosk.store.sessions import clean_candidate_name

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12
FREE_ATTEMPTS = 5
FIRST_LOCKOUT = timedelta(minutes=1)
LONGEST_LOCKOUT = timedelta(hours=1)
# Interactive strength (about 16 MiB and a few tens of ms); the parameters are stored with
# each hash, so raising them later leaves existing PINs valid.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
# Any constant shared by every booth: pg_advisory_xact_lock makes two booths on one
# PostgreSQL database add operators one after the other (see _one_adder_at_a_time).
POSTGRES_OPERATOR_NAMES_LOCK = 0x6F70657261746F72  # "operator"


@dataclass(frozen=True)
class SignedInOperator:
    """Who unlocked the review side: what the screens need, and no PIN hash."""

    id: int
    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class OperatorSummary:
    """What the admin's operators list shows about someone (no PIN hash)."""

    name: str
    role: Role
    failed_attempts: int
    locked_until: datetime | None
    last_signed_in: datetime | None  # from the audit log; None if never

    def locked_out(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


class PinRefusedError(KioskError):
    """A wrong PIN, or an operator who is locked out. The message says which, and for how long."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     _b64(salt), _b64(digest)])


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(pin, base64.b64decode(salt), int(n), int(r), int(p),
                         length=len(expected))
    except ValueError:  # a damaged hash matches nothing
        return False
    return hmac.compare_digest(actual, expected)


def check_new_pin(pin: str) -> str:
    """The PIN if it may be used, or InvalidInputError saying why not."""
    if not pin.isascii() or not pin.isdigit():
        raise InvalidInputError("A PIN is made of digits only.")
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise InvalidInputError(
            f"A PIN has {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits (this one has {len(pin)}).")
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210987":
        raise InvalidInputError("That PIN is too easy to guess; choose another.")
    return pin


def check_new_pin_twice(pin: str, again: str) -> str:
    """check_new_pin, for a PIN typed twice on screen: both must be the same."""
    chosen = check_new_pin(pin)
    if again != chosen:
        raise InvalidInputError("The two PINs differ. Enter the same PIN twice.")
    return chosen


def add_operator(db: Database, name: str, role: Role, pin: str, *,
                 added_by: str | None = None) -> SignedInOperator:
    """Create an operator (audited); InvalidInputError for a bad name or PIN or a taken name.

    A name is taken when one differs from it only in case or character width ("alice",
    "Alice", "alice" typed in full-width letters): on the sign-in list they would look like
    one person.
    """
    name = clean_candidate_name(name)
    pin_hash = hash_pin(check_new_pin(pin))
    with db.session() as s, s.begin():
        _one_adder_at_a_time(s)
        key = operator_name_key(name)
        taken = next((existing for existing in s.scalars(select(Operator.name))
                      if operator_name_key(existing) == key), None)
        if taken == name:
            raise InvalidInputError(f"There is already an operator called {name!r}.")
        if taken is not None:
            raise InvalidInputError(
                f"There is already an operator called {taken!r}; {name!r} differs from it only "
                f"in case or character width, so the two would look like one person.")
        operator = Operator(name=name, role=role, pin_hash=pin_hash, failed_attempts=0)
        s.add(operator)
        s.flush()
        append_event(s, Action.OPERATOR_ADDED, operator_name=added_by,
                     detail={"operator": name, "role": role.value})
        return _signed_in(operator)


def operator_name_key(name: str) -> str:
    """What two names that are the same person share: case and character width ignored."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _one_adder_at_a_time(s: Session) -> None:
    """Hold, until the transaction ends, the lock that makes adding operators one at a time.

    Without it two booths (or the kiosk and a command) could both find "alice" free of an
    "Alice" and both add theirs: the unique index only sees identical names. (An index on
    the folded name would need a migration that cannot pass on a database already holding
    such a pair.)
    """
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                  {"key": POSTGRES_OPERATOR_NAMES_LOCK})
    else:
        # pysqlite begins SQLite's transaction only at the first write; one that changes
        # nothing still takes the write lock, before the names are read.
        s.execute(update(Operator).where(false()).values(name=Operator.name))


def reset_pin(db: Database, name: str, pin: str, *, reset_by: str | None = None) -> None:
    """Give an operator a new PIN and lift any lockout (audited)."""
    pin_hash = hash_pin(check_new_pin(pin))
    with db.session() as s, s.begin():
        operator = _by_name(s, name)
        operator.pin_hash = pin_hash
        operator.failed_attempts = 0
        operator.locked_until = None
        append_event(s, Action.PIN_RESET, operator_name=reset_by,
                     detail={"operator": operator.name})


def list_operators(db: Database) -> list[Operator]:
    with db.session() as s:
        return list(s.scalars(select(Operator).order_by(Operator.name)))


def operator_summaries(db: Database) -> list[OperatorSummary]:
    """Every operator by name, with any lockout and their last sign-in."""
    # Sign-ins are not stored on the operator: the audit log has each one, with the name.
    last_sign_in = (select(AuditEvent.operator_name, func.max(AuditEvent.at).label("at"))
                    .where(AuditEvent.action == Action.SIGNED_IN)
                    .group_by(AuditEvent.operator_name).subquery())
    query = (select(Operator, last_sign_in.c.at)
             .outerjoin(last_sign_in, last_sign_in.c.operator_name == Operator.name)
             .order_by(Operator.name))
    with db.session() as s:
        return [OperatorSummary(name=operator.name, role=operator.role,
                                failed_attempts=operator.failed_attempts,
                                locked_until=operator.locked_until, last_signed_in=at)
                for operator, at in s.execute(query)]


def has_admin(db: Database) -> bool:
    """Whether anyone can administer this booth yet (if not, the first start asks for one)."""
    with db.session() as s:
        return bool(s.scalar(select(exists().where(Operator.role == Role.ADMIN))))


def sign_in(db: Database, name: str, pin: str, *, now: datetime | None = None
            ) -> SignedInOperator:
    """The operator, if `pin` is theirs and they are not locked out; else PinRefusedError."""
    now = now or utcnow()
    with db.session() as s, s.begin():
        operator = s.scalars(select(Operator).where(Operator.name == name)
                             .with_for_update()).one_or_none()
        if operator is None:
            raise PinRefusedError(f"There is no operator called {name!r}.")
        if operator.locked_until is not None and operator.locked_until > now:
            raise PinRefusedError(_locked_message(operator.locked_until, now),
                                  operator.locked_until)
        if pin_matches(pin, operator.pin_hash):
            operator.failed_attempts = 0
            operator.locked_until = None
            append_event(s, Action.SIGNED_IN, operator_name=operator.name)
            return _signed_in(operator)
        operator.failed_attempts += 1
        lockout = lockout_for(operator.failed_attempts)
        operator.locked_until = now + lockout if lockout else None
        append_event(s, Action.PIN_FAILED, operator_name=operator.name,
                     detail={"failed_attempts": operator.failed_attempts,
                             "locked_seconds": int(lockout.total_seconds()) if lockout else 0})
        attempts, locked_until = operator.failed_attempts, operator.locked_until
    if locked_until is not None:
        raise PinRefusedError(f"Wrong PIN. {_locked_message(locked_until, now)}", locked_until)
    left = FREE_ATTEMPTS - attempts
    raise PinRefusedError(f"Wrong PIN. {left} more {'try' if left == 1 else 'tries'} before "
                          f"{name} is locked out for a while.")


def lockout_for(failed_attempts: int) -> timedelta | None:
    """How long an operator is locked out after this many wrong PINs in a row."""
    if failed_attempts < FREE_ATTEMPTS:
        return None
    return min(FIRST_LOCKOUT * 2 ** (failed_attempts - FREE_ATTEMPTS), LONGEST_LOCKOUT)


def _locked_message(until: datetime, now: datetime) -> str:
    seconds = max(1, round((until - now).total_seconds()))
    if seconds < 90:
        wait = f"{seconds} seconds"
    else:
        wait = f"{round(seconds / 60)} minutes"
    return f"Too many wrong PINs: locked for {wait}."


def _by_name(s: Session, name: str) -> Operator:
    operator = s.scalars(select(Operator).where(Operator.name == name)).one_or_none()
    if operator is None:
        raise NotFoundError(f"There is no operator called {name!r}.")
    return operator


def _signed_in(operator: Operator) -> SignedInOperator:
    return SignedInOperator(id=operator.id, name=operator.name, role=operator.role)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, *, length: int = 32) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * n * r, dklen=length)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
