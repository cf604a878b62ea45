"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 (free port), in its own
thread, with an ``Inbox`` that keeps what it receives.

    inbox = Inbox()
    with smtp_server(inbox) as port:                       # plain SMTP
        ...  # GATEHOUSE_SMTP_URL=smtp://127.0.0.1:{port}?tls=none
    assert inbox.received[0].message["Subject"] == "..."

``smtp_server(inbox, tls_context=certs.server_context(), require_starttls=True)``
serves STARTTLS, ``ssl_context=certs.server_context()`` implicit TLS, and
``authenticator=Accounts(login, password)`` with ``auth_required=True``
demands a login. ``Certificates.make(directory)`` writes a private CA and a
certificate for ``127.0.0.1``/``localhost`` signed by it; clients trust it
through ``ca_file``.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Accounts", "Certificates", "Inbox", "Received", "free_port", "smtp_server"]


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    #: The mail travelled over TLS (implicit or after STARTTLS).
    encrypted: bool
    #: The login the client authenticated with, if any.
    login: str | None


@dataclass
class Inbox:
    """aiosmtpd handler. Each DATA waits ``delay`` seconds, then answers the next
    of ``replies`` (e.g. ``"451 4.3.0 Try again later"``) while any are left,
    else accepts the mail."""

    delay: float = 0.0
    replies: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    attempts: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.replies:
            return self.replies.pop(0)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login.decode() if session.authenticated else None
        self.received.append(
            Received(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                message=message,
                encrypted=server.transport.get_extra_info("ssl_object") is not None,
                login=login,
            )
        )
        return "250 OK"


@dataclass
class Accounts:
    """aiosmtpd authenticator for one login; ``connections`` counts the distinct
    client connections that tried to log in."""

    login: str
    password: str
    peers: set[tuple[str, int]] = field(default_factory=set)

    @property
    def connections(self) -> int:
        return len(self.peers)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.peers.add(session.peer)
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.login.encode()
            and auth_data.password == self.password.encode()
        )
        # handled=False: aiosmtpd answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


@dataclass(frozen=True)
class Certificates:
    ca_file: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def make(cls, directory: Path) -> Certificates:
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Gatehouse test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        certs = cls(directory / "ca.pem", directory / "server.pem", directory / "server.key")
        certs.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        certs.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        certs.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return certs

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(inbox: Inbox, **options: Any) -> Iterator[int]:
    """Serve ``inbox`` on 127.0.0.1; yields the port. ``options`` go to aiosmtpd's
    ``Controller`` (and from there to its ``SMTP``)."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
