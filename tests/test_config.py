"""Settings: defaults, the TOML file, environment overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import load_settings
from kiosk.errors import ConfigError


def test_defaults_put_everything_in_the_data_folder(tmp_path: Path) -> None:
    loaded = load_settings({"KIOSK_DATA_DIR": str(tmp_path)})
    assert loaded.data_dir == tmp_path
    assert loaded.config_file == tmp_path / "kiosk.toml"
    assert loaded.recordings_dir == tmp_path / "recordings"
    assert loaded.database_url == f"sqlite:///{tmp_path / 'kiosk.db'}"


def test_without_kiosk_data_dir_a_per_user_folder_is_used(tmp_path: Path) -> None:
    loaded = load_settings({"XDG_DATA_HOME": str(tmp_path)})
    assert loaded.data_dir.name == "interview-booth-kiosk"
    assert loaded.data_dir.is_absolute()


def test_the_file_sets_values_and_relative_folders_live_in_the_data_folder(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(
        'recordings_dir = "videos"\ndatabase_url = "postgresql://booth:secret@db.local/kiosk"\n'
    )
    loaded = load_settings({"KIOSK_DATA_DIR": str(tmp_path)})
    assert loaded.recordings_dir == tmp_path / "videos"
    # The shipped driver is psycopg 3; the bare scheme is completed rather than failing later.
    assert loaded.database_url == "postgresql+psycopg://booth:secret@db.local/kiosk"
    assert loaded.database_url_for_display == "postgresql+psycopg://booth:***@db.local/kiosk"


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('recordings_dir = "videos"\ndatabase_url = "sqlite:////srv/a.db"\n')
    loaded = load_settings({
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
        "KIOSK_CONFIG": str(config),
        "KIOSK_RECORDINGS_DIR": str(tmp_path / "usb"),
        "KIOSK_DATABASE_URL": "sqlite:////srv/b.db",
    })
    assert loaded.config_file == config
    assert loaded.recordings_dir == tmp_path / "usb"
    assert loaded.database_url == "sqlite:////srv/b.db"


def test_the_readme_example_is_a_valid_settings_file(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "kiosk.toml").write_text(example, encoding="utf-8")
    loaded = load_settings({"KIOSK_DATA_DIR": str(tmp_path)})
    assert loaded.database_url.startswith("postgresql+psycopg://booth:")
    assert loaded.recording.disk_reserve_mb == 1024
    assert (loaded.recording.width, loaded.recording.height, loaded.recording.fps) == (
        1280, 720, 30)
    assert (loaded.review.idle_lock_minutes, loaded.review.retention_days) == (5, 365)


@pytest.mark.parametrize(("line", "key"), [("idle_lock_minutes = 0", "review.idle_lock_minutes"),
                                           ("retention_days = -1", "review.retention_days")])
def test_review_values_out_of_range_name_the_key(tmp_path: Path, line: str, key: str) -> None:
    (tmp_path / "kiosk.toml").write_text(f"[review]\n{line}\n")
    with pytest.raises(ConfigError, match=f"'{key}' in .* must be between"):
        load_settings({"KIOSK_DATA_DIR": str(tmp_path)})


def test_an_unknown_key_names_the_key_and_the_file(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text('recording_dir = "typo"\n')
    with pytest.raises(ConfigError) as error:
        load_settings({"KIOSK_DATA_DIR": str(tmp_path)})
    assert "'recording_dir'" in str(error.value)
    assert str(tmp_path / "kiosk.toml") in str(error.value)
    assert "recordings_dir" in str(error.value)  # the known keys are listed


@pytest.mark.parametrize("value", ["42", "true", "[1, 2]", "{ a = 1 }", "2026-01-01"])
def test_a_wrong_type_names_the_key_the_file_and_the_expected_type(
    tmp_path: Path, value: str
) -> None:
    (tmp_path / "kiosk.toml").write_text(f"database_url = {value}\n")
    with pytest.raises(ConfigError) as error:
        load_settings({"KIOSK_DATA_DIR": str(tmp_path)})
    message = str(error.value)
    assert "'database_url'" in message and str(tmp_path / "kiosk.toml") in message
    assert "must be a string" in message


def test_broken_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text('recordings_dir = "videos"\ndatabase_url = \n')
    with pytest.raises(ConfigError, match=r"kiosk\.toml is not valid TOML.*line 2"):
        load_settings({"KIOSK_DATA_DIR": str(tmp_path)})


def test_a_settings_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings({"KIOSK_DATA_DIR": str(tmp_path)})


def test_a_named_settings_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_CONFIG": str(tmp_path / "no")})


def test_rates_that_cannot_join_answers_in_sync_are_refused(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text("[recording]\nsample_rate = 44100\nfps = 30\n")
    with pytest.raises(ConfigError, match=r"'recording.fps' 30 and 'recording.sample_rate' "
                                          r"44100 .* do not fit together"):
        load_settings({"KIOSK_DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("not a url", "is not a database URL"),
        ("postgresql://booth@db:port/kiosk", "is not a database URL"),
        ("mysql://x@y/z", "supports sqlite and postgresql"),
        ("sqlite://", "must name a SQLite file"),
    ],
)
def test_bad_database_urls_are_refused(tmp_path: Path, url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_settings({"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_DATABASE_URL": url})


_toml_keys = st.text(
    alphabet=st.characters(min_codepoint=0x41, max_codepoint=0x7A).filter(str.isalpha),
    min_size=1, max_size=12,
)
_toml_values = st.one_of(
    st.integers(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.dictionaries(_toml_keys | st.sampled_from(["recordings_dir", "database_url"]),
                             _toml_values, max_size=4))
def test_any_settings_file_gives_settings_or_a_config_error(
    tmp_path: Path, table: dict
) -> None:
    import json

    # JSON strings, integers, floats and booleans are valid TOML values too.
    body = "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())
    (tmp_path / "kiosk.toml").write_text(body, encoding="utf-8")
    try:
        loaded = load_settings({"KIOSK_DATA_DIR": str(tmp_path)})
    except ConfigError as error:
        assert str(tmp_path / "kiosk.toml") in str(error) or "KIOSK" in str(error) or \
            "database_url" in str(error)
    else:
        assert loaded.recordings_dir.is_absolute()
        assert set(table) <= {"recordings_dir", "database_url"}
