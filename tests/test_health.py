"""The booth's health facts (kiosk.health) and the operators' summary, without Qt."""

from __future__ import annotations

import shutil
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.config import Settings, load_settings
from kiosk.doctor import examine
from kiosk.health import (
    AUDIT,
    CAMERA,
    DATABASE,
    MICROPHONE,
    OBJECT_STORAGE,
    QUESTIONS,
    RECORDINGS,
    STORAGE,
    TRANSCRIPTS,
    Check,
    booth_settings,
    check_devices,
    check_storage_and_database,
    question_set_check,
)
from kiosk.store.database import open_configured
from kiosk.store.models import Role, SessionStatus
from kiosk.store.operators import (
    FREE_ATTEMPTS,
    PinRefusedError,
    add_operator,
    operator_summaries,
    sign_in,
)
from kiosk.store.sessions import create_session
from kiosk.store.transcripts import claim_next, fail, requeue
from tests.recruiter import add_recorded_session
from tests.test_audit import _tamper

FIRST_RELEASE_DB = Path(__file__).parent / "data" / "kiosk-0001.db"


def _checks(settings: Settings) -> dict[str, Check]:
    return {check.key: check for check in check_storage_and_database(settings)}


def _recorded_session(settings: Settings) -> str:
    db = open_configured(settings)
    try:
        return add_recorded_session(db, settings)
    finally:
        db.close()


def test_a_fresh_booth_is_healthy_in_words(settings: Settings) -> None:
    _recorded_session(settings)
    checks = _checks(settings)
    assert list(checks) == [STORAGE, DATABASE, AUDIT, RECORDINGS, QUESTIONS, TRANSCRIPTS,
                            OBJECT_STORAGE]
    assert all(check.ok and check.verdict == "OK" for check in checks.values()), checks
    assert checks[STORAGE].headline.endswith(" GB free")
    assert "A new one needs 1.9 GB free." in checks[STORAGE].detail
    assert checks[DATABASE].headline == "Reachable, up to date"
    assert checks[QUESTIONS].detail.startswith("'default': 4 questions")


def test_too_little_disk_for_a_new_interview_is_a_problem(settings: Settings) -> None:
    greedy = replace(settings, recording=replace(settings.recording, disk_reserve_mb=10**7))
    storage = _checks(greedy)[STORAGE]
    assert (storage.ok, storage.verdict) == (False, "Problem")
    assert storage.headline.endswith("GB free: not enough")
    assert "will not start one" in storage.detail


def test_missing_recordings_and_stray_files_are_named(settings: Settings) -> None:
    kept, lost = _recorded_session(settings), _recorded_session(settings)
    (settings.recordings_dir / lost / "interview.mp4").unlink()
    (settings.recordings_dir / "stray-folder").mkdir()
    recordings = _checks(settings)[RECORDINGS]
    assert recordings.verdict == "Problem"
    assert recordings.headline == "1 recording missing, 1 file without an interview"
    # Named by the candidate, as the admin knows the interview, with the id to tell apart.
    assert f"Recording missing for Grace Hopper ({lost[:8]})." in recordings.detail
    assert "stray-folder" in recordings.detail
    assert kept[:8] not in recordings.detail


def test_a_database_that_cannot_be_opened_leaves_its_rows_unchecked(
        settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    Path(settings.database_url.removeprefix("sqlite:///")).write_bytes(b"garbage" * 100)
    checks = _checks(settings)
    assert (checks[DATABASE].verdict, checks[DATABASE].headline) == ("Problem",
                                                                     "Cannot be reached")
    assert "not a SQLite database" in checks[DATABASE].detail
    assert checks[AUDIT].ok is None and checks[AUDIT].verdict == "Not checked"
    assert checks[RECORDINGS].verdict == "Not checked"
    assert checks[STORAGE].ok  # the disk is fine: only the database is not


def test_an_old_schema_is_said(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    shutil.copy(FIRST_RELEASE_DB, settings.data_dir / "kiosk.db")
    database = _checks(settings)[DATABASE]
    assert (database.verdict, database.headline) == ("Problem", "Schema not current")
    assert "0001" in database.detail


def test_a_tampered_audit_log_is_a_problem_naming_the_event(settings: Settings) -> None:
    db = open_configured(settings)
    try:
        for name in ("Ada Admin", "Rita Recruiter"):
            add_operator(db, name, Role.RECRUITER, "2468")
        assert _checks(settings)[AUDIT].headline == "Chain intact, 2 events"
        _tamper(db, "UPDATE audit_events SET operator_name = 'Mallory' WHERE id = 2")
    finally:
        db.close()
    audit = _checks(settings)[AUDIT]
    assert (audit.verdict, audit.headline) == ("Problem", "Chain broken")
    assert "audit event 2 was changed" in audit.detail


def test_a_question_set_that_cannot_be_used_is_a_problem(settings: Settings) -> None:
    missing = replace(settings, interview=replace(settings.interview, question_set="nope"))
    questions = _checks(missing)[QUESTIONS]
    assert (questions.verdict, questions.headline) == ("Problem", "Cannot be used")
    assert "nope" in questions.detail and "out of service" in questions.detail


def test_transcripts_say_the_model_and_the_queue(settings: Settings) -> None:
    waiting = _recorded_session(settings)
    db = open_configured(settings)
    try:
        requeue(db, waiting)  # as a committed interview leaves it
        transcripts = _checks(settings)[TRANSCRIPTS]
        assert (transcripts.ok, transcripts.headline) == (True, "1 waiting")
        assert "with the model tiny.en" in transcripts.detail
        claim = claim_next(db, "booth:1")
        fail(db, claim, "The recording has no sound.")
    finally:
        db.close()
    transcripts = _checks(settings)[TRANSCRIPTS]
    assert (transcripts.verdict, transcripts.headline) == ("Problem", "1 transcript not made")
    assert waiting[:8] in transcripts.detail and "has no sound" in transcripts.detail


def test_a_booth_without_a_speech_model_says_so_and_one_switched_off_is_not_checked(
    settings: Settings,
) -> None:
    settings.data_dir.mkdir(parents=True)
    settings.config_file.write_text('[transcripts]\nmodel_dir = "/nowhere/tiny"\n')
    transcripts = _checks(load_settings())[TRANSCRIPTS]
    assert (transcripts.verdict, transcripts.headline) == ("Problem", "No speech model")
    assert "/nowhere/tiny" in transcripts.detail and "not transcribed" in transcripts.detail
    settings.config_file.write_text("[transcripts]\nenabled = false\n")
    off = _checks(load_settings())[TRANSCRIPTS]
    assert (off.ok, off.headline) == (None, "Switched off")


def test_devices_that_are_missing_or_synthetic(settings: Settings, tmp_path: Path) -> None:
    gone = str(tmp_path / "no-such-camera.mp4")
    missing = replace(settings.recording, camera=gone, microphone="no such microphone")
    camera, microphone = check_devices(missing)
    assert (camera.key, camera.verdict, camera.headline) == (CAMERA, "Problem", "Not found")
    assert gone in camera.detail
    assert (microphone.key, microphone.headline) == (MICROPHONE, "Not found")
    assert "no such microphone" in microphone.detail
    demo = replace(settings.recording, camera="synthetic", microphone="synthetic")
    assert [(c.verdict, c.headline) for c in check_devices(demo)] == [("OK", "Found")] * 2


def test_the_question_set_row_names_its_languages_and_one_offered_without_a_set(
        settings: Settings) -> None:
    shipped = question_set_check(settings)
    assert shipped.ok and "written in en, es." in shipped.detail
    offered = replace(settings, language="fr",
                      interview=replace(settings.interview, languages=("fr", "en", "es")))
    said = question_set_check(offered).detail
    assert "Offered without a set of its own: fr (those candidates get the en set" in said
    assert "None is written in the booth's language (fr)" in said


def test_the_settings_shown_are_the_ones_in_use(settings: Settings) -> None:
    shown = dict(booth_settings(settings))
    assert shown["Recordings folder"] == str(settings.recordings_dir)
    assert shown["Keep recordings"] == "for ever"
    assert shown["Question set"] == "default"
    assert shown["Languages"] == "en for the booth; offered at Welcome: en, es"
    assert shown["Idle lock"].startswith("after 5 minutes")
    assert shown["Picture"] == "1280 \u00d7 720 at 30 fps"
    assert shown["Booth name"] == settings.booth_name == socket.gethostname()
    assert shown["Object storage"].startswith("none: the recordings stay")
    fleet = replace(settings, storage=replace(settings.storage, kind="s3", bucket="acme",
                                              keep_local_days=0))
    assert dict(booth_settings(fleet))["Object storage"] == (
        "bucket acme at AWS, under interviews/; this booth's copy removed at once after a "
        "verified upload")
    kept = replace(settings, review=replace(settings.review, retention_days=30))
    assert dict(booth_settings(kept))["Keep recordings"] == "30 days, then deleted"


def test_operator_summaries_say_lockout_and_last_sign_in(booth_db) -> None:
    _, db = booth_db
    add_operator(db, "Ada Admin", Role.ADMIN, "13579")
    add_operator(db, "Rita Recruiter", Role.RECRUITER, "2468")
    before = datetime.now(UTC)
    sign_in(db, "Ada Admin", "13579")
    sign_in(db, "Ada Admin", "13579")
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(PinRefusedError):
            sign_in(db, "Rita Recruiter", "0000")
    ada, rita = operator_summaries(db)
    assert (ada.name, ada.role, ada.locked_out()) == ("Ada Admin", Role.ADMIN, False)
    assert before <= ada.last_signed_in <= datetime.now(UTC)
    assert (rita.name, rita.last_signed_in, rita.failed_attempts) == (
        "Rita Recruiter", None, FREE_ATTEMPTS)
    assert rita.locked_out()
    assert not rita.locked_out(now=rita.locked_until + timedelta(seconds=1))


def test_recordings_of_other_booths_are_there_not_missing(settings: Settings,
                                                          database_url: str) -> None:
    """Three booths share a database: the third's doctor finds the other two's recordings
    on their booths (or in the bucket), and only its own lost one missing."""
    third = replace(settings, database_url=database_url, booth_name="booth-c")
    db = open_configured(third)
    try:
        ids = {}
        for name, booth, uploaded in (("On A", "booth-a", None), ("On B", "booth-b", None),
                                      ("Uploaded", "booth-a", datetime.now(UTC)),
                                      ("Lost here", "booth-c", None)):
            with db.session() as s, s.begin():
                row = create_session(s, name, status=SessionStatus.COMPLETED)
                s.flush()
                row.recording_video = f"{row.id}/interview.mp4"
                row.booth_name, row.uploaded_at = booth, uploaded
                ids[name] = row.id
    finally:
        db.close()
    report = examine(third)
    assert [row["session_id"] for row in report.rows_without_files] == [ids["Lost here"]]
    assert sorted((row["session_id"], row["where"]) for row in report.files_elsewhere) == sorted(
        [(ids["On A"], "booth booth-a"), (ids["On B"], "booth booth-b"),
         (ids["Uploaded"], "the bucket")])
    recordings = {c.key: c for c in check_storage_and_database(third)}[RECORDINGS]
    assert recordings.headline == "1 recording missing"
    assert ("Kept elsewhere: 1 recording in booth booth-a, 1 recording in booth booth-b, "
            "1 recording in the bucket.") in recordings.detail
