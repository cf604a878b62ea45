"""Outgoing mail through SMTP, off the request path.

``send`` composes the message, puts it on a bounded in-memory queue and
returns; one worker task (``start``) delivers the queue in order, retrying a
failure that may pass (no answer, a 4xx reply) after 0.5 s, 2 s and 8 s, and
giving up at once on a 5xx reply. A full queue drops the new mail with a
warning rather than hold up a request. ``aclose`` waits a bounded time for the
queue to empty. Mail still queued when the process stops is lost: the mails
sent here (password reset, address confirmation) can be asked for again.

``GATEHOUSE_SMTP_URL``:

* ``smtps://[user:password@]host[:port]``: implicit TLS, port 465 by default;
* ``smtp://[user:password@]host[:port]``: STARTTLS required, never a fall-back
  to plain text, port 587 by default;
* ``smtp://host[:port]?tls=none``: no TLS, port 25 by default, for a relay on
  this machine (credentials are refused unless the host is a loopback one).

Options: ``ca_file=/path/ca.pem`` trusts a private CA; ``timeout=seconds``
(default 10) bounds each network step. User and password are percent-decoded.

Never logged, never in an exception message: the body (it carries single-use
links), the password, the recipient's full address (only its domain).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import ipaddress
import logging
import math
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING, Final, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib

from gatehouse.services.ports import Mail

if TYPE_CHECKING:
    from gatehouse.settings import Settings

__all__ = ["DisabledMailer", "Security", "SmtpConfig", "SmtpMailer", "build_mailer", "is_address"]

log = logging.getLogger("gatehouse.mail")

Security = Literal["tls", "starttls", "none"]

_DEFAULT_PORTS: Final[dict[Security, int]] = {"tls": 465, "starttls": 587, "none": 25}
_OPTIONS: Final = frozenset({"tls", "ca_file", "timeout"})
_MAX_TIMEOUT: Final = 300.0
#: One plain address: no spaces, line breaks, brackets, quotes or lists.
_ADDRESS = re.compile(r'[^\s@<>()\[\]\\,;:"]+@[^\s@<>()\[\]\\,;:"]+')

QUEUE_SIZE: Final = 1000
RETRY_DELAYS: Final = (0.5, 2.0, 8.0)
CLOSE_WAIT: Final = 5.0


def is_address(value: str) -> bool:
    """``value`` is one bare address (``local@domain``), nothing that could add
    a header or a second recipient."""
    return _ADDRESS.fullmatch(value) is not None


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower() or "?"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to hand mail over; ``parse`` reads ``GATEHOUSE_SMTP_URL``."""

    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = 10.0

    @classmethod
    def parse(cls, url: str) -> SmtpConfig:
        """Raises ``ValueError`` naming what is wrong; the message never quotes
        the URL (it may hold a password)."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise ValueError(
                "SMTP URL is malformed (the port must be a number from 1 to 65535)"
            ) from None
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP URL must start with smtp:// or smtps://")
        host = parts.hostname
        if not host:
            raise ValueError("SMTP URL names no host")
        if parts.path not in ("", "/") or parts.fragment:
            raise ValueError("SMTP URL takes no path and no #fragment")
        if port == 0:
            raise ValueError("SMTP URL port must be a number from 1 to 65535")
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        options = dict(pairs)
        if len(options) != len(pairs):
            raise ValueError("SMTP URL repeats an option")
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise ValueError(
                f"SMTP URL option {unknown[0]!r} is unknown (known: ca_file, timeout, tls)"
            )

        security: Security = "tls" if parts.scheme == "smtps" else "starttls"
        if "tls" in options:
            if options["tls"] != "none" or security == "tls":
                raise ValueError("SMTP URL option tls takes only 'none', and only with smtp://")
            security = "none"

        ca_file = options.get("ca_file")
        if ca_file is not None and (not ca_file or security == "none"):
            raise ValueError("SMTP URL option ca_file needs a path, and TLS (not tls=none)")

        timeout = 10.0
        if "timeout" in options:
            try:
                timeout = float(options["timeout"])
            except ValueError:
                timeout = math.nan
            if not 0 < timeout <= _MAX_TIMEOUT:  # also refuses nan
                raise ValueError(
                    f"SMTP URL option timeout must be seconds, above 0 and at most {_MAX_TIMEOUT:g}"
                )

        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        if (username is None) != (password is None):
            raise ValueError("SMTP URL must give both a user and a password, or neither")
        if password is not None and security == "none" and not _is_loopback(host):
            raise ValueError(
                "SMTP URL sends a password without TLS to another machine: "
                "use smtps:// or smtp:// (STARTTLS)"
            )
        return cls(
            host=host,
            port=port or _DEFAULT_PORTS[security],
            security=security,
            username=username,
            password=password,
            ca_file=ca_file,
            timeout=timeout,
        )


def _tls_context(ca_file: str | None) -> ssl.SSLContext | None:
    if ca_file is None:
        return None  # aiosmtplib's default: the system's trusted CAs, host name checked
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(
            f"SMTP URL option ca_file: cannot read PEM certificates from {ca_file} "
            f"({type(exc).__name__})"
        ) from None


def _permanent(exc: Exception) -> bool:
    """A failure that sending again will not cure: a 5xx reply (bad password,
    recipient refused), or an extension the mail needs (SMTPUTF8) missing. A
    server without STARTTLS raises a bare SMTPException: retried, then given up."""
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return True
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(refused.code >= 500 for refused in exc.recipients)
    return isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 500


class SmtpMailer:
    """``Mailer`` through one SMTP server. ``send`` from the event loop's thread;
    ``await start()`` at the app's start-up, ``await aclose()`` at shutdown."""

    def __init__(
        self,
        config: SmtpConfig,
        sender: str,
        *,
        queue_size: int = QUEUE_SIZE,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        close_wait: float = CLOSE_WAIT,
    ) -> None:
        if not is_address(sender):
            raise ValueError("the sender must be one plain address, such as gatehouse@example.com")
        self._config = config
        self._sender = sender
        # Given explicitly: make_msgid would otherwise ask DNS for this machine's name.
        self._msgid_domain = _domain(sender)
        self._tls_context = _tls_context(config.ca_file)
        self._queue: asyncio.Queue[tuple[str, EmailMessage]] = asyncio.Queue(queue_size)
        self._retry_delays = tuple(retry_delays)
        self._close_wait = close_wait
        self._worker: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def available(self) -> bool:
        return True

    def send(self, mail: Mail) -> None:
        if not is_address(mail.to):
            raise ValueError("a mail goes to one plain address")
        message = self._compose(mail)
        domain = _domain(mail.to)
        if self._closed:
            log.warning("mail to a recipient at %s dropped: the mailer is closed", domain)
            return
        try:
            self._queue.put_nowait((mail.to, message))
        except asyncio.QueueFull:
            log.warning(
                "mail to a recipient at %s dropped: %d mails already queued",
                domain,
                self._queue.maxsize,
            )

    async def start(self) -> None:
        """Start the one worker that delivers the queue (again: no effect)."""
        if self._worker is None and not self._closed:
            self._worker = asyncio.create_task(self._run(), name="gatehouse-mail")

    async def aclose(self) -> None:
        """Deliver what is queued, waiting at most ``close_wait`` seconds, then stop."""
        self._closed = True
        worker, self._worker = self._worker, None
        if worker is None:
            if not self._queue.empty():
                log.warning("%d mails not sent: the mailer never started", self._queue.qsize())
            return
        try:
            await asyncio.wait_for(self._queue.join(), self._close_wait)
        except TimeoutError:  # one mail is in flight, the rest queued
            log.warning(
                "mail delivery cut short at shutdown: %d mails not sent",
                self._queue.qsize() + 1,
            )
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    def _compose(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject  # a line break here raises ValueError
        message["Date"] = email.utils.formatdate(usegmt=True)
        message["Message-ID"] = email.utils.make_msgid(domain=self._msgid_domain)
        message.set_content(mail.text, subtype="plain", charset="utf-8")
        return message

    async def _run(self) -> None:
        while True:
            to, message = await self._queue.get()
            try:
                await self._deliver(to, message)
            finally:
                self._queue.task_done()

    async def _attempt(self, to: str, message: EmailMessage) -> None:
        """One connection: (TLS,) login, send, quit. Closed at once when cancelled
        (``aiosmtplib.send`` would first wait for the server to answer QUIT)."""
        config = self._config
        smtp = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            use_tls=config.security == "tls",
            start_tls=config.security == "starttls",  # True: required; False: never
            validate_certs=True,
            tls_context=self._tls_context,
            timeout=config.timeout,
        )
        try:
            await smtp.connect()
            await smtp.send_message(message, sender=self._sender, recipients=[to])
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):  # sent already
                await smtp.quit()
        finally:
            smtp.close()

    async def _deliver(self, to: str, message: EmailMessage) -> None:
        domain = _domain(to)
        delays = (*self._retry_delays, None)
        for attempt, delay in enumerate(delays, start=1):
            try:
                await self._attempt(to, message)
            except Exception as exc:  # only the class is logged: messages may quote the server
                if delay is None or _permanent(exc):
                    log.warning(
                        "mail to a recipient at %s not sent: %s (attempts: %d)",
                        domain,
                        type(exc).__name__,
                        attempt,
                    )
                    return
                await asyncio.sleep(delay)
            else:
                log.info("mail sent to a recipient at %s", domain)
                return


class DisabledMailer:
    """``Mailer`` when no SMTP server is configured: ``available`` is False."""

    @property
    def available(self) -> bool:
        return False

    def send(self, mail: Mail) -> None:
        raise RuntimeError(
            "no mail server is configured (GATEHOUSE_SMTP_URL): check Mailer.available first"
        )

    async def start(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


def build_mailer(settings: Settings) -> SmtpMailer | DisabledMailer:
    if not settings.smtp_url:
        return DisabledMailer()
    return SmtpMailer(SmtpConfig.parse(settings.smtp_url), settings.mail_from)
