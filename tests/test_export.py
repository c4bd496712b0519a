"""Export: a byte-exact, verified copy of a real recording and its JSON sidecar."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.cli import main
from kiosk.store.database import open_configured
from kiosk.store.export import ExportError, export_session, export_stem
from kiosk.store.models import AuditEvent, Role
from kiosk.store.operators import add_operator
from kiosk.store.review import add_note, set_rating
from kiosk.store.sessions import get_session, session_to_dict
from kiosk.store.transcripts import Segment, Word, claim_next, complete
from tests.engine import quick_interview


@pytest.fixture
def recorded(settings):
    db = open_configured(settings)
    session_id = quick_interview(db, settings, candidate='Zoë "Z" O\'Neil/🎤')
    yield settings, db, session_id
    db.close()


def test_export_writes_a_verified_copy_and_the_sidecar(recorded, tmp_path: Path) -> None:
    settings, db, session_id = recorded
    rita = add_operator(db, "Rita", Role.RECRUITER, "2468")
    add_note(db, session_id, rita, 2_500, "Clear answer")
    set_rating(db, session_id, rita, None, 4)
    set_rating(db, session_id, rita, 1, 5)
    usb = tmp_path / "usb"
    usb.mkdir()
    seen: list[tuple[int, int]] = []
    result = export_session(db, settings, session_id, usb, exported_by="Rita",
                            progress=lambda done, total: seen.append((done, total)))

    original = settings.recordings_dir / session_id / "interview.mp4"
    assert result.video.read_bytes() == original.read_bytes()
    with db.session() as s:
        row = get_session(s, session_id)
        shown = session_to_dict(row, settings.recordings_dir)
        recorded_sha = row.sha256
    assert result.sha256 == recorded_sha == hashlib.sha256(result.video.read_bytes()).hexdigest()
    assert sorted(p.name for p in usb.iterdir()) == sorted([result.video.name,
                                                            result.sidecar.name])
    assert "/" not in result.video.name and '"' not in result.video.name
    assert result.video.name.startswith('Zoë-_Z_-O\'Neil_🎤-')

    sidecar = json.loads(result.sidecar.read_text(encoding="utf-8"))
    export = sidecar.pop("export")
    notes, ratings = sidecar.pop("notes"), sidecar.pop("ratings")
    transcript = sidecar.pop("transcript")
    assert (transcript["state"], transcript["segments"]) == ("pending", [])
    assert export["captions_file"] is None  # not transcribed yet: no captions file
    assert sidecar == shown  # exactly what `kiosk sessions show --json` prints
    assert [q["question"] for q in sidecar["questions"]] == [
        "Tell us about yourself.", "Why this job?", "A hard problem you solved."]
    assert [(n["time_ms"], n["text"], n["author"]) for n in notes] == [
        (2_500, "Clear answer", "Rita")]
    assert sorted((r["question_index"] or -1, r["score"]) for r in ratings) == [(-1, 4), (1, 5)]
    assert export["sha256"] == recorded_sha and export["file_name"] == result.video.name
    assert export["exported_by"] == "Rita"

    # Progress went up to the end of both passes (the copy, then the read-back).
    assert seen[-1] == (2 * result.size, 2 * result.size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)

    # A second export never overwrites the first.
    again = export_session(db, settings, session_id, usb, exported_by="Rita")
    assert again.video != result.video and again.video.name.endswith("-2.mp4")
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "exported")).all()
    assert [(e.operator_name, e.session_id) for e in events] == [("Rita", session_id)] * 2
    assert recorded_sha in events[0].detail and str(usb) in events[0].detail
    assert "Zo" not in events[0].detail  # no candidate's name in the log that outlives them


def test_a_transcribed_interview_exports_its_captions_and_its_transcript(
    recorded, tmp_path: Path,
) -> None:
    settings, db, session_id = recorded
    claim = claim_next(db, "test-booth:1", session_id=session_id)
    said = [Segment(0, 200, 1_500, "I like <people>", (Word(200, 500, "I"),)),
            Segment(1, 2_100, 3_000, "Second answer")]
    assert complete(db, claim, said, model="tiny.en", language="en")
    usb = tmp_path / "usb"
    usb.mkdir()
    result = export_session(db, settings, session_id, usb, exported_by="Rita")
    assert result.captions == result.video.with_suffix(".vtt")
    assert sorted(p.name for p in usb.iterdir()) == sorted(
        p.name for p in (result.video, result.sidecar, result.captions))
    assert result.captions.read_text(encoding="utf-8") == (
        "WEBVTT\n\n1\n00:00:00.200 --> 00:00:01.500\nI like &lt;people&gt;\n\n"
        "2\n00:00:02.100 --> 00:00:03.000\nSecond answer\n")
    sidecar = json.loads(result.sidecar.read_text(encoding="utf-8"))
    assert sidecar["export"]["captions_file"] == result.captions.name
    assert sidecar["transcript"]["state"] == "done"
    assert [(s["question_index"], s["start_ms"], s["text"], s["words"])
            for s in sidecar["transcript"]["segments"]] == [
        (0, 200, "I like <people>", [[200, 500, "I"]]), (1, 2_100, "Second answer", [])]


def test_an_original_that_changed_on_disk_is_not_exported(recorded, tmp_path: Path) -> None:
    settings, db, session_id = recorded
    original = settings.recordings_dir / session_id / "interview.mp4"
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: a failing disk, or an edit
    original.write_bytes(bytes(data))
    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(ExportError, match="no longer matches the checksum"):
        export_session(db, settings, session_id, usb, exported_by="Rita")
    assert list(usb.iterdir()) == []


def test_a_cancelled_export_leaves_nothing(recorded, tmp_path: Path) -> None:
    settings, db, session_id = recorded
    usb = tmp_path / "usb"
    usb.mkdir()
    cancel = threading.Event()
    with pytest.raises(ExportError, match="cancelled"):
        # Cancelled once the copy is under way (the person pressed Cancel).
        export_session(db, settings, session_id, usb, exported_by="Rita", cancel=cancel,
                       progress=lambda done, total: cancel.set())
    assert list(usb.iterdir()) == []


def test_problems_are_said_plainly(recorded, tmp_path: Path) -> None:
    settings, db, session_id = recorded
    with pytest.raises(ExportError, match="does not exist"):
        export_session(db, settings, session_id, tmp_path / "unplugged", exported_by="Rita")
    (settings.recordings_dir / session_id / "interview.mp4").unlink()
    with pytest.raises(ExportError, match="is missing"):
        export_session(db, settings, session_id, tmp_path, exported_by="Rita")


def test_file_names_are_safe_on_any_stick() -> None:
    stem = export_stem('a<b>c:"d"/e\\f|g?h*  \x01 end.', "2026-03-01T23:30:00+00:00",
                       "0123456789abcdef")
    assert stem.startswith("a_b_c__d__e_f_g_h_-_-end-")
    assert stem.endswith("-01234567")
    assert export_stem("...", "2026-03-01T10:00:00+00:00", "abcdefgh").startswith("interview-")


def test_the_export_command(recorded, tmp_path: Path, capsys) -> None:
    _, _, session_id = recorded
    assert main(["sessions", "export", session_id, str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert Path(out["video"]).is_file() and Path(out["sidecar"]).is_file()
    assert hashlib.sha256(Path(out["video"]).read_bytes()).hexdigest() == out["sha256"]
    assert main(["sessions", "export", "no-such-id", str(tmp_path)]) == 1
    assert "no-such-id" in capsys.readouterr().err


def test_a_write_that_fails_is_said_plainly_and_leaves_nothing(recorded, tmp_path: Path,
                                                               capsys) -> None:
    settings, db, session_id = recorded
    usb = tmp_path / "usb"
    usb.mkdir()
    with db.session() as s:
        row = get_session(s, session_id)
        stem = export_stem(row.candidate_name, row.recording_created_at.isoformat(), session_id)
    (usb / f"{stem}.mp4.partial").mkdir()  # something in the way: the copy cannot be written
    with pytest.raises(ExportError, match=r"Writing to .* failed: .*Nothing was exported"):
        export_session(db, settings, session_id, usb, exported_by="Rita")
    assert sorted(p.name for p in usb.iterdir()) == [f"{stem}.mp4.partial"]
    assert main(["sessions", "export", session_id, str(usb)]) == 1
    assert "Traceback" not in capsys.readouterr().err
