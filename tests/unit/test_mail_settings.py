"""Mail settings: HUB_MAIL_* and HUB_SMTP_* variables, their defaults and their checks."""

from __future__ import annotations

import pytest

from hub.settings import Settings, SettingsError


def test_mail_defaults() -> None:
    settings = Settings.from_env({})

    assert settings.effective_mail_transport == "smtp"
    assert settings.smtp_host == "localhost"
    assert settings.smtp_tls == "starttls"
    assert settings.effective_smtp_port == 587
    assert settings.mail_from is None


def test_demo_defaults_to_outbox() -> None:
    settings = Settings.from_env({"HUB_DEMO": "true"})

    assert settings.effective_mail_transport == "outbox"


def test_reads_mail_variables() -> None:
    settings = Settings.from_env(
        {
            "HUB_MAIL_TRANSPORT": "smtp",
            "HUB_MAIL_FROM": "badges@uphf.fr",
            "HUB_MAIL_REPLY_TO": "scolarite@uphf.fr",
            "HUB_SMTP_HOST": "smtp.uphf.fr",
            "HUB_SMTP_PORT": "2525",
            "HUB_SMTP_USERNAME": "badges",
            "HUB_SMTP_PASSWORD": "s3cret",
            "HUB_SMTP_TLS": "tls",
            "HUB_SMTP_TIMEOUT_SECONDS": "12.5",
        }
    )

    assert settings.mail_from == "badges@uphf.fr"
    assert settings.mail_reply_to == "scolarite@uphf.fr"
    assert settings.effective_smtp_port == 2525
    assert settings.smtp_username == "badges"
    assert settings.smtp_tls == "tls"
    assert settings.smtp_timeout_seconds == 12.5
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(("tls", "port"), [("tls", 465), ("starttls", 587), ("none", 25)])
def test_port_follows_tls_mode(tls: str, port: int) -> None:
    assert Settings.from_env({"HUB_SMTP_TLS": tls}).effective_smtp_port == port


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        ({"HUB_MAIL_TRANSPORT": "sendmail"}, "HUB_MAIL_TRANSPORT='sendmail': use `smtp` or"),
        ({"HUB_SMTP_TLS": "ssl"}, "HUB_SMTP_TLS='ssl': use starttls, tls or none"),
        ({"HUB_SMTP_PORT": "99999"}, "HUB_SMTP_PORT='99999' is not a TCP port"),
        ({"HUB_SMTP_TIMEOUT_SECONDS": "soon"}, "is not a number of seconds"),
        ({"HUB_SMTP_TIMEOUT_SECONDS": "0"}, "above 0 and at most 300"),
        ({"HUB_SMTP_TIMEOUT_SECONDS": "nan"}, "above 0 and at most 300"),
        ({"HUB_MAIL_FROM": "Badges <badges@uphf.fr>"}, "HUB_MAIL_FROM='Badges <badges@uphf.fr>'"),
        ({"HUB_MAIL_FROM": "badges"}, "is not an e-mail address"),
        ({"HUB_MAIL_REPLY_TO": "a b@uphf.fr"}, "HUB_MAIL_REPLY_TO"),
        ({"HUB_SMTP_USERNAME": "badges"}, "set both HUB_SMTP_USERNAME and HUB_SMTP_PASSWORD"),
        (
            {
                "HUB_SMTP_HOST": "smtp.uphf.fr",
                "HUB_SMTP_TLS": "none",
                "HUB_SMTP_USERNAME": "badges",
                "HUB_SMTP_PASSWORD": "s3cret",
            },
            "in clear text to 'smtp.uphf.fr'",
        ),
    ],
)
def test_invalid_mail_setting_explains(variables: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env(variables)

    assert fragment in str(error.value)


def test_plain_login_allowed_on_loopback() -> None:
    settings = Settings.from_env(
        {
            "HUB_SMTP_HOST": "127.0.0.1",
            "HUB_SMTP_TLS": "none",
            "HUB_SMTP_USERNAME": "badges",
            "HUB_SMTP_PASSWORD": "s3cret",
        }
    )

    assert settings.smtp_tls == "none"


def test_missing_sender_explains() -> None:
    with pytest.raises(SettingsError, match="HUB_MAIL_FROM is not set"):
        Settings.from_env({}).require_mail_from()
