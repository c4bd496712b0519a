"""Settings: one typed object, read from a TOML file, then overridden by the environment.

Where things come from, strongest first:
  1. environment: KIOSK_DATA_DIR, KIOSK_CONFIG, KIOSK_RECORDINGS_DIR, KIOSK_DATABASE_URL
  2. the settings file (KIOSK_CONFIG, default `kiosk.toml` in the data folder), if it exists
  3. defaults: a per-user data folder holding `kiosk.db` and `recordings/`

Every problem names the key and where it was read, so IT can fix it without reading code.
"""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import tomllib
import types
import typing
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from kiosk.errors import ConfigError
from kiosk.media.units import sync_unit_frames

APP_NAME = "interview-booth-kiosk"
CONFIG_FILE_NAME = "kiosk.toml"
DATABASE_FILE_NAME = "kiosk.db"
SUPPORTED_DATABASES = ("sqlite", "postgresql")
# [recording] camera_backend: OpenCV's own choice, or one of its backends by name.
STORAGE_KINDS = ("local", "s3")
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
OBJECT_PREFIX = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
DEFAULT_LANGUAGE = "en"
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # BCP 47: en, es, pt-BR
CAMERA_BACKENDS = ("auto", "v4l2", "msmf", "dshow", "ffmpeg", "gstreamer", "avfoundation")

T = typing.TypeVar("T")


@dataclasses.dataclass(frozen=True)
class RecordingSettings:
    """[recording] in the settings file: devices, picture, and how much disk to keep free."""

    camera: str = "0"  # a device index, a device path, a network URL or a video file
    microphone: str = ""  # a sounddevice name or index; empty: the default microphone
    width: int = 1280
    height: int = 720
    fps: int = 30
    sample_rate: int = 48_000
    disk_reserve_mb: int = 1024  # an answer stops (and is kept) when free space falls below
    stall_limit_seconds: int = 60  # an encoder taking no data this long ends the answer (kept)
    longest_interview_minutes: int = 60  # with the reserve, what a new session needs free
    mb_per_minute: int = 15  # a generous estimate of one minute of 720p
    # How much later this booth's camera shows a moment than its microphone hears it, in ms
    # (a camera's own delay, like OBS's sync offset): the picture is placed that much
    # earlier. Negative if the sound comes late.
    av_offset_ms: int = 0
    camera_backend: str = "auto"  # or an OpenCV backend: v4l2, msmf, dshow, ffmpeg, ...


@dataclasses.dataclass(frozen=True)
class InterviewSettings:
    """[interview] in the settings file: which questions, and the candidate's time limits."""

    question_set: str = "default"  # a file name (stem) in the folders below, or a .toml path
    question_sets_dir: str = "question_sets"  # the admin's own sets; relative: in the data folder
    idle_seconds: int = 90  # no touch, key or voice for this long: back to Welcome
    thank_you_seconds: int = 10
    device_advice: bool = True  # the device check says what to fix: light, face, voice
    # Offered at Welcome, in this order; each needs its translation (kiosk.ui.i18n).
    languages: tuple[str, ...] | list[str] = ("en", "es")


@dataclasses.dataclass(frozen=True)
class ReviewSettings:
    """[review] in the settings file: the recruiter's side."""

    idle_lock_minutes: int = 5  # back to the kiosk after this long without a touch or a key
    retention_days: int = 0  # sessions older than this are deleted; 0 keeps them for ever


@dataclasses.dataclass(frozen=True)
class TranscriptSettings:
    """[transcripts] in the settings file: offline speech to text of every interview."""

    enabled: bool = True
    # A CTranslate2 Whisper model folder (config.json, model.bin, tokenizer.json); empty: the
    # English model that ships with the kiosk. Relative: in the data folder.
    model_dir: str = ""
    threads: int = 1  # CPU threads for one transcription; it runs at the lowest priority


@dataclasses.dataclass(frozen=True)
class StorageSettings:
    """[storage] in the settings file: where the booth keeps its recordings for good.

    "local": in the recordings folder (the default). "s3": also uploaded to an S3-compatible
    bucket after each interview, resumable, and read back before it counts; the booth's own
    copy goes `keep_local_days` after that. Credentials
    come from the usual AWS sources (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the
    shared credentials file), never from this file.
    """

    kind: str = "local"
    endpoint_url: str = ""  # empty: AWS itself (or AWS_ENDPOINT_URL)
    region: str = ""
    bucket: str = ""
    prefix: str = "interviews"  # objects are <prefix>/<session-id>/<file>
    # How long the booth keeps its own copy once the upload is verified; 0: not at all.
    keep_local_days: int = 30
    max_upload_mbps: int = 20  # megabits a second; 0: no limit


@dataclasses.dataclass(frozen=True)
class FileSettings:
    """The keys a settings file may hold. A key not declared here is refused."""

    recordings_dir: str | None = None
    database_url: str | None = None
    booth_name: str | None = None
    language: str | None = None
    recording: RecordingSettings = dataclasses.field(default_factory=RecordingSettings)
    interview: InterviewSettings = dataclasses.field(default_factory=InterviewSettings)
    review: ReviewSettings = dataclasses.field(default_factory=ReviewSettings)
    transcripts: TranscriptSettings = dataclasses.field(default_factory=TranscriptSettings)
    storage: StorageSettings = dataclasses.field(default_factory=StorageSettings)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the kiosk is configured with, resolved to absolute paths and a checked URL."""

    data_dir: Path
    config_file: Path
    recordings_dir: Path
    database_url: str
    recording: RecordingSettings = dataclasses.field(default_factory=RecordingSettings)
    interview: InterviewSettings = dataclasses.field(default_factory=InterviewSettings)
    review: ReviewSettings = dataclasses.field(default_factory=ReviewSettings)
    transcripts: TranscriptSettings = dataclasses.field(default_factory=TranscriptSettings)
    storage: StorageSettings = dataclasses.field(default_factory=StorageSettings)
    # Which booth recorded a session, as its row says: several booths may share a database.
    booth_name: str = dataclasses.field(default_factory=socket.gethostname)
    # The booth's own language: the recruiter's side, and a candidate's until they choose.
    language: str = DEFAULT_LANGUAGE

    @property
    def question_sets_dir(self) -> Path:
        return self.data_dir / self.interview.question_sets_dir

    @property
    def database_url_for_display(self) -> str:
        """The database URL with any password hidden, for screens and logs."""
        return make_url(self.database_url).render_as_string(hide_password=True)


def default_data_dir() -> Path:
    """The per-user data folder of this platform (XDG on Linux, AppData on Windows)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings file and the environment; raise ConfigError naming the bad key."""
    env = os.environ if environ is None else environ
    data_dir = _absolute(Path(env["KIOSK_DATA_DIR"])) if env.get("KIOSK_DATA_DIR") else None
    data_dir = data_dir or default_data_dir()

    explicit_config = env.get("KIOSK_CONFIG")
    if explicit_config:
        config_file = _absolute(Path(explicit_config))
    else:
        config_file = data_dir / CONFIG_FILE_NAME
    from_file = _read_file(config_file, required=bool(explicit_config))

    if env.get("KIOSK_RECORDINGS_DIR"):
        recordings_dir = _absolute(Path(env["KIOSK_RECORDINGS_DIR"]))
    elif from_file.recordings_dir:
        # A relative folder in the file is taken inside the data folder, wherever the app started.
        recordings_dir = (data_dir / from_file.recordings_dir).resolve()
    else:
        recordings_dir = data_dir / "recordings"

    if env.get("KIOSK_DATABASE_URL"):
        database_url = _check_database_url(env["KIOSK_DATABASE_URL"], "KIOSK_DATABASE_URL")
    elif from_file.database_url:
        where = f"database_url in {config_file}"
        database_url = _check_database_url(from_file.database_url, where)
    else:
        database_url = URL.create("sqlite", database=str(data_dir / DATABASE_FILE_NAME)
                                  ).render_as_string(hide_password=False)

    return Settings(
        data_dir=data_dir,
        config_file=config_file,
        recordings_dir=recordings_dir,
        database_url=database_url,
        recording=_check_recording(from_file.recording, config_file),
        interview=_check_interview(from_file.interview, config_file),
        review=_check_review(from_file.review, config_file),
        transcripts=_check_transcripts(from_file.transcripts, config_file),
        storage=_check_storage(from_file.storage, config_file),
        booth_name=_check_booth_name(from_file.booth_name, config_file),
        language=_check_language(from_file.language, config_file),
    )


def _check_interview(interview: InterviewSettings, path: Path) -> InterviewSettings:
    limits = {"idle_seconds": (10, 3600), "thank_you_seconds": (2, 300)}
    _check_ranges(interview, limits, "interview", path)
    languages = tuple(interview.languages)
    if not languages:
        raise ConfigError(f"'interview.languages' in {path} must name at least one language.")
    for code in languages:
        if not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code):
            raise ConfigError(f"'interview.languages' in {path} must hold language codes such "
                              f"as \"en\" or \"es\", not {code!r}.")
    if len(set(languages)) != len(languages):
        raise ConfigError(f"'interview.languages' in {path} names a language twice.")
    return dataclasses.replace(interview, languages=languages)


def _check_language(language: str | None, path: Path) -> str:
    if language is None:
        return DEFAULT_LANGUAGE
    if not LANGUAGE_CODE.fullmatch(language):
        raise ConfigError(f"'language' in {path} must be a language code such as \"en\" or "
                          f"\"es\", not {language!r}.")
    return language


def _check_recording(recording: RecordingSettings, path: Path) -> RecordingSettings:
    limits = {
        "width": (16, 7680), "height": (16, 4320), "fps": (1, 120),
        "sample_rate": (8_000, 192_000), "disk_reserve_mb": (0, 10**7),
        "longest_interview_minutes": (1, 24 * 60), "mb_per_minute": (1, 10_000),
        "stall_limit_seconds": (1, 3600), "av_offset_ms": (-1000, 1000),
    }
    _check_ranges(recording, limits, "recording", path)
    if recording.camera_backend not in CAMERA_BACKENDS:
        raise ConfigError(f"'recording.camera_backend' in {path} must be one of "
                          f"{', '.join(CAMERA_BACKENDS)}, not {recording.camera_backend!r}.")
    unit = sync_unit_frames(recording.fps, recording.sample_rate)
    if unit is None:
        raise ConfigError(
            f"'recording.fps' {recording.fps} and 'recording.sample_rate' "
            f"{recording.sample_rate} in {path} do not fit together: answers could not be "
            f"joined without the sound slipping. Use sample_rate = 48000 with fps 15, 24, 25, "
            f"30, 50 or 60."
        )
    if recording.width % 2 or recording.height % 2:
        raise ConfigError(f"'recording.width' and 'recording.height' in {path} must be even "
                          f"(H.264 with 4:2:0 colour needs it).")
    return recording


def _check_review(review: ReviewSettings, path: Path) -> ReviewSettings:
    limits = {"idle_lock_minutes": (1, 24 * 60), "retention_days": (0, 100 * 365)}
    _check_ranges(review, limits, "review", path)
    return review


def _check_transcripts(transcripts: TranscriptSettings, path: Path) -> TranscriptSettings:
    _check_ranges(transcripts, {"threads": (1, 16)}, "transcripts", path)
    return transcripts


def _check_storage(storage: StorageSettings, path: Path) -> StorageSettings:
    if storage.kind not in STORAGE_KINDS:
        raise ConfigError(f"'storage.kind' in {path} must be one of "
                          f"{', '.join(STORAGE_KINDS)}, not {storage.kind!r}.")
    _check_ranges(storage, {"keep_local_days": (0, 3650), "max_upload_mbps": (0, 100_000)},
                  "storage", path)
    if storage.kind == "local":
        return storage
    if not BUCKET_NAME.fullmatch(storage.bucket):
        raise ConfigError(f"'storage.bucket' in {path} must be an S3 bucket name (3 to 63 "
                          f"lowercase letters, digits, dots and hyphens), not "
                          f"{storage.bucket!r}.")
    if storage.endpoint_url:
        endpoint = urllib.parse.urlsplit(storage.endpoint_url)
        if endpoint.scheme not in ("http", "https") or not endpoint.hostname:
            raise ConfigError(f"'storage.endpoint_url' in {path} must be an http:// or "
                              f"https:// URL, not {storage.endpoint_url!r}.")
    if not OBJECT_PREFIX.fullmatch(storage.prefix):
        raise ConfigError(f"'storage.prefix' in {path} must be letters, digits, '-', '_', "
                          f"'.' and '/' between names (no leading or trailing '/'), not "
                          f"{storage.prefix!r}.")
    return storage


def _check_booth_name(name: str | None, path: Path) -> str:
    if name is None:
        return socket.gethostname()
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 200:
        raise ConfigError(f"'booth_name' in {path} must be 1 to 200 characters, not "
                          f"{name!r}.")
    return cleaned


def _check_ranges(table: object, limits: dict[str, tuple[int, int]], name: str,
                  path: Path) -> None:
    for key, (low, high) in limits.items():
        value = getattr(table, key)
        if not low <= value <= high:
            raise ConfigError(
                f"'{name}.{key}' in {path} must be between {low} and {high}, not {value}."
            )


def _absolute(path: Path) -> Path:
    return path.expanduser().resolve()


def _read_file(path: Path, *, required: bool) -> FileSettings:
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        # A data folder that cannot exist is reported by prepare_folders, in its own words.
        if required:
            message = f"The settings file {path} (from KIOSK_CONFIG) does not exist."
            raise ConfigError(message) from None
        return FileSettings()
    except OSError as exc:
        raise ConfigError(f"The settings file {path} cannot be read: {exc.strerror}.") from None
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"The settings file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The settings file {path} is not valid TOML: {exc}.") from None
    return _table_to_dataclass(FileSettings, table, path, prefix="")


def _table_to_dataclass(cls: type[T], table: dict, path: Path, prefix: str) -> T:
    """Build a settings dataclass from a TOML table, refusing unknown keys and wrong types."""
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"Unknown key '{name}' in {path}. Known keys: {known}.")
        expected = hints[key]
        if isinstance(expected, type) and dataclasses.is_dataclass(expected):
            if not isinstance(value, dict):
                raise ConfigError(f"'{name}' in {path} must be a table ([{name}]).")
            values[key] = _table_to_dataclass(expected, value, path, prefix=f"{name}.")
            continue
        allowed = _allowed_types(expected)
        # TOML booleans are ints to Python; a setting that wants a number must not take `true`.
        wrong_bool = isinstance(value, bool) and bool not in allowed
        if wrong_bool or not isinstance(value, allowed):
            want = " or ".join(dict.fromkeys(_toml_type_name(t) for t in allowed))
            raise ConfigError(
                f"'{name}' in {path} must be {want}, not {_toml_type_name(type(value))} "
                f"({value!r})."
            )
        values[key] = value
    return cls(**values)


def _allowed_types(hint: object) -> tuple[type, ...]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return tuple(typing.get_origin(t) or t for t in typing.get_args(hint)
                     if t is not type(None))
    return (typing.cast(type, typing.get_origin(hint) or hint),)


def _toml_type_name(t: type) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "a list", tuple: "a list"}
    return names.get(t, f"a {t.__name__}")


def _check_database_url(text: str, where: str) -> str:
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise ConfigError(f"{where} is not a database URL: {text!r}.") from None
    backend = url.get_backend_name()
    if backend not in SUPPORTED_DATABASES:
        raise ConfigError(
            f"{where} names the database '{backend}'; the kiosk supports "
            f"{' and '.join(SUPPORTED_DATABASES)}."
        )
    if backend == "postgresql" and url.drivername == "postgresql":
        # The bundle ships psycopg (3); SQLAlchemy's bare "postgresql" would look for psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and _in_memory(url):
        # The kiosk opens several connections (and several processes): each would get an
        # empty database of its own, without the tables the first one made.
        raise ConfigError(f"{where} must name a SQLite file, not an in-memory database: each "
                          f"connection would get an empty database of its own.")
    return url.render_as_string(hide_password=False)


def _in_memory(url: URL) -> bool:
    database = url.database or ""
    return (database in ("", ":memory:") or database.startswith("file::memory:")
            or url.query.get("mode") == "memory")
