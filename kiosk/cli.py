"""The `kiosk` command: the GUI by default, sub-commands for IT and for programs.

Every sub-command that prints data takes `--json`. A problem a person can fix is printed as
one line on stderr with exit status 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from kiosk import __version__
from kiosk.accommodations import Accommodations
from kiosk.config import Settings, load_settings
from kiosk.errors import InvalidInputError, KioskError
from kiosk.store.database import Database, open_configured
from kiosk.store.models import Role

if TYPE_CHECKING:
    from kiosk.store.export import ExportResult
    from kiosk.verify import Playback

EXIT_OK = 0
EXIT_PROBLEM = 1
INSTANCE_LOCK_NAME = "kiosk.lock"


def main(argv: Sequence[str] | None = None) -> int:
    if os.name == "posix":
        # Recordings are personal data: everything the kiosk and its ffmpeg children create
        # is owner-only. (On Windows the per-user data folder's ACLs do this job.)
        os.umask(0o077)
    for stream in (sys.stdout, sys.stderr):
        # Names in any script must print on a Windows console or pipe too.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    arguments = list(sys.argv[1:] if argv is None else argv)
    if (refused := _not_text(arguments)) is not None:
        print(f"kiosk: {refused}", file=sys.stderr)
        return EXIT_PROBLEM
    parser = _build_parser()
    args = parser.parse_args(arguments)
    if args.self_test:
        if args.handler is not _run_gui:
            parser.error("--self-test runs on its own, without a command")
        args.handler = _self_test
    _configure_logging(gui=args.handler is _run_gui, verbose=args.verbose)
    try:
        return args.handler(args)
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_PROBLEM


def _configure_logging(*, gui: bool, verbose: bool) -> None:
    """Where the engine's own words for IT go: the kiosk's stderr (a service manager keeps
    it); a command prints only its own lines, unless asked for more with --verbose."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING if gui else logging.ERROR,
        format="kiosk: %(name)s: %(message)s", stream=sys.stderr)


def _not_text(arguments: Sequence[str]) -> str | None:
    """Why an argument cannot be used as text, or None.

    Bytes that are not UTF-8 reach sys.argv as lone surrogates (surrogateescape); they cannot
    be stored or printed, so they are refused here, before anything is done.
    """
    for position, argument in enumerate(arguments, start=1):
        if any("\ud800" <= ch <= "\udfff" for ch in argument):
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return (f"argument {position} '{shown}' is not valid text (its bytes are not "
                    f"UTF-8); nothing was done. Type it again in UTF-8.")
    return None


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Interview Booth Kiosk. With no command, starts the kiosk window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--verbose", action="store_true",
                        help="also print what the engine reports for IT (stalls, recoveries)")
    parser.add_argument("--demo", action="store_true",
                        help="start the kiosk with the synthetic camera and microphone")
    parser.add_argument("--windowed", action="store_true",
                        help="a normal window that can be closed, to try the kiosk on a desktop")
    parser.add_argument(
        "--self-test", action="store_true",
        help="record a few seconds from the synthetic camera and microphone into a temporary "
             "folder, merge, check and play the file, run doctor; exit 0 if all is well")
    parser.set_defaults(handler=_run_gui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    sessions = commands.add_parser(
        "sessions", help="list and show interview sessions; schedule, change and cancel them")
    sessions_commands = sessions.add_subparsers(title="sessions commands", metavar="ACTION",
                                                required=True)
    listing = sessions_commands.add_parser("list", help="every session, newest first")
    _add_json_flag(listing)
    listing.set_defaults(handler=_sessions_list)
    show = sessions_commands.add_parser("show", help="one session with its recording")
    show.add_argument("session_id", metavar="ID")
    _add_json_flag(show)
    show.set_defaults(handler=_sessions_show)
    verify = sessions_commands.add_parser(
        "verify", help="check that a session's recording matches its row and plays to its end")
    verify.add_argument("session_id", metavar="ID")
    _add_json_flag(verify)
    verify.set_defaults(handler=_sessions_verify)
    add = sessions_commands.add_parser(
        "add", help="schedule a candidate for today, with any accommodations they need")
    add.add_argument("candidate_name", metavar="NAME")
    add.add_argument("--position", help="the position applied for")
    _add_accommodation_options(add, editing=False)
    _add_json_flag(add)
    add.set_defaults(handler=_sessions_add)
    edit = sessions_commands.add_parser(
        "edit", help="change a scheduled candidate's name, position or accommodations "
                     "(what is not given stays as it is)")
    edit.add_argument("session_id", metavar="ID")
    edit.add_argument("--name", dest="candidate_name", metavar="NAME",
                      help="the candidate's name as they will find it at the booth")
    edit.add_argument("--position", help="the position applied for ('' for none)")
    _add_accommodation_options(edit, editing=True)
    _add_json_flag(edit)
    edit.set_defaults(handler=_sessions_edit)
    cancel = sessions_commands.add_parser(
        "cancel", help="remove a scheduled candidate who has not started the interview")
    cancel.add_argument("session_id", metavar="ID")
    cancel.set_defaults(handler=_sessions_cancel)

    export = sessions_commands.add_parser(
        "export", help="copy a session's recording and a JSON sidecar into a folder, verified")
    export.add_argument("session_id", metavar="ID")
    export.add_argument("directory", metavar="DIR")
    _add_json_flag(export)
    export.set_defaults(handler=_sessions_export)

    transcripts = commands.add_parser(
        "transcripts", help="offline transcripts of the interviews: make, show and search them")
    transcripts_commands = transcripts.add_subparsers(title="transcripts commands",
                                                      metavar="ACTION", required=True)
    tr_run = transcripts_commands.add_parser(
        "run", help="transcribe what is waiting now, in the foreground (or one session again)")
    tr_run.add_argument("session_id", metavar="ID", nargs="?")
    _add_json_flag(tr_run)
    tr_run.set_defaults(handler=_transcripts_run)
    tr_show = transcripts_commands.add_parser("show", help="one session's transcript")
    tr_show.add_argument("session_id", metavar="ID")
    shown_as = tr_show.add_mutually_exclusive_group()
    shown_as.add_argument("--json", action="store_true", help="print JSON for programs")
    shown_as.add_argument("--vtt", action="store_true", help="print WebVTT captions")
    tr_show.set_defaults(handler=_transcripts_show)
    tr_search = transcripts_commands.add_parser(
        "search", help="the moments where words were said, across every interview")
    tr_search.add_argument("words", metavar="WORDS", nargs="+")
    _add_json_flag(tr_search)
    tr_search.set_defaults(handler=_transcripts_search)

    storage = commands.add_parser(
        "storage", help="the recordings in S3-compatible object storage ([storage] kind = s3)")
    storage_commands = storage.add_subparsers(title="storage commands", metavar="ACTION",
                                              required=True)
    st_status = storage_commands.add_parser(
        "status", help="the bucket reachable and writable, the upload backlog, the last upload")
    _add_json_flag(st_status)
    st_status.set_defaults(handler=_storage_status)
    st_upload = storage_commands.add_parser(
        "upload", help="upload what waits now, in the foreground (or one session's files)")
    st_upload.add_argument("session_id", metavar="ID", nargs="?")
    _add_json_flag(st_upload)
    st_upload.set_defaults(handler=_storage_upload)
    st_check = storage_commands.add_parser(
        "check", help="every uploaded file against its object, and objects without a session")
    _add_json_flag(st_check)
    st_check.set_defaults(handler=_storage_check)

    operators = commands.add_parser(
        "operators", help="recruiters and admins who unlock the review side with a PIN")
    operators_commands = operators.add_subparsers(title="operators commands", metavar="ACTION",
                                                  required=True)
    op_add = operators_commands.add_parser(
        "add", help="add an operator; the PIN is asked twice (or read from one line of stdin)")
    op_add.add_argument("name", metavar="NAME")
    op_add.add_argument("--role", choices=[r.value for r in Role], default=Role.RECRUITER.value)
    op_add.set_defaults(handler=_operators_add)
    op_list = operators_commands.add_parser("list", help="every operator, with role and lockout")
    _add_json_flag(op_list)
    op_list.set_defaults(handler=_operators_list)
    op_reset = operators_commands.add_parser(
        "reset-pin", help="give an operator a new PIN and lift any lockout")
    op_reset.add_argument("name", metavar="NAME")
    op_reset.set_defaults(handler=_operators_reset_pin)

    doctor = commands.add_parser(
        "doctor", help="check the database, the recordings folder, that they agree, and the "
                       "audit chain"
    )
    _add_json_flag(doctor)
    doctor.set_defaults(handler=_doctor)

    record = commands.add_parser(
        "record", help="record a one-question session, merge it and store it"
    )
    sources = record.add_mutually_exclusive_group(required=True)
    sources.add_argument("--demo", action="store_true",
                         help="use the synthetic camera and microphone (test pattern and beeps)")
    sources.add_argument("--camera", metavar="SPEC",
                         help="device index, device path, network URL, video file or "
                              "'synthetic' (the test pattern)")
    record.add_argument("--mic", metavar="SPEC",
                        help="microphone name or index, or 'synthetic' (default: from the "
                             "settings)")
    record.add_argument("--seconds", type=_positive_seconds, required=True)
    record.add_argument("--candidate", default="Demo candidate", metavar="NAME")
    record.add_argument("--question", default="Tell us about yourself.", metavar="TEXT")
    _add_json_flag(record)
    record.set_defaults(handler=_record)

    recover = commands.add_parser(
        "recover", help="rebuild interviews left unfinished by a crash, a kill or a power cut"
    )
    _add_json_flag(recover)
    recover.set_defaults(handler=_recover)

    devices = commands.add_parser("devices", help="cameras that open and microphones found")
    _add_json_flag(devices)
    devices.set_defaults(handler=_devices)

    bench = commands.add_parser(
        "bench", help="measure the recording engine (or, with --ui, the recruiter's view; "
                      "with --preview, the candidate's live preview beside a recording)")
    bench.add_argument("--ui", action="store_true",
                       help="measure the recruiter's view instead: the list with 10,000 "
                            "sessions, search, opening and seeking a recording (offscreen)")
    bench.add_argument("--preview", action="store_true",
                       help="measure what the candidate's live preview costs a recording: "
                            "two 20 s answers at the configured size, with and without it")
    bench.add_argument("--transcripts", action="store_true",
                       help="measure the transcripts instead: real-time factor, memory and "
                            "word errors on a known clip, search over 10,000 transcribed "
                            "sessions, a recording made while a transcription waits")
    bench.add_argument("--storage", action="store_true",
                       help="measure the uploads instead, against this booth's [storage] "
                            "bucket: throughput against boto3's own, a resume after a kill, "
                            "a recording while a backlog uploads")
    bench.add_argument("--sessions", type=int, default=10_000, help=argparse.SUPPRESS)
    bench.add_argument("--words", type=int, default=1_000, help=argparse.SUPPRESS)
    # The bench's own child process, in the bundle (kiosk.transcript_bench.measurement_command).
    bench.add_argument("--measure-one", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    bench.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    bench.add_argument("--model-dir", default="", help=argparse.SUPPRESS)
    bench.add_argument("--minutes", type=_positive_seconds, default=30.0,
                       help="simulated minutes for the sync and merge figures (default 30)")
    bench.add_argument("--realtime-minutes", type=_positive_seconds, default=2.0,
                       help="minutes recorded in real time at full size (default 2)")
    _add_json_flag(bench)
    bench.set_defaults(handler=_bench)

    screenshots = commands.add_parser(
        "screenshots", help="render every screen to PNG files in DIR, for review"
    )
    screenshots.add_argument("directory", metavar="DIR")
    screenshots.set_defaults(handler=_screenshots)
    return parser


def _add_accommodation_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """The accommodations' options. Values are taken as typed and checked by
    make_accommodations, so a wrong one is refused in its words, in one line, like a
    wrong name. When editing, an option not given (None) keeps the stored value."""
    keep = " (default: as it is)" if editing else ""
    parser.add_argument("--extra-time", metavar="X", default=None if editing else "1",
                        help=f"times the question set's prepare and answer times, 1 to 3 "
                             f"(1.5: half as much time again){keep}")
    parser.add_argument("--extra-retakes", metavar="N", default=None if editing else "0",
                        help=f"tries beyond the question set's, 0 to 5{keep}")
    for flag, what in (("larger-text", "larger text on the candidate's screens"),
                       ("high-contrast", "high contrast on the candidate's screens"),
                       ("read-aloud", "the questions read aloud")):
        if editing:
            parser.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction,
                                default=None, help=f"{what} (or not){keep}")
        else:
            parser.add_argument(f"--{flag}", action="store_true", help=what)


def _accommodations_from(args: argparse.Namespace, before: Accommodations | None = None
                         ) -> Accommodations:
    """The accommodations the options ask for, over `before` (the stored ones) if editing."""
    from kiosk.accommodations import make_accommodations

    base = (before or Accommodations()).to_json()
    given = {"extra_time": args.extra_time, "extra_retakes": args.extra_retakes,
             "larger_text": args.larger_text, "high_contrast": args.high_contrast,
             "read_aloud": args.read_aloud}
    return make_accommodations(**{**base, **{k: v for k, v in given.items() if v is not None}})


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 24 * 3600:
        raise argparse.ArgumentTypeError("seconds must be more than 0 and at most a day")
    return value


def _add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for programs")


def _with_database(action: Callable[[Settings, Database], int], *,
                   writable: bool = True) -> int:
    """Run `action` on the booth's database; writable=False for commands that only read,
    which then work on a disk that only reads (a failing one, remounted read-only)."""
    settings = load_settings()
    db = open_configured(settings, writable=writable)
    try:
        return action(settings, db)
    finally:
        db.close()


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _sessions_list(args: argparse.Namespace) -> int:
    from kiosk.store.sessions import list_sessions, session_to_dict

    def action(settings: Settings, db: Database) -> int:
        with db.session() as session:
            rows = [session_to_dict(s, settings.recordings_dir) for s in list_sessions(session)]
        if args.json:
            _print_json(rows)
            return EXIT_OK
        if not rows:
            print("No interview sessions yet.")
            return EXIT_OK
        print(f"{'SESSION':<36}  {'CREATED':<16}  {'STATUS':<11}  {'LENGTH':>8}  CANDIDATE")
        for row in rows:
            duration = _format_duration(row["duration_ms"])
            status = row["status"] + ("*" if row["ended_early"] else "")
            aids = Accommodations.from_json(row.get("accommodations")).in_words()
            given = f"  ({aids})" if aids else ""
            print(f"{row['session_id']}  {row['created_at'][:16]}  {status:<11}  "
                  f"{duration:>8}  {row['candidate_name']}{given}")
        if any(row["ended_early"] for row in rows):
            print("* ended before its last question (the candidate left, or the booth stopped)")
        return EXIT_OK

    return _with_database(action, writable=False)


def _sessions_show(args: argparse.Namespace) -> int:
    from kiosk.store.sessions import get_session, session_to_dict

    def action(settings: Settings, db: Database) -> int:
        with db.session() as session:
            row = session_to_dict(get_session(session, args.session_id), settings.recordings_dir)
        if args.json:
            _print_json(row)
        else:
            _print_session(row)
        return EXIT_OK

    return _with_database(action, writable=False)


def _sessions_verify(args: argparse.Namespace) -> int:
    from kiosk.verify import verify_recording

    def action(settings: Settings, db: Database) -> int:
        from kiosk.storage.fetch import fetched_recording, needs_fetching

        if needs_fetching(db, settings, args.session_id):
            with fetched_recording(db, settings, args.session_id) as copy:
                check = verify_recording(settings, db, args.session_id, _play_offscreen,
                                         fetched=copy)
        else:
            check = verify_recording(settings, db, args.session_id, _play_offscreen)
        if args.json:
            _print_json(check.to_dict())
        else:
            print("\n".join(check.report_lines()))
        return EXIT_OK if check.ok else EXIT_PROBLEM

    return _with_database(action, writable=False)


def _play_offscreen(path: Path, timeout_s: float) -> Playback:
    # Qt is loaded only by the commands that play something.
    from kiosk.ui.playback import play_offscreen

    return play_offscreen(path, timeout_s)


def _self_test(_args: argparse.Namespace) -> int:
    from kiosk.selftest import run_self_test

    run_self_test(_play_offscreen)
    return EXIT_OK


def _sessions_add(args: argparse.Namespace) -> int:
    from kiosk.store.schedule import schedule_candidate

    # Checked before the database is opened: a typing mistake changes nothing anywhere.
    accommodations = _accommodations_from(args)

    def action(settings: Settings, db: Database) -> int:
        session_id = schedule_candidate(db, args.candidate_name, position=args.position,
                                        accommodations=accommodations,
                                        by=_command_line_actor())
        if args.json:
            _print_json(_session_row(settings, db, session_id))
        else:
            print(session_id)
        return EXIT_OK

    return _with_database(action)


def _sessions_edit(args: argparse.Namespace) -> int:
    from kiosk.store.schedule import change_scheduled
    from kiosk.store.sessions import accommodations_of, get_session

    _accommodations_from(args)  # a wrong value is refused before anything is read

    def action(settings: Settings, db: Database) -> int:
        with db.session() as session:
            row = get_session(session, args.session_id)  # NotFoundError names it
            session_id, name, position = row.id, row.candidate_name, row.position
            before = accommodations_of(row)
        # change_scheduled refuses a session whose candidate has started since it was read.
        change_scheduled(db, session_id,
                         candidate=name if args.candidate_name is None else args.candidate_name,
                         position=position if args.position is None else args.position,
                         accommodations=_accommodations_from(args, before),
                         by=_command_line_actor())
        if args.json:
            _print_json(_session_row(settings, db, session_id))
        else:
            _print_session(_session_row(settings, db, session_id))
        return EXIT_OK

    return _with_database(action)


def _sessions_cancel(args: argparse.Namespace) -> int:
    from kiosk.store.schedule import cancel_scheduled
    from kiosk.store.sessions import get_session

    def action(settings: Settings, db: Database) -> int:
        with db.session() as session:
            row = get_session(session, args.session_id)  # NotFoundError names it
            session_id, name = row.id, row.candidate_name
        cancel_scheduled(db, session_id, by=_command_line_actor())
        print(f"The interview of {name} ({session_id}) is cancelled.")
        return EXIT_OK

    return _with_database(action)


def _session_row(settings: Settings, db: Database, session_id: str) -> dict[str, Any]:
    from kiosk.store.sessions import get_session, session_to_dict

    with db.session() as session:
        return session_to_dict(get_session(session, session_id), settings.recordings_dir)


def _sessions_export(args: argparse.Namespace) -> int:
    from kiosk.storage.fetch import export_from_here_or_the_store

    def action(settings: Settings, db: Database) -> int:
        destination = Path(args.directory)
        before = _sidecars(destination)
        try:
            result = export_from_here_or_the_store(db, settings, args.session_id,
                                                   destination,
                                                   exported_by=_command_line_actor())
        except DBAPIError:
            # On a database that only reads, the export's last step (its audit event) cannot
            # be written; the copy is verified and complete by then, and on a failing disk
            # that copy is the point.
            found = _new_export(destination, before, args.session_id) if db.read_only else None
            if found is None:
                raise
            result = found
            print(f"kiosk: exported, but not written to the audit log: the database "
                  f"{settings.database_url_for_display} is read-only (the sidecar says who "
                  f"exported it and when).", file=sys.stderr)
        if args.json:
            _print_json({"video": str(result.video), "sidecar": str(result.sidecar),
                         "captions": str(result.captions) if result.captions else None,
                         "sha256": result.sha256, "size": result.size})
        else:
            print(result.video)
            if result.captions:
                print(result.captions)
            print(result.sidecar)
        return EXIT_OK

    return _with_database(action, writable=False)


def _sidecars(folder: Path) -> set[str]:
    try:
        return {path.name for path in folder.glob("*.json")}
    except OSError:
        return set()


def _new_export(folder: Path, before: set[str], session_id: str) -> ExportResult | None:
    """The export of `session_id` that appeared in `folder`, read from its sidecar."""
    from kiosk.store.export import ExportResult

    for name in sorted(_sidecars(folder) - before):
        try:
            sidecar = json.loads((folder / name).read_text(encoding="utf-8"))
            done = sidecar["export"]
            video = folder / done["file_name"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if sidecar.get("session_id") == session_id and video.is_file():
            return ExportResult(video=video, sidecar=folder / name, sha256=done["sha256"],
                                size=done["size"])
    return None


def _s3_settings(settings: Settings | None = None) -> Settings:
    settings = settings or load_settings()
    if settings.storage.kind != "s3":
        raise KioskError(f"This booth keeps its recordings on its own disk ([storage] kind = "
                         f"\"{settings.storage.kind}\" in {settings.config_file}): there is no "
                         f"object storage to use.")
    return settings


def _storage_status(args: argparse.Namespace) -> int:
    from kiosk.storage.inventory import storage_status

    def action(settings: Settings, db: Database) -> int:
        return _print_storage_status(args, storage_status(db, settings))

    return _with_database(action, writable=False)


def _print_storage_status(args: argparse.Namespace, status: Any) -> int:
    if args.json:
        _print_json(status.to_dict())
        return EXIT_OK if status.problem is None else EXIT_PROBLEM
    if status.kind == "local":
        print("Storage:   local (the recordings stay in the recordings folder)")
        return EXIT_OK
    print(f"Storage:   s3, bucket {status.bucket} at {status.endpoint}")
    print(f"  reachable: {'yes' if status.reachable else 'NO'}; writable: "
          f"{'yes' if status.writable else 'NO'}")
    if status.problem:
        print(f"  problem:   {status.problem}")
    backlog = status.backlog
    if backlog is not None:
        from kiosk.store.files import format_size

        oldest = f", oldest recorded {backlog.oldest:%Y-%m-%d %H:%M}" if backlog.oldest else ""
        print(f"  backlog:   {backlog.files} file(s) of {backlog.sessions} interview(s), "
              f"{format_size(backlog.bytes)}{oldest}")
        last = f"{backlog.last_verified:%Y-%m-%d %H:%M:%S}" if backlog.last_verified else "none"
        print(f"  last upload verified: {last}; refused for good: {backlog.failed}")
        if backlog.last_error and not status.problem:
            print(f"  last error: {backlog.last_error}")
    return EXIT_OK if status.problem is None else EXIT_PROBLEM


def _storage_upload(args: argparse.Namespace) -> int:
    from kiosk.storage.worker import run_uploads
    from kiosk.store.sessions import get_session

    def report(result: Any) -> None:
        if not args.json:
            print(f"{result.session_id}/{result.name}: {result.outcome.value}"
                  f"{' ' + result.message if result.message else ''} "
                  f"({result.parts_sent} part(s), {result.bytes_sent:,} bytes sent)")

    def action(settings: Settings, db: Database) -> int:
        _s3_settings(settings)
        if args.session_id is not None:
            with db.session() as session:
                get_session(session, args.session_id)  # NotFoundError names it
        try:
            results = run_uploads(db, settings, session_id=args.session_id, on_result=report)
        except KioskError:
            raise
        except Exception as exc:
            from kiosk.storage.s3 import explain

            raise KioskError(f"{explain(exc, settings.storage)} What was sent is kept: the "
                             f"next upload resumes it.") from None
        if args.json:
            _print_json([{"session_id": r.session_id, "name": r.name,
                          "outcome": r.outcome.value, "parts_sent": r.parts_sent,
                          "bytes_sent": r.bytes_sent, "message": r.message or None}
                         for r in results])
        elif not results:
            print("Nothing is waiting to be uploaded.")
        return EXIT_PROBLEM if any(r.outcome.value == "failed" for r in results) else EXIT_OK

    return _with_database(action)


def _storage_check(args: argparse.Namespace) -> int:
    from kiosk.storage.inventory import check_objects

    def action(settings: Settings, db: Database) -> int:
        return _print_storage_check(args, check_objects(db, _s3_settings(settings)))

    return _with_database(action, writable=False)


def _print_storage_check(args: argparse.Namespace, check: Any) -> int:
    if args.json:
        _print_json(check.to_dict())
        return EXIT_OK if check.ok else EXIT_PROBLEM
    if check.problem:
        print(f"Problem: {check.problem}")
    print(f"{check.checked} uploaded file(s) checked against their objects.")
    for row in check.missing:
        print(f"Missing object: {row['key']} (session {row['session_id']})")
    for row in check.different:
        print(f"Object differs from the recording: {row['key']} (session {row['session_id']})")
    for key in check.without_rows:
        print(f"Object without a session: {key}")
    if check.ok:
        print("Every uploaded file is in the bucket as it was recorded.")
    return EXIT_OK if check.ok else EXIT_PROBLEM


def _transcripts_line(report: Any) -> str:
    if not report.transcripts_enabled:
        return "switched off ([transcripts] enabled = false)"
    model = report.transcripts_model or "NO MODEL (interviews are recorded, not transcribed)"
    counts = report.transcripts
    if not counts:
        return f"model {model}"
    return (f"model {model}; {counts['done']} done, {counts['pending']} waiting, "
            f"{counts['running']} being made, {counts['failed']} failed")


def _transcripts_run(args: argparse.Namespace) -> int:
    from kiosk.store.sessions import get_session
    from kiosk.store.transcripts import requeue
    from kiosk.transcripts.worker import JobResult, Outcome, lower_priority, run_queue

    def report(result: JobResult) -> None:
        if args.json:
            return
        if result.outcome is Outcome.DONE:
            print(f"{result.session_id}: {result.segments} segments from "
                  f"{_format_duration(result.audio_ms)} of sound in {result.seconds:.1f} s")
        else:
            print(f"{result.session_id}: {result.outcome.value} {result.reason}".rstrip())

    def action(settings: Settings, db: Database) -> int:
        if args.session_id is not None:
            with db.session() as session:
                get_session(session, args.session_id)  # NotFoundError names it
            if not requeue(db, args.session_id):
                raise KioskError(f"The session {args.session_id} has no recording to "
                                 f"transcribe, or a booth is transcribing it now.")
        lower_priority()  # a candidate may be recording on this booth
        results = run_queue(db, settings, session_id=args.session_id, on_result=report)
        if args.json:
            _print_json([{"session_id": r.session_id, "outcome": r.outcome.value,
                          "segments": r.segments, "audio_ms": r.audio_ms,
                          "seconds": round(r.seconds, 3), "reason": r.reason or None}
                         for r in results])
        elif not results:
            print("Nothing is waiting to be transcribed.")
        failed = any(r.outcome is Outcome.FAILED for r in results)
        return EXIT_PROBLEM if failed else EXIT_OK

    return _with_database(action)


def _transcripts_show(args: argparse.Namespace) -> int:
    from kiosk.store.sessions import get_session
    from kiosk.store.transcripts import load_transcript, transcript_to_dict, transcript_webvtt

    def action(settings: Settings, db: Database) -> int:
        with db.session() as session:
            questions = {m.index: m.question for m in get_session(session, args.session_id).markers}
        transcript = load_transcript(db, args.session_id)
        if args.json:
            _print_json(transcript_to_dict(transcript))
            return EXIT_OK
        if not transcript.done:
            raise KioskError(_transcript_not_ready(transcript))
        if args.vtt:
            sys.stdout.write(transcript_webvtt(transcript))
            return EXIT_OK
        question = None
        for segment in transcript.segments:
            if segment.question_index != question and segment.question_index is not None:
                question = segment.question_index
                print(f"Question {question + 1}: {questions.get(question, '')}".rstrip())
            print(f"  {_clock(segment.start_ms)}  {segment.text}")
        if not transcript.segments:
            print("Nothing was said that could be transcribed.")
        return EXIT_OK

    return _with_database(action, writable=False)


def _transcript_not_ready(transcript: Any) -> str:
    from kiosk.store.models import JobState

    status = transcript.status
    if status is None:
        return f"The session {transcript.session_id} has no recording to transcribe."
    if status.state is JobState.FAILED:
        return f"The transcript of {transcript.session_id} could not be made: {status.error}"
    done = f" ({status.fraction:.0%} done)" if status.fraction is not None else ""
    return (f"The transcript of {transcript.session_id} is not made yet{done}; "
            f"'kiosk transcripts run' makes it now.")


def _transcripts_search(args: argparse.Namespace) -> int:
    from kiosk.store.transcripts import search

    def action(settings: Settings, db: Database) -> int:
        hits = search(db, " ".join(args.words))
        if args.json:
            _print_json([{"session_id": h.session_id, "candidate_name": h.candidate_name,
                          "question_index": h.question_index, "question": h.question,
                          "start_ms": h.start_ms, "end_ms": h.end_ms, "text": h.text}
                         for h in hits])
            return EXIT_OK
        if not hits:
            print("Nobody said that in a transcribed interview.")
        for hit in hits:
            where = f"question {hit.question_index + 1}" if hit.question_index is not None \
                else "the interview"
            print(f"{hit.session_id}  {hit.candidate_name}, {where} at "
                  f"{_clock(hit.start_ms)}: {hit.text}")
        return EXIT_OK

    return _with_database(action, writable=False)


def _clock(ms: int) -> str:
    minutes, seconds = divmod(ms // 1000, 60)
    return f"{minutes:02d}:{seconds:02d}"


def _operators_add(args: argparse.Namespace) -> int:
    from kiosk.store.operators import add_operator, check_new_pin

    pin = _read_new_pin(check_new_pin)

    def action(settings: Settings, db: Database) -> int:
        added = add_operator(db, args.name, Role(args.role), pin,
                             added_by=_command_line_actor())
        print(f"{added.name} ({added.role.value}) can now sign in.")
        return EXIT_OK

    return _with_database(action)


def _operators_list(args: argparse.Namespace) -> int:
    from kiosk.store.operators import list_operators

    def action(settings: Settings, db: Database) -> int:
        rows = [{"name": o.name, "role": o.role.value, "failed_attempts": o.failed_attempts,
                 "locked_until": o.locked_until.isoformat() if o.locked_until else None,
                 "created_at": o.created_at.isoformat()} for o in list_operators(db)]
        if args.json:
            _print_json(rows)
            return EXIT_OK
        if not rows:
            print("No operators yet: 'kiosk operators add NAME --role admin' adds the first.")
        for row in rows:
            locked = f"  locked until {row['locked_until']}" if row["locked_until"] else ""
            print(f"{row['role']:<10} {row['name']}{locked}")
        return EXIT_OK

    return _with_database(action, writable=False)


def _operators_reset_pin(args: argparse.Namespace) -> int:
    from kiosk.store.operators import check_new_pin, reset_pin

    pin = _read_new_pin(check_new_pin)

    def action(settings: Settings, db: Database) -> int:
        reset_pin(db, args.name, pin, reset_by=_command_line_actor())
        print(f"{args.name} has a new PIN.")
        return EXIT_OK

    return _with_database(action)


def _read_new_pin(check: Callable[[str], str]) -> str:
    """Asked twice at a terminal (not echoed); one line of stdin from a script."""
    import getpass

    if not sys.stdin.isatty():
        return check(sys.stdin.readline().strip())
    pin = check(getpass.getpass("New PIN (digits): ").strip())
    if getpass.getpass("The same PIN again: ").strip() != pin:
        raise InvalidInputError("The two PINs differ; nothing was changed.")
    return pin


def _command_line_actor() -> str:
    """Who the audit log names for a command typed by IT."""
    import getpass

    try:
        return f"command line ({getpass.getuser()})"
    except (OSError, KeyError):
        return "command line"


def _print_session(row: dict[str, Any]) -> None:
    labels = [
        ("Session", "session_id"), ("Candidate", "candidate_name"), ("Position", "position"),
        ("Status", "status"), ("Created", "created_at"), ("Consent given", "consent_at"),
        ("Recording", "recording_url"), ("Recorded", "recording_created_at"),
        ("File", "file_name"), ("Size (bytes)", "file_size"),
    ]
    for label, key in labels:
        print(f"{label + ':':<16}{row[key] if row[key] is not None else '-'}")
    print(f"{'Duration:':<16}{_format_duration(row['duration_ms'])}")
    # Beside the length, so a longer answer is read for what it is.
    print(f"{'Accommodations:':<16}"
          f"{Accommodations.from_json(row.get('accommodations')).in_words() or 'none'}")
    print(f"{'Language:':<16}{row.get('language') or '-'}")
    if row["recording_error"]:
        print(f"{'Problem:':<16}{row['recording_error']}")
    for question in row["questions"]:
        start = _format_duration(question["start_ms"])
        print(f"  Q{question['index'] + 1} at {start}: {question['question']}")


def _format_duration(ms: int | None) -> str:
    if ms is None:
        return "-"
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import examine
    from kiosk.store.files import format_size

    report = examine(load_settings())
    if args.json:
        _print_json(report.to_dict())
    else:
        print(f"Database:          {report.database}")
        print(f"  reachable:       {'yes' if report.database_reachable else 'NO'}")
        newer = " (made by a newer version)" if report.schema_from_newer_version else ""
        print(f"  schema:          {report.schema_revision or '-'} (newest "
              f"{report.schema_head}){newer}")
        print(f"Recordings folder: {report.recordings_root}")
        print(f"  writable:        {'yes' if report.recordings_writable else 'NO'}")
        if report.free_bytes is not None:
            print(f"  free space:      {format_size(report.free_bytes)} (a new interview needs "
                  f"{format_size(report.required_free_bytes)})")
        for session_id in report.unfinished_sessions:
            print(f"Unfinished session: {session_id} (kiosk recover rebuilds it)")
        for row in report.failed_sessions:
            print(f"Failed session:    {row['candidate_name']} ({row['session_id']})")
        for name in report.files_without_rows:
            print(f"File without a session: {name}")
        for row in report.rows_without_files:
            print(f"Session without its file: {row['session_id']}: {row['problem']}")
        for row in report.files_elsewhere:
            print(f"Recording elsewhere:  {row['session_id']}: in {row['where']}")
        print(f"Transcripts:       {_transcripts_line(report)}")
        for row in report.transcripts_failed:
            print(f"  not made:        {row['session_id']}: {row['error']}")
        if not report.database_readable:
            # What was never read is not called whole or broken.
            print("Audit log:         not checked (the database was not read)")
        else:
            def events(n: int) -> str:
                return "1 event" if n == 1 else f"{n:,} events"

            chain = "whole" if report.audit_chain_ok else "BROKEN"
            print(f"Audit log:         {events(report.audit_events)}, chain {chain}")
            if report.audit_head:
                print(f"  head:            {events(report.audit_head['events'])}, last hash "
                      f"{report.audit_head['last_hash']}")
            if report.audit_key_id:
                key = f"id {report.audit_key_id}"
            elif Path(report.audit_key_file).exists():
                key = "CANNOT BE USED"
            elif report.audit_keyed_events:
                key = "MISSING"
            else:
                key = "none yet: made with the next event"
            print(f"  key:             {report.audit_key_file} ({key}; "
                  f"{events(report.audit_keyed_events)} keyed)")
            guards = ", ".join(report.audit_guards_missing)
            print(f"  append-only:     {'NO, missing or changed: ' + guards if guards else 'yes'}")
        print("All good." if report.ok else "\n".join(f"Problem: {p}" for p in report.problems))
    return EXIT_OK if report.ok else EXIT_PROBLEM


def _record(args: argparse.Namespace) -> int:
    from kiosk.capture.devices import open_sources
    from kiosk.recording.headless import HeadlessSession
    from kiosk.store.sessions import get_session, session_to_dict
    from kiosk.words import StopReason

    def action(settings: Settings, db: Database) -> int:
        sources = open_sources(settings.recording, demo=args.demo, camera=args.camera,
                               microphone=args.mic)
        try:
            session = HeadlessSession(db, settings, sources, args.candidate)
            result = session.answer(args.question, args.seconds)
            if result.reason is not StopReason.ASKED:
                print(f"kiosk: the answer ended early: {result.reason}", file=sys.stderr)
            session.finish()
        finally:
            sources.close()
        with db.session() as s:
            row = session_to_dict(get_session(s, session.session_id), settings.recordings_dir)
        if args.json:
            _print_json(row)
        else:
            print(session.session_id)
        return EXIT_OK

    return _with_database(action)


def _recover(args: argparse.Namespace) -> int:
    from kiosk.recording.recovery import Outcome, recover_all

    def action(settings: Settings, db: Database) -> int:
        outcomes = recover_all(db, settings, questions=_question_texts(settings))
        if args.json:
            _print_json([o.to_dict() for o in outcomes])
        elif not outcomes:
            print("Nothing to recover.")
        for outcome in outcomes if not args.json else []:
            print(f"{outcome.session_id}: {outcome.outcome}. {outcome.message}".rstrip())
        lost = (Outcome.FAILED, Outcome.UNRECOVERABLE)
        return EXIT_PROBLEM if any(o.outcome in lost for o in outcomes) else EXIT_OK

    return _with_database(action)


def _question_texts(settings: Settings) -> list[str]:
    """The configured question set's texts, to name answers whose manifest was lost."""
    from kiosk.interview.question_sets import configured_question_set

    try:
        return [q.text for q in configured_question_set(settings).questions]
    except KioskError:
        return []  # a broken question set is reported where it is used; "Question N" here


def _devices(args: argparse.Namespace) -> int:
    from kiosk.capture.devices import list_devices

    found = list_devices(load_settings().recording)
    if args.json:
        _print_json(found)
        return EXIT_OK
    print("Cameras:" if found["cameras"] else
          "Cameras: none found (none plugged in, or all in use; a network camera's URL or a "
          "video file can be set as [recording] camera)")
    for camera in found["cameras"]:
        name = f" {camera['name']}:" if camera["name"] else ""
        fourcc = f" {camera['fourcc']}" if camera["fourcc"] else ""
        print(f"  {camera['spec']}{name} {camera['width']}x{camera['height']} at "
              f"{camera['fps']:g} fps{fourcc} ({camera['kind']}, {camera['backend']})")
    print("Microphones:" if found["microphones"] else "Microphones: none found")
    for mic in found["microphones"]:
        print(f"  {mic['index']}: {mic['name']}")
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    def progress(message: str) -> None:
        print(f"bench: {message}", file=sys.stderr)

    if args.measure_one is not None:
        from kiosk.transcript_bench import print_measurement

        return print_measurement(args.measure_one, threads=args.threads,
                                 model_dir=args.model_dir)
    if args.transcripts:
        figures = _transcript_bench(args, progress)
    elif args.storage:
        from kiosk.storage_bench import run_storage_bench

        figures = run_storage_bench(load_settings(), progress=progress)
    elif args.ui:
        from kiosk.ui.tooling.ui_bench import run_ui_bench

        figures = run_ui_bench(load_settings(), progress=progress)
    elif args.preview:
        from kiosk.ui.tooling.preview_bench import run_preview_bench

        figures = run_preview_bench(load_settings(), progress=progress)
    else:
        from kiosk.bench import run_bench

        figures = run_bench(load_settings().recording, minutes=args.minutes,
                            realtime_minutes=args.realtime_minutes, progress=progress)
    if args.json:
        _print_json(figures)
    else:
        for key, value in figures.items():
            print(f"{key:<28}{value}")
    return EXIT_OK


def _transcript_bench(args: argparse.Namespace, progress: Callable[[str], None]
                      ) -> dict[str, Any]:
    """The engine's figures, then the recruiter's search on the booth they filled."""
    import tempfile

    from kiosk.transcript_bench import SEARCHES, run_transcript_bench
    from kiosk.ui.tooling.search_bench import typed_to_repainted

    work_dir = Path(tempfile.mkdtemp(prefix="kiosk-transcript-bench-"))
    figures = run_transcript_bench(load_settings(), sessions=args.sessions,
                                   words_per_session=args.words, work_dir=work_dir,
                                   progress=progress)
    progress("timing the sessions list's search, typed to repainted (offscreen)")
    booth = load_settings({"KIOSK_DATA_DIR": figures["search"]["data_dir"]})
    db = open_configured(booth)
    try:
        figures["search"]["typed_to_repainted"] = typed_to_repainted(
            booth, db, [words for _name, words in SEARCHES])
    finally:
        db.close()
    return figures


def _run_gui(args: argparse.Namespace) -> int:
    from kiosk.recording.recovery import recover_all
    from kiosk.store.deletion import purge_expired
    from kiosk.store.locks import FileLock

    settings = load_settings()
    db = open_configured(settings)
    # One kiosk per data folder: two would fight over the camera and the same sessions.
    instance = FileLock(settings.data_dir / INSTANCE_LOCK_NAME)
    if not instance.acquire():
        db.close()
        print(f"kiosk: a kiosk is already running with the data folder {settings.data_dir}.",
              file=sys.stderr)
        return EXIT_PROBLEM
    try:
        # Before anyone can start a new interview, finish what a crash left behind; a
        # recovery that fails is reported, and must never keep the kiosk from starting.
        try:
            outcomes = recover_all(db, settings, questions=_question_texts(settings))
        except Exception as exc:
            print(f"kiosk: recovery could not run ({exc}); 'kiosk recover' retries it.",
                  file=sys.stderr)
            outcomes = []
        for outcome in outcomes:
            print(f"kiosk: recovery of {outcome.session_id}: {outcome.outcome}. "
                  f"{outcome.message}".rstrip(), file=sys.stderr)
        # Then the retention period (the main window repeats it daily); like recovery, it
        # is reported and never keeps the kiosk from starting.
        try:
            purged = purge_expired(db, settings)
        except Exception as exc:
            print(f"kiosk: the retention purge could not run ({exc}).", file=sys.stderr)
            purged = []
        if purged:
            print(f"kiosk: retention: {len(purged)} session(s) older than "
                  f"{settings.review.retention_days} days deleted.", file=sys.stderr)
        from kiosk.ui.app import run  # Qt only now: a refused second start stays quick and quiet

        return run(settings, db, demo=args.demo, locked=not args.windowed)
    finally:
        db.close()
        instance.release()


def _screenshots(args: argparse.Namespace) -> int:
    from kiosk.ui.tooling.screenshots import write_screenshots

    for path in write_screenshots(load_settings(), args.directory):
        print(path)
    return EXIT_OK
