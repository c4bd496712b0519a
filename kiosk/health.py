"""The booth's health, as the admin's booth page shows it: one `Check` per thing that can
go wrong, each with a verdict in words, and the settings worth knowing, read-only.

No Qt here: the page runs these functions on a worker thread (a camera can take seconds to
answer) and only shows what they return. The facts come from the code that already knows
them: `kiosk doctor` (`examine`) for the database, the files and the audit chain; the
recorder's own rule for how much disk a new interview needs; the device probes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from kiosk.capture.checkup import LAST_CHECK_FILE, last_verdict
from kiosk.capture.devices import DeviceProbe, probe_camera, probe_microphone
from kiosk.config import RecordingSettings, Settings
from kiosk.doctor import AUDIT_LOG, DoctorReport, examine
from kiosk.errors import StorageError
from kiosk.interview.question_sets import QuestionSetError, configured_question_sets
from kiosk.recording.disk import required_free_bytes
from kiosk.resources import resource_path
from kiosk.store.database import open_database
from kiosk.store.files import format_size
from kiosk.store.models import InterviewSession

STORAGE = "storage"
DATABASE = "database"
AUDIT = "audit"
RECORDINGS = "recordings"
QUESTIONS = "questions"
TRANSCRIPTS = "transcripts"
OBJECT_STORAGE = "object_storage"
CAMERA = "camera"
MICROPHONE = "microphone"

# The rows, in the order the page lists them, with their titles.
CHECK_TITLES = {
    STORAGE: "Storage",
    DATABASE: "Database",
    AUDIT: "Audit log",
    RECORDINGS: "Recordings",
    QUESTIONS: "Question set",
    TRANSCRIPTS: "Transcripts",
    OBJECT_STORAGE: "Object storage",
    CAMERA: "Camera",
    MICROPHONE: "Microphone",
}
# The checks that read the disk and the database, and those that open devices: two groups,
# so a slow camera never holds back the rest.
STORAGE_AND_DATABASE = (STORAGE, DATABASE, AUDIT, RECORDINGS, QUESTIONS, TRANSCRIPTS,
                        OBJECT_STORAGE)
DEVICES = (CAMERA, MICROPHONE)

# How many names a row lists before it only counts the rest.
LISTED = 5


@dataclass(frozen=True)
class Check:
    """One row of the health page. `ok` is None when it could not be checked (the database
    it needs was unreachable, say): neither fine nor a problem of its own."""

    key: str
    ok: bool | None
    headline: str  # a few words: "42.0 GB free", "Not found"
    detail: str = ""  # the sentence(s) that say what it means or what to do

    @property
    def title(self) -> str:
        return CHECK_TITLES[self.key]

    @property
    def verdict(self) -> str:
        """The state in words, never only a colour."""
        if self.ok is None:
            return "Not checked"
        return "OK" if self.ok else "Problem"


def check_storage_and_database(settings: Settings) -> list[Check]:
    """Disk space, the database, the audit chain, files against rows, the question set."""
    report = examine(settings)
    names = _candidate_names(settings, [row["session_id"] for row in report.rows_without_files])
    return [storage_check(settings, report), *database_checks(report, names),
            question_set_check(settings), transcripts_check(report),
            object_storage_check(settings, report)]


def check_devices(recording: RecordingSettings) -> list[Check]:
    """Whether the configured camera and microphone answer (can take seconds)."""
    return [device_check(CAMERA, probe_camera(recording)),
            device_check(MICROPHONE, probe_microphone(recording))]


def storage_check(settings: Settings, report: DoctorReport) -> Check:
    """Free space on the recordings folder's disk against what a new interview needs."""
    if not report.recordings_writable or report.free_bytes is None:
        problem = next((p for p in report.problems if report.recordings_root in p),
                       f"The recordings folder {report.recordings_root} cannot be used.")
        return Check(STORAGE, False, "Recordings folder cannot be written", problem)
    recording = settings.recording
    free, needed = report.free_bytes, required_free_bytes(settings)
    why = (f"the longest interview, {recording.longest_interview_minutes} min at "
           f"{recording.mb_per_minute} MB a minute, plus {recording.disk_reserve_mb} MB kept "
           f"free")
    # Sized as `check_disk_for_new_session` words them: the numbers match the message a
    # candidate gets when the booth refuses to start for lack of space.
    if free < needed:
        return Check(STORAGE, False, f"{format_size(free)} free: not enough",
                     f"A new interview needs {format_size(needed)} ({why}), so the booth will "
                     f"not start one. Export and delete old recordings, or free space on this "
                     f"disk.")
    reserve = recording.disk_reserve_mb * 2**20
    hours = (free - reserve) / (recording.mb_per_minute * 2**20) / 60
    return Check(STORAGE, True, f"{format_size(free)} free",
                 f"Room for about {hours:,.0f} hours of interviews. A new one needs "
                 f"{format_size(needed)} free.")


def database_checks(report: DoctorReport, names: Mapping[str, str] | None = None
                    ) -> list[Check]:
    """The database row, and the two rows that need it read: the audit log and the files."""
    if not report.database_readable:
        # `examine` stops at the first thing wrong with the database, so it is the last
        # problem it noted (one about the recordings folder may come before it).
        problem = report.problems[-1] if report.problems else "The database cannot be read."
        if not report.database_reachable:
            headline = "Cannot be reached"
        elif report.schema_from_newer_version:
            headline = "Made by a newer version"
        elif report.schema_revision != report.schema_head:
            headline = "Schema not current"
        else:
            headline = "Cannot be read"
        skipped = "Not checked: the database could not be read."
        return [Check(DATABASE, False, headline, f"{report.database}: {problem}"),
                Check(AUDIT, None, "Not checked", skipped),
                Check(RECORDINGS, None, "Not checked", skipped)]
    database = Check(DATABASE, True, "Reachable, up to date")
    return [database, _audit_check(report), _recordings_check(report, names or {})]


def _audit_check(report: DoctorReport) -> Check:
    # The chain's own words say which event broke it, which key is missing, which guard.
    problems = [p for p in report.problems if p.startswith(AUDIT_LOG)]
    if report.audit_chain_ok and not problems:
        events = report.audit_events
        return Check(AUDIT, True, f"Chain intact, {_count(events, 'event')}" if events
                     else "Chain intact, nothing recorded yet")
    if not problems or any(p.startswith(f"{AUDIT_LOG} was tampered with") for p in problems):
        headline = "Chain broken"
    elif report.audit_guards_missing:
        headline = "No longer append-only"
    else:
        headline = "Not fully checked"
    return Check(AUDIT, False, headline,
                 "\n".join(problems) or f"{AUDIT_LOG}'s chain is broken.")


def _recordings_check(report: DoctorReport, names: Mapping[str, str]) -> Check:
    missing, stray = report.rows_without_files, report.files_without_rows
    unfinished, failed = report.unfinished_sessions, report.failed_sessions
    if not (missing or stray or unfinished or failed):
        return Check(RECORDINGS, True, "Files match the database", _elsewhere(report))
    headline, lines = [], []
    if failed:
        headline.append(f"{_count(len(failed), 'interview')} failed")
        lines.append("Failed, and could not be rebuilt: " + _listed(
            f"{row['candidate_name']} ({row['session_id'][:8]})" for row in failed) + ".")
    if missing:
        headline.append(f"{_count(len(missing), 'recording')} missing")
        lines.append("Recording missing for " + _listed(_missing(row, names) for row in missing)
                     + ".")
    if stray:
        headline.append(f"{_count(len(stray), 'file')} without an interview")
        lines.append("In the recordings folder but in no interview: " + _listed(stray) + ".")
    if unfinished:
        headline.append(f"{_count(len(unfinished), 'interview')} unfinished")
        lines.append("Left unfinished by a crash or a power cut: " + _listed(unfinished)
                     + ". Starting the kiosk, or 'kiosk recover', rebuilds them.")
    if elsewhere := _elsewhere(report):
        lines.append(elsewhere)
    lines.append("'kiosk doctor' lists them all.")
    return Check(RECORDINGS, False, ", ".join(headline), "\n".join(lines))


def _elsewhere(report: DoctorReport) -> str:
    """The recordings kept on other booths or only in the bucket: there, not missing."""
    counts: dict[str, int] = {}
    for row in report.files_elsewhere:
        counts[row["where"]] = counts.get(row["where"], 0) + 1
    if not counts:
        return ""
    return "Kept elsewhere: " + _listed(f"{_count(n, 'recording')} in {where}"
                                        for where, n in sorted(counts.items())) + "."


def _missing(row: Mapping[str, str], names: Mapping[str, str]) -> str:
    """An interview whose recording is gone, as the admin knows it: by the candidate."""
    session_id, problem = row["session_id"], row["problem"]
    who = f"{names[session_id]} ({session_id[:8]})" if session_id in names else session_id
    # Doctor's "<path> is missing" only repeats the session id; any other reason is news.
    return who if problem.endswith(" is missing") else f"{who}: {problem}"


def _candidate_names(settings: Settings, session_ids: list[str]) -> dict[str, str]:
    """The candidates of these sessions; empty if the database cannot say (the database
    row already says why)."""
    if not session_ids:
        return {}
    try:
        db = open_database(settings.database_url, migrate=False)
    except StorageError:
        return {}
    try:
        with db.session() as s:
            rows = s.execute(select(InterviewSession.id, InterviewSession.candidate_name)
                             .where(InterviewSession.id.in_(session_ids)))
            return {session_id: name for session_id, name in rows}
    except SQLAlchemyError:
        return {}
    finally:
        db.close()


def question_set_check(settings: Settings) -> Check:
    """The question set in use: without a usable one the candidate side is out of service."""
    try:
        sets = configured_question_sets(settings)
    except QuestionSetError as exc:
        return Check(QUESTIONS, False, "Cannot be used",
                     f"{exc} The candidate side is out of service until it is fixed.")
    questions = sets.default
    if questions.source.is_relative_to(resource_path("question_sets")):
        where = "shipped with the kiosk"
    else:
        where = f"from {questions.source}"
    detail = (f"'{questions.name}': {_count(len(questions.questions), 'question')}, {where}; "
              f"written in {', '.join(sets.by_language)}.")
    # A language offered at Welcome with no set of its own gets the default one, and its
    # candidates are told so: worth knowing, not a fault.
    without = [code for code in settings.interview.languages if code not in sets.by_language]
    if without:
        detail += (f" Offered without a set of its own: {', '.join(without)} (those "
                   f"candidates get the {questions.language} set, and are told so).")
    if settings.language not in sets.by_language:
        detail += (f" None is written in the booth's language ({settings.language}): the "
                   f"{questions.language} set is the default.")
    return Check(QUESTIONS, True, f"\u201c{questions.title}\u201d", detail)


def transcripts_check(report: DoctorReport) -> Check:
    """The speech model and the queue: interviews are recorded either way."""
    if not report.transcripts_enabled:
        return Check(TRANSCRIPTS, None, "Switched off",
                     "[transcripts] enabled = false: interviews are not transcribed.")
    if report.transcripts_model is None:
        problem = next((p for p in report.problems if "speech model" in p),
                       "There is no speech model.")
        return Check(TRANSCRIPTS, False, "No speech model", problem)
    counts = report.transcripts
    if not counts:
        return Check(TRANSCRIPTS, None, f"Model {report.transcripts_model}",
                     "The queue was not checked: the database could not be read.")
    waiting = counts.get("pending", 0) + counts.get("running", 0)
    detail = (f"{_count(counts.get('done', 0), 'interview')} transcribed, {waiting} waiting; "
              f"made on this booth's CPU while no candidate records, with the model "
              f"{report.transcripts_model}.")
    if report.transcripts_failed:
        failed = report.transcripts_failed
        return Check(TRANSCRIPTS, False, f"{_count(len(failed), 'transcript')} not made",
                     f"{detail} Not made: {_listed(f['session_id'][:8] for f in failed)} "
                     f"({failed[0]['error']}). 'kiosk transcripts run ID' tries one again.")
    return Check(TRANSCRIPTS, True, f"{waiting} waiting" if waiting else "Up to date", detail)


def object_storage_check(settings: Settings, report: DoctorReport) -> Check:
    """The bucket and the upload backlog; recording goes on whatever this says."""
    storage = settings.storage
    if storage.kind == "local":
        return Check(OBJECT_STORAGE, True, "Not used",
                     "[storage] kind = local: the recordings stay in the recordings folder.")
    status = report.storage
    if status is None:
        return Check(OBJECT_STORAGE, None, "Not checked",
                     "Not checked: the database could not be read.")
    backlog = status.get("backlog") or {}
    waiting = backlog.get("files", 0)
    size = format_size(backlog.get("bytes", 0))
    oldest = f", the oldest recorded {backlog['oldest'][:16].replace('T', ' ')}" \
        if backlog.get("oldest") else ""
    queue = (f"{_count(waiting, 'file')} waiting ({size}{oldest})" if waiting
             else "nothing waiting")
    last = backlog.get("last_verified")
    last_text = f"last upload {last[:16].replace('T', ' ')} UTC" if last else "no upload yet"
    if status.get("problem"):
        return Check(OBJECT_STORAGE, False, "Cannot be used",
                     f"{status['problem']} Recording goes on; {queue} on this booth.")
    problems = [p for p in report.problems if "bucket" in p and "Uploads wait" not in p]
    detail = (f"Bucket {status['bucket']} at {status['endpoint']}, reachable and writable; "
              f"{queue}; {last_text}.")
    if problems:
        return Check(OBJECT_STORAGE, False, "Objects and rows disagree",
                     f"{detail} {' '.join(problems)}")
    return Check(OBJECT_STORAGE, True, f"{waiting} waiting" if waiting else "Up to date",
                 detail)


def device_check(key: str, probe: DeviceProbe) -> Check:
    return Check(key, probe.found, "Found" if probe.found else "Not found", probe.message)


def booth_settings(settings: Settings) -> list[tuple[str, str]]:
    """The settings an admin asks about, as (label, value) in words; no file is read."""
    recording, review = settings.recording, settings.review
    config = str(settings.config_file)
    if not settings.config_file.is_file():
        config += " (not there: the defaults apply)"
    retention = ("for ever" if review.retention_days == 0
                 else f"{_count(review.retention_days, 'day')}, then deleted")
    storage = settings.storage
    if storage.kind == "s3":
        kept = ("removed at once" if storage.keep_local_days == 0
                else f"kept {_count(storage.keep_local_days, 'day')}")
        where = (f"bucket {storage.bucket} at {storage.endpoint_url or 'AWS'}, under "
                 f"{storage.prefix}/; this booth's copy {kept} after a verified upload")
    else:
        where = "none: the recordings stay in the recordings folder"
    return [
        ("Booth name", settings.booth_name),
        ("Object storage", where),
        ("Recordings folder", str(settings.recordings_dir)),
        ("Database", settings.database_url_for_display),
        ("Settings file", config),
        ("Question set", settings.interview.question_set),
        ("Languages", f"{settings.language} for the booth; offered at Welcome: "
                      f"{', '.join(settings.interview.languages)}"),
        ("Keep recordings", retention),
        ("Idle lock", f"after {_count(review.idle_lock_minutes, 'minute')} without a touch "
                      f"or a key"),
        # The devices themselves are in the health rows, which name the ones configured.
        ("Picture", f"{recording.width} \u00d7 {recording.height} at {recording.fps} fps"),
        ("Camera driver", "chosen by OpenCV" if recording.camera_backend == "auto"
         else recording.camera_backend),
        ("Sync offset", _sync_offset(recording.av_offset_ms)),
        ("Last device check", last_verdict(settings.data_dir / LAST_CHECK_FILE)
         or "none since this booth was set up"),
    ]


def _sync_offset(ms: int) -> str:
    """[recording] av_offset_ms in words."""
    if ms == 0:
        return "none"
    if ms > 0:
        return f"{ms} ms: the picture is placed that much earlier (the camera is late)"
    return f"{-ms} ms: the picture is placed that much later (the sound is late)"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _listed(names: Iterable[str]) -> str:
    items = list(names)
    shown = ", ".join(items[:LISTED])
    return shown if len(items) <= LISTED else f"{shown} and {len(items) - LISTED} more"
