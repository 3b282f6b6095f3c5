"""Settings: parsing HUB_* variables and rejecting bad values with the fix."""

from __future__ import annotations

import base64

import pytest

from hub.settings import Settings, SettingsError

KEK = base64.b64encode(bytes(range(32))).decode()


def test_defaults_without_variables() -> None:
    settings = Settings.from_env({})

    assert settings.demo is False
    assert settings.database_url is None
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.key_encryption_key is None
    assert settings.peer_sync_minutes == 15


def test_peer_sync_minutes_read() -> None:
    assert Settings.from_env({"HUB_PEER_SYNC_MINUTES": "60"}).peer_sync_minutes == 60


def test_reads_every_variable() -> None:
    settings = Settings.from_env(
        {
            "HUB_DEMO": "true",
            "HUB_DATA_DIR": "/srv/hub",
            "HUB_DATABASE_URL": "postgresql://hub@db/hub",
            "HUB_PUBLIC_URL": "https://badges.uphf.fr",
            "HUB_PORT": "9000",
            "HUB_KEY_ENCRYPTION_KEY": KEK,
            "HUB_LOG_FORMAT": "json",
        }
    )

    assert settings.demo is True
    assert str(settings.data_dir) == "/srv/hub"
    assert settings.port == 9000
    assert settings.key_encryption_key == bytes(range(32))
    assert settings.log_format == "json"


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("HUB_PORT", "eighty", "not a TCP port"),
        ("HUB_DEMO", "maybe", "not a boolean"),
        ("HUB_PUBLIC_URL", "badges.example.eu", "not an http(s) URL"),
        ("HUB_PUBLIC_URL", "https://example.eu/hub", "has a path"),
        ("HUB_KEY_ENCRYPTION_KEY", "%%%", "not valid base64"),
        ("HUB_KEY_ENCRYPTION_KEY", base64.b64encode(b"short").decode(), "needs 32"),
        ("HUB_LOG_LEVEL", "verbose", "use debug, info"),
        ("HUB_PEER_SYNC_MINUTES", "0", "at least 1"),
        ("HUB_PEER_SYNC_MINUTES", "quarter", "whole number"),
    ],
)
def test_invalid_value_names_variable(variable: str, value: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({variable: value})

    assert variable in str(error.value)
    assert fragment in str(error.value)


def test_missing_kek_says_how_to_create_one() -> None:
    with pytest.raises(SettingsError, match="badgehub kek generate"):
        Settings.from_env({}).require_key_encryption_key()


@pytest.mark.parametrize(
    ("public_url", "host"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1%3A8000"),
        ("https://badges.eunice-university.eu", "badges.eunice-university.eu"),
        ("https://badges.example.eu:8443/", "badges.example.eu%3A8443"),
    ],
)
def test_did_web_host_encodes_port(public_url: str, host: str) -> None:
    assert Settings(public_url=public_url).did_web_host == host


def test_repr_hides_kek() -> None:
    settings = Settings.from_env({"HUB_KEY_ENCRYPTION_KEY": KEK})

    assert KEK not in repr(settings)
    assert "key_encryption_key" not in repr(settings)
