"""How times, sizes and statuses read on the kiosk's screens (candidate and recruiter)."""

from __future__ import annotations

from datetime import datetime

from kiosk.store.models import SessionStatus

NO_VALUE = "\u2013"  # an en dash: nothing to show

STATUS_LABELS = {
    SessionStatus.SCHEDULED: "Scheduled",
    SessionStatus.IN_PROGRESS: "In progress",
    SessionStatus.RECORDING: "Recording",
    SessionStatus.MERGING: "Finishing",
    SessionStatus.COMPLETED: "Completed",
    SessionStatus.RECOVERED: "Recovered",
    SessionStatus.DECLINED: "Declined",
    SessionStatus.FAILED: "Failed",
}


def status_text(status: SessionStatus, *, ended_early: bool, answered: int | None,
                total: int | None) -> str:
    """A session's status as the recruiter reads it: "Completed · left early, 1 of 4"."""
    if not ended_early:
        return STATUS_LABELS[status]
    of = f", {answered} of {total} answered" if answered is not None and total else ""
    return f"{STATUS_LABELS[status]} · left early{of}"


def clock(ms: int | None) -> str:
    """A position or a length as the player shows it: 0:07, 12:48, 1:02:03."""
    if ms is None:
        return NO_VALUE
    seconds = max(0, int(ms)) // 1000
    hours, minutes, secs = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def local_datetime(moment: datetime | None) -> str:
    """In the booth's local time, unambiguous in any language: 2026-11-24 14:05."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else NO_VALUE


def file_size(size: int | None) -> str:
    if size is None:
        return NO_VALUE
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


_STREAM_WORDS = {"video": "picture", "audio": "sound"}


def incident(found: dict) -> str:
    """One thing that went wrong while an interview was recorded, as a recruiter reads it
    (`found`: one of a session's `incidents`, as `kiosk sessions show --json` has them)."""
    question = (f"question {found['question_index'] + 1}"
                if found.get("question_index") is not None else "the interview")
    match found["kind"]:
        case "stall":
            what = _STREAM_WORDS.get(found["detail"], "recording")
            return (f"The {what} froze for {round((found['duration_ms'] or 0) / 1000)} s at "
                    f"{clock(found['at_ms'])} ({question}): the booth was too slow.")
        case "no_picture":
            return (f"Only the sound of {question} survived a fault: a still picture stands "
                    f"in from {clock(found['at_ms'])}.")
        case "no_sound":
            return (f"Only the picture of {question} survived a fault: it is silent from "
                    f"{clock(found['at_ms'])}.")
        case "unrecoverable":
            return f"Nothing of this interview could be rebuilt. {found['detail']}".strip()
    return str(found["detail"] or found["kind"])


def watched(ms: int) -> str:
    seconds = round(ms / 1000)
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


def breakable_paths(text: str) -> str:
    """`text` with an invisible break after each / and \\, so a long path can wrap on a
    narrow screen instead of being cut. For display only: never for text to copy."""
    return text.replace("/", "/\u200b").replace("\\", "\\\u200b")
