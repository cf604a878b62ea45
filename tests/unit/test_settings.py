"""Environment → Settings: defaults, and a clear error for a bad value."""

from __future__ import annotations

import pytest

from gatehouse.settings import Settings, SettingsError


def test_production_path_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GATEHOUSE_DATABASE_URL": "postgresql://gh@db/gatehouse",
            "GATEHOUSE_DATABASE_POOL_SIZE": "5",
            "GATEHOUSE_REDIS_URL": "rediss://:pw@cache:6380/2",
            "GATEHOUSE_REDIS_PREFIX": "studio-a",
        }
    )
    assert settings.database_pool_size == 5
    assert (settings.redis_url, settings.redis_prefix) == ("rediss://:pw@cache:6380/2", "studio-a")
    plain = Settings.from_env({})
    assert (plain.database_pool_size, plain.redis_url, plain.redis_prefix) == (20, "", "gh")


@pytest.mark.parametrize("value", ["0", "-3", "lots", "1001"])
def test_a_bad_pool_size_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingsError, match="GATEHOUSE_DATABASE_POOL_SIZE"):
        Settings.from_env({"GATEHOUSE_DATABASE_POOL_SIZE": value})


def test_projects_per_user_defaults_to_three_and_refuses_a_bad_value() -> None:
    assert Settings.from_env({}).max_projects_per_user == 3
    assert Settings.from_env({"GATEHOUSE_MAX_PROJECTS_PER_USER": "0"}).max_projects_per_user == 0
    with pytest.raises(SettingsError, match="GATEHOUSE_MAX_PROJECTS_PER_USER"):
        Settings.from_env({"GATEHOUSE_MAX_PROJECTS_PER_USER": "-1"})


def test_public_url_defaults_to_the_listening_address_and_loses_a_trailing_slash() -> None:
    assert Settings.from_env({}).public_url == "http://127.0.0.1:8080"
    own = Settings.from_env({"GATEHOUSE_HOST": "0.0.0.0", "GATEHOUSE_PORT": "9000"})
    assert own.public_url == "http://0.0.0.0:9000"
    assert Settings.from_env({"GATEHOUSE_HOST": "::1"}).public_url == "http://[::1]:8080"
    given = Settings.from_env({"GATEHOUSE_PUBLIC_URL": "https://id.example.com/auth/"})
    assert given.public_url == "https://id.example.com/auth"
    port = Settings.from_env({"GATEHOUSE_PUBLIC_URL": "http://localhost:8443"})
    assert port.public_url == "http://localhost:8443"


@pytest.mark.parametrize(
    "value",
    [
        "id.example.com",
        "ftp://id.example.com",
        "https://",
        "https://id.example.com:99999",
        "https://id.example.com:0",
        "https://id.example.com/?next=1",
        "https://id.example.com/#top",
        "https://admin:hunter2@id.example.com",
    ],
)
def test_a_bad_public_url_is_refused_by_name_without_quoting_it(value: str) -> None:
    with pytest.raises(SettingsError, match="GATEHOUSE_PUBLIC_URL") as refused:
        Settings.from_env({"GATEHOUSE_PUBLIC_URL": value})
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    ("value", "allowed"),
    [("", False), ("0", False), ("no", False), ("1", True), ("true", True), ("YES", True)],
)
def test_plain_http_is_off_unless_asked_for(value: str, allowed: bool) -> None:
    assert Settings.from_env({"GATEHOUSE_ALLOW_PLAIN_HTTP": value}).allow_plain_http is allowed
    assert Settings.from_env({}).allow_plain_http is False


def test_an_unclear_plain_http_value_is_refused() -> None:
    with pytest.raises(SettingsError, match="GATEHOUSE_ALLOW_PLAIN_HTTP"):
        Settings.from_env({"GATEHOUSE_ALLOW_PLAIN_HTTP": "maybe"})


def test_mail_is_off_by_default_and_sent_from_gatehouse_at_localhost() -> None:
    settings = Settings.from_env({})
    assert (settings.smtp_url, settings.mail_from) == ("", "gatehouse@localhost")
    configured = Settings.from_env(
        {
            "GATEHOUSE_SMTP_URL": "smtps://relay:pw@mail.example.com",
            "GATEHOUSE_MAIL_FROM": "no-reply@example.com",
        }
    )
    assert configured.smtp_url == "smtps://relay:pw@mail.example.com"
    assert configured.mail_from == "no-reply@example.com"


@pytest.mark.parametrize(
    "value",
    [
        "smtp+tls://relay:hunter2@mail.example.com",
        "smtp://relay:hunter2@mail.example.com:99999",
        "smtp://relay:hunter2@mail.example.com:port",
        "smtp://relay:hunter2@mail.example.com?tls=none",
        "https://relay:hunter2@mail.example.com",
    ],
)
def test_a_bad_smtp_url_is_refused_at_load_without_its_password(value: str) -> None:
    with pytest.raises(SettingsError, match="GATEHOUSE_SMTP_URL") as refused:
        Settings.from_env({"GATEHOUSE_SMTP_URL": value})
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    "value",
    ["gatehouse", "@example.com", "no-reply@", "Gatehouse <a@example.com>", "a@x.com, b@y.com"],
)
def test_a_sender_that_is_not_one_address_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="GATEHOUSE_MAIL_FROM"):
        Settings.from_env({"GATEHOUSE_MAIL_FROM": value})
