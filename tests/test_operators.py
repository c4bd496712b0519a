"""Operators: PIN hashes, signing in, lockout with a growing delay, and the command line."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk.cli import main
from kiosk.errors import InvalidInputError
from kiosk.store.models import AuditEvent, Operator, Role, utcnow
from kiosk.store.operators import (
    PinRefusedError,
    add_operator,
    check_new_pin,
    has_admin,
    hash_pin,
    lockout_for,
    pin_matches,
    reset_pin,
    sign_in,
)


def test_a_pin_is_stored_as_a_salted_scrypt_hash() -> None:
    first, second = hash_pin("2468"), hash_pin("2468")
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$16384$8$1$")
    assert "2468" not in first
    assert pin_matches("2468", first) and pin_matches("2468", second)
    assert not pin_matches("2469", first)
    assert not pin_matches("2468", "scrypt$broken")
    assert not pin_matches("2468", "bcrypt$1$2$3$4$5")


@pytest.mark.parametrize(("pin", "message"), [
    ("12a4", "digits only"), ("٣٤٥٦", "digits only"), ("246", "4 to 12 digits"),
    ("1" * 13, "4 to 12 digits"), ("7777", "too easy"), ("3456", "too easy"),
    ("9876", "too easy"),
])
def test_weak_or_malformed_pins_are_refused(pin: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        check_new_pin(pin)


def test_the_lockout_grows_after_five_wrong_pins() -> None:
    assert [lockout_for(n) for n in range(5)] == [None] * 5
    assert lockout_for(5) == timedelta(minutes=1)
    assert lockout_for(6) == timedelta(minutes=2)
    assert lockout_for(7) == timedelta(minutes=4)
    assert lockout_for(30) == timedelta(hours=1)


def test_five_wrong_pins_lock_that_operator_out_for_a_growing_delay(booth_db) -> None:
    _, db = booth_db
    add_operator(db, "Rita", Role.RECRUITER, "2468")
    add_operator(db, "Omar", Role.RECRUITER, "1357")
    now = utcnow()
    for attempt in range(1, 5):
        with pytest.raises(PinRefusedError, match="Wrong PIN") as refused:
            sign_in(db, "Rita", "0000", now=now)
        assert refused.value.locked_until is None
        assert f"{5 - attempt} more" in str(refused.value)
    with pytest.raises(PinRefusedError, match="locked for 60 seconds") as refused:
        sign_in(db, "Rita", "0000", now=now)
    assert refused.value.locked_until == now + timedelta(minutes=1)
    # Locked out: even the right PIN is refused, and the message says for how long.
    with pytest.raises(PinRefusedError, match="locked for 30 seconds"):
        sign_in(db, "Rita", "2468", now=now + timedelta(seconds=30))
    # The lockout is Rita's alone.
    assert sign_in(db, "Omar", "1357", now=now).name == "Omar"
    # After it, one more wrong PIN locks her out for twice as long.
    later = now + timedelta(minutes=1, seconds=1)
    with pytest.raises(PinRefusedError, match="locked for 2 minutes"):
        sign_in(db, "Rita", "0000", now=later)
    signed_in = sign_in(db, "Rita", "2468", now=later + timedelta(minutes=2, seconds=1))
    assert (signed_in.name, signed_in.role, signed_in.is_admin) == ("Rita", Role.RECRUITER,
                                                                   False)
    with db.session() as s:
        rita = s.scalars(select(Operator).where(Operator.name == "Rita")).one()
        assert (rita.failed_attempts, rita.locked_until) == (0, None)
        actions = [(e.action, e.operator_name) for e in s.scalars(
            select(AuditEvent).order_by(AuditEvent.id)) if e.operator_name == "Rita"]
    assert actions == [("pin_failed", "Rita")] * 6 + [("signed_in", "Rita")]


def test_an_admin_reset_lifts_the_lockout(booth_db) -> None:
    _, db = booth_db
    add_operator(db, "Rita", Role.RECRUITER, "2468")
    for _ in range(5):
        with pytest.raises(PinRefusedError):
            sign_in(db, "Rita", "0000")
    reset_pin(db, "Rita", "8642", reset_by="Ada")
    assert sign_in(db, "Rita", "8642").name == "Rita"
    with pytest.raises(PinRefusedError, match="Wrong PIN"):
        sign_in(db, "Rita", "2468")


def test_the_first_admin_and_duplicate_names(booth_db) -> None:
    _, db = booth_db
    assert not has_admin(db)
    add_operator(db, "Rita", Role.RECRUITER, "2468")
    assert not has_admin(db)
    admin = add_operator(db, "  Ada  ", Role.ADMIN, "13579")
    assert (admin.name, admin.is_admin) == ("Ada", True)
    assert has_admin(db)
    with pytest.raises(InvalidInputError, match="already an operator called 'Ada'"):
        add_operator(db, "Ada", Role.RECRUITER, "97531")
    with pytest.raises(PinRefusedError, match="no operator called 'Nobody'"):
        sign_in(db, "Nobody", "2468")


def test_operators_on_the_command_line(data_dir, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("13579\n"))
    assert main(["operators", "add", "Ada Admin", "--role", "admin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("1111\n"))
    assert main(["operators", "add", "Weak"]) == 1
    assert "too easy" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert main(["operators", "add", "Rita"]) == 0
    capsys.readouterr()
    assert main(["operators", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(o["name"], o["role"]) for o in listed] == [("Ada Admin", "admin"),
                                                        ("Rita", "recruiter")]
    monkeypatch.setattr("sys.stdin", io.StringIO("8642\n"))
    assert main(["operators", "reset-pin", "Rita"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("8642\n"))
    assert main(["operators", "reset-pin", "Nobody"]) == 1
    assert "no operator called 'Nobody'" in capsys.readouterr().err
