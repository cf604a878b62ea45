"""``GATEHOUSE_SMTP_URL`` → SmtpConfig: the three ways to reach a mail server,
their defaults, and a clear refusal (never quoting the password) otherwise."""

from __future__ import annotations

import pytest

from gatehouse.adapters.mail import DisabledMailer, SmtpConfig, SmtpMailer, build_mailer
from gatehouse.services.ports import Mail
from gatehouse.settings import Settings

PASSWORD = "Sup3r-s3cret"


@pytest.mark.parametrize(
    ("url", "security", "port"),
    [
        ("smtps://mail.example.com", "tls", 465),
        ("smtp://mail.example.com", "starttls", 587),
        ("smtp://mail.example.com?tls=none", "none", 25),
        ("smtps://mail.example.com:2465", "tls", 2465),
        ("smtp://mail.example.com:2587/", "starttls", 2587),
        ("smtp://127.0.0.1:1025?tls=none", "none", 1025),
    ],
)
def test_scheme_chooses_the_tls_mode_and_the_default_port(
    url: str, security: str, port: int
) -> None:
    config = SmtpConfig.parse(url)
    assert (config.security, config.port) == (security, port)
    assert config.host in ("mail.example.com", "127.0.0.1")
    assert (config.username, config.password, config.ca_file, config.timeout) == (
        None,
        None,
        None,
        10.0,
    )


def test_user_and_password_are_percent_decoded() -> None:
    config = SmtpConfig.parse("smtps://relay%40example.com:p%40ss%3Aw%2Frd@mail.example.com")
    assert (config.username, config.password) == ("relay@example.com", "p@ss:w/rd")


def test_options_set_a_private_ca_and_the_timeout() -> None:
    config = SmtpConfig.parse("smtp://mx.internal:25?ca_file=/etc/gatehouse/ca.pem&timeout=2.5")
    assert (config.host, config.port, config.security) == ("mx.internal", 25, "starttls")
    assert (config.ca_file, config.timeout) == ("/etc/gatehouse/ca.pem", 2.5)


def test_an_ipv6_host_loses_its_brackets() -> None:
    config = SmtpConfig.parse("smtps://[2001:db8::25]:465")
    assert (config.host, config.port) == ("2001:db8::25", 465)


def test_the_password_never_shows_in_the_repr() -> None:
    config = SmtpConfig.parse(f"smtps://relay:{PASSWORD}@mail.example.com")
    assert config.password == PASSWORD
    assert PASSWORD not in repr(config)
    assert PASSWORD not in str(config)
    assert "relay" in repr(config)


def test_a_password_goes_in_clear_only_to_this_machine() -> None:
    local = SmtpConfig.parse(f"smtp://relay:{PASSWORD}@localhost:25?tls=none")
    assert (local.security, local.password) == ("none", PASSWORD)
    with pytest.raises(ValueError, match="without TLS"):
        SmtpConfig.parse(f"smtp://relay:{PASSWORD}@mail.example.com?tls=none")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "smtp:// or smtps://"),
        ("mail.example.com:587", "smtp:// or smtps://"),
        ("http://mail.example.com", "smtp:// or smtps://"),
        ("smtp+tls://mail.example.com", "smtp:// or smtps://"),
        ("smtp://", "no host"),
        ("smtp://:25", "no host"),
        ("smtp://mail.example.com:0", "port"),
        ("smtp://mail.example.com:70000", "port"),
        ("smtp://mail.example.com:submission", "port"),
        ("smtp://mail.example.com/inbox", "no path"),
        ("smtp://mail.example.com#x", "fragment"),
        ("smtp://mail.example.com?tls=yes", "tls takes only 'none'"),
        ("smtps://mail.example.com?tls=none", "only with smtp://"),
        ("smtp://mail.example.com?tls=none&ca_file=/ca.pem", "ca_file"),
        ("smtps://mail.example.com?ca_file=", "ca_file needs a path"),
        ("smtp://mail.example.com?timeout=0", "timeout"),
        ("smtp://mail.example.com?timeout=-1", "timeout"),
        ("smtp://mail.example.com?timeout=nan", "timeout"),
        ("smtp://mail.example.com?timeout=soon", "timeout"),
        ("smtp://mail.example.com?timeout=301", "timeout"),
        ("smtp://mail.example.com?starttls=1", "'starttls' is unknown"),
        ("smtp://mail.example.com?timeout=1&timeout=2", "repeats"),
        ("smtp://relay@mail.example.com", "both a user and a password"),
        ("smtp://:pw@mail.example.com", "both a user and a password"),
    ],
)
def test_a_bad_url_is_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("+", r"\+")):
        SmtpConfig.parse(url)


@pytest.mark.parametrize(
    "url",
    [
        f"smtp://relay:{PASSWORD}@mail.example.com:99999",
        f"smtp://relay:{PASSWORD}@mail.example.com:port",
        f"smtp://relay:{PASSWORD}@mail.example.com/path",
        f"smtp://relay:{PASSWORD}@mail.example.com?tls=maybe",
        f"smtp://relay:{PASSWORD}@mail.example.com?timeout=x",
        f"smtp://relay:{PASSWORD}@mail.example.com?tls=none",
        f"smtpx://relay:{PASSWORD}@mail.example.com",
        f"smtp://relay:{PASSWORD}@[::1",
    ],
)
def test_no_refusal_quotes_the_password(url: str) -> None:
    with pytest.raises(ValueError) as refused:
        SmtpConfig.parse(url)
    assert PASSWORD not in str(refused.value)


def test_no_smtp_url_means_a_mailer_that_says_it_is_unavailable() -> None:
    mailer = build_mailer(Settings.from_env({}))
    assert isinstance(mailer, DisabledMailer)
    assert mailer.available is False
    with pytest.raises(RuntimeError, match="available"):
        mailer.send(Mail(to="ada@example.com", subject="Reset your password", text="link"))


def test_an_smtp_url_means_an_available_mailer() -> None:
    settings = Settings.from_env({"GATEHOUSE_SMTP_URL": "smtps://mail.example.com"})
    mailer = build_mailer(settings)
    assert isinstance(mailer, SmtpMailer)
    assert mailer.available is True


def test_an_unreadable_ca_file_is_refused_when_the_mailer_is_built() -> None:
    config = SmtpConfig.parse("smtps://mail.example.com?ca_file=/nonexistent/ca.pem")
    with pytest.raises(ValueError, match="ca_file"):
        SmtpMailer(config, "gatehouse@example.com")
