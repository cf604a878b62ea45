"""SmtpMailer against a real SMTP server (aiosmtpd on 127.0.0.1): each way to
reach it (plain, STARTTLS, implicit TLS, with a login), what happens when it is
slow, refuses or is gone, and what is (never) logged."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from gatehouse.adapters.mail import SmtpConfig, SmtpMailer
from gatehouse.services.ports import Mail
from tests.fakes.smtp_server import Accounts, Certificates, Inbox, free_port, smtp_server

SENDER = "no-reply@gatehouse.example"
PASSWORD = "Pa55-w0rd-not-for-logs"
LINK = "http://127.0.0.1:8080/account/7/reset-password?token=" + "x" * 86
FAST_RETRIES = (0.01, 0.01, 0.01)

MakeMailer = Callable[..., Any]  # async (url, **SmtpMailer options) -> started SmtpMailer
MailLog = Callable[[], list[logging.LogRecord]]


def reset_mail(to: str = "ada@players.example") -> Mail:
    return Mail(
        to=to,
        subject="Reset your password: Ünïcode project",
        text=f"Someone asked to reset your password.\n\n{LINK}\n\nIgnore this mail otherwise.\n",
    )


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates.make(Path(tmp_path_factory.mktemp("smtp-certs")))


@pytest.fixture
async def make_mailer() -> AsyncIterator[MakeMailer]:
    """A started SmtpMailer for a URL; closed after the test if it was not."""
    made: list[SmtpMailer] = []

    async def make(url: str, **options: Any) -> SmtpMailer:
        options.setdefault("retry_delays", FAST_RETRIES)
        mailer = SmtpMailer(SmtpConfig.parse(url), SENDER, **options)
        await mailer.start()
        made.append(mailer)
        return mailer

    yield make
    for mailer in made:
        await mailer.aclose()


@pytest.fixture
def mail_log(caplog: pytest.LogCaptureFixture) -> MailLog:
    caplog.set_level(logging.INFO, logger="gatehouse.mail")
    return lambda: [r for r in caplog.records if r.name == "gatehouse.mail"]


def assert_nothing_secret(records: list[logging.LogRecord]) -> None:
    for record in records:
        line = record.getMessage() + repr(record.__dict__)
        assert PASSWORD not in line
        assert "token=" not in line and "reset your password" not in line.lower()
        assert "ada@" not in line


async def test_plain_relay_receives_a_well_formed_mail(
    make_mailer: MakeMailer, mail_log: MailLog
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}?tls=none")
        mailer.send(reset_mail())
        await mailer.aclose()
    [got] = inbox.received
    assert (got.sender, got.recipients, got.encrypted) == (
        SENDER,
        ["ada@players.example"],
        False,
    )
    message = got.message
    assert message["From"] == SENDER
    assert message["To"] == "ada@players.example"
    assert message["Subject"] == "Reset your password: Ünïcode project"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Message-ID"].endswith("@gatehouse.example>")
    sent_at = email.utils.parsedate_to_datetime(message["Date"])
    assert abs(sent_at.timestamp() - time.time()) < 60
    # The link survives transfer encoding whole, on a line of its own.
    assert LINK in message.get_content().splitlines()
    [line] = [r.getMessage() for r in mail_log()]
    assert line == "mail sent to a recipient at players.example"
    assert_nothing_secret(mail_log())


async def test_starttls_is_used_and_the_private_ca_trusted(
    make_mailer: MakeMailer, certs: Certificates
) -> None:
    inbox = Inbox()
    tls = certs.server_context()
    with smtp_server(inbox, tls_context=tls, require_starttls=True) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}?ca_file={certs.ca_file}")
        mailer.send(reset_mail())
        await mailer.aclose()
    [got] = inbox.received
    assert got.encrypted is True
    assert LINK in got.message.get_content()


async def test_implicit_tls(make_mailer: MakeMailer, certs: Certificates) -> None:
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=certs.server_context()) as port:
        mailer = await make_mailer(f"smtps://localhost:{port}?ca_file={certs.ca_file}")
        mailer.send(reset_mail())
        await mailer.aclose()
    [got] = inbox.received
    assert got.encrypted is True


async def test_a_certificate_from_an_untrusted_ca_stops_the_mail(
    make_mailer: MakeMailer, certs: Certificates, mail_log: MailLog
) -> None:
    inbox = Inbox()
    tls = certs.server_context()
    with smtp_server(inbox, tls_context=tls, require_starttls=True) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}")  # system CAs only
        mailer.send(reset_mail())
        await mailer.aclose()
    assert inbox.received == []
    [warning] = [r for r in mail_log() if r.levelno == logging.WARNING]
    assert "players.example" in warning.getMessage()


async def test_smtp_url_never_falls_back_to_plain_text(
    make_mailer: MakeMailer, mail_log: MailLog
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:  # offers no STARTTLS
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}")
        mailer.send(reset_mail())
        await mailer.aclose()
    assert inbox.received == []
    [warning] = [r.getMessage() for r in mail_log() if r.levelno == logging.WARNING]
    assert warning.startswith("mail to a recipient at players.example not sent: SMTPException")


async def test_the_login_is_sent_over_tls(make_mailer: MakeMailer, certs: Certificates) -> None:
    inbox = Inbox()
    accounts = Accounts("relay@gatehouse.example", PASSWORD)
    with smtp_server(
        inbox,
        tls_context=certs.server_context(),
        require_starttls=True,
        authenticator=accounts,
        auth_required=True,
    ) as port:
        mailer = await make_mailer(
            f"smtp://relay%40gatehouse.example:{PASSWORD}@127.0.0.1:{port}?ca_file={certs.ca_file}"
        )
        mailer.send(reset_mail())
        await mailer.aclose()
    [got] = inbox.received
    assert (got.login, got.encrypted) == ("relay@gatehouse.example", True)


async def test_a_refused_login_is_not_retried_and_not_logged(
    make_mailer: MakeMailer, certs: Certificates, mail_log: MailLog
) -> None:
    inbox = Inbox()
    accounts = Accounts("relay", "the-right-one")
    with smtp_server(
        inbox,
        tls_context=certs.server_context(),
        require_starttls=True,
        authenticator=accounts,
        auth_required=True,
    ) as port:
        mailer = await make_mailer(
            f"smtp://relay:{PASSWORD}@127.0.0.1:{port}?ca_file={certs.ca_file}"
        )
        mailer.send(reset_mail())
        await mailer.aclose()
    assert inbox.received == []
    assert accounts.connections == 1  # a 535 is final: guessing again could lock the account
    [warning] = [r.getMessage() for r in mail_log() if r.levelno == logging.WARNING]
    assert warning == (
        "mail to a recipient at players.example not sent: SMTPAuthenticationError (attempts: 1)"
    )
    assert_nothing_secret(mail_log())


async def test_an_absent_server_costs_the_caller_nothing_and_leaks_nothing(
    make_mailer: MakeMailer, mail_log: MailLog
) -> None:
    port = free_port()  # nothing listens there
    mailer = await make_mailer(f"smtp://relay:{PASSWORD}@127.0.0.1:{port}?tls=none")
    started = time.perf_counter()
    mailer.send(reset_mail())
    assert time.perf_counter() - started < 0.05
    await mailer.aclose()
    [warning] = [r.getMessage() for r in mail_log() if r.levelno == logging.WARNING]
    assert warning.startswith("mail to a recipient at players.example not sent: ")
    assert warning.endswith("(attempts: 4)")  # the first try and three retries
    assert_nothing_secret(mail_log())


async def test_a_temporary_refusal_is_retried(make_mailer: MakeMailer, mail_log: MailLog) -> None:
    inbox = Inbox(replies=["451 4.3.0 Try again later"])
    with smtp_server(inbox) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}?tls=none")
        mailer.send(reset_mail())
        await mailer.aclose()
    assert inbox.attempts == 2
    assert len(inbox.received) == 1
    assert [r.levelno for r in mail_log()] == [logging.INFO]


async def test_a_permanent_refusal_is_not_retried(
    make_mailer: MakeMailer, mail_log: MailLog
) -> None:
    inbox = Inbox(replies=["554 5.7.1 Rejected"] * 4)
    with smtp_server(inbox) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}?tls=none")
        mailer.send(reset_mail())
        await mailer.aclose()
    assert (inbox.attempts, inbox.received) == (1, [])
    [warning] = [r.getMessage() for r in mail_log()]
    assert warning.endswith("SMTPDataError (attempts: 1)")


async def test_send_returns_at_once_while_the_server_is_slow(make_mailer: MakeMailer) -> None:
    inbox = Inbox(delay=1.0)
    with smtp_server(inbox) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}?tls=none")
        started = time.perf_counter()
        mailer.send(reset_mail("ada@players.example"))
        mailer.send(reset_mail("grace@players.example"))
        assert time.perf_counter() - started < 0.1
        assert inbox.received == []
        await mailer.aclose()
    assert [got.recipients for got in inbox.received] == [
        ["ada@players.example"],
        ["grace@players.example"],
    ]


async def test_aclose_delivers_everything_queued(make_mailer: MakeMailer) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}?tls=none")
        for n in range(20):
            mailer.send(reset_mail(f"player{n}@players.example"))
        await mailer.aclose()  # at once: nothing was awaited since the sends
    assert sorted(got.recipients[0] for got in inbox.received) == sorted(
        f"player{n}@players.example" for n in range(20)
    )


async def test_aclose_gives_up_after_its_wait(make_mailer: MakeMailer, mail_log: MailLog) -> None:
    inbox = Inbox(delay=5.0)
    with smtp_server(inbox) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}?tls=none", close_wait=0.3)
        mailer.send(reset_mail("ada@players.example"))
        mailer.send(reset_mail("grace@players.example"))
        started = time.perf_counter()
        await mailer.aclose()
        assert time.perf_counter() - started < 2
    assert inbox.received == []
    [warning] = [r.getMessage() for r in mail_log()]
    assert warning == "mail delivery cut short at shutdown: 2 mails not sent"


async def test_a_full_queue_drops_new_mail_with_a_warning(mail_log: MailLog) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = SmtpConfig.parse(f"smtp://127.0.0.1:{port}?tls=none")
        mailer = SmtpMailer(config, SENDER, queue_size=2)
        for name in ("ada", "grace", "edsger"):
            mailer.send(reset_mail(f"{name}@players.example"))
        [warning] = [r.getMessage() for r in mail_log()]
        assert warning == "mail to a recipient at players.example dropped: 2 mails already queued"
        await mailer.start()
        await mailer.aclose()
    assert [got.recipients for got in inbox.received] == [
        ["ada@players.example"],
        ["grace@players.example"],
    ]


@pytest.mark.parametrize(
    "mail",
    [
        Mail(to="ada@players.example, eve@evil.example", subject="Hi", text="x"),
        Mail(to="ada@players.example\r\nBcc: eve@evil.example", subject="Hi", text="x"),
        Mail(to="Ada <ada@players.example>", subject="Hi", text="x"),
        Mail(to="ada@players.example", subject="Hi\r\nBcc: eve@evil.example", text="x"),
    ],
)
async def test_a_mail_cannot_reach_a_second_recipient(make_mailer: MakeMailer, mail: Mail) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        mailer = await make_mailer(f"smtp://127.0.0.1:{port}?tls=none")
        with pytest.raises(ValueError):
            mailer.send(mail)
        await mailer.aclose()
    assert inbox.received == []
