"""Constant-time comparisons: no secret is ever compared with ``==``.

How each kind of secret is checked, and why its timing says nothing useful:

* client secrets: ``hmac.compare_digest`` of HMACs; an unknown ClientID is checked
  against a dummy HMAC, so it costs exactly what a wrong secret costs;
* session tokens, API keys, account tokens, recovery codes, trusted devices: the
  HMAC-SHA256 (instance key) of the presented value is looked up by primary key /
  unique index. An index probe's timing can at most depend on the HMAC, which
  without the instance key says nothing about any real secret;
* passwords: one argon2id verification on every path (an unknown account is
  verified against a dummy hash), see also test_timing.py;
* TOTP codes: every candidate step is compared with ``hmac.compare_digest``,
  match or not; page-token signatures likewise.

The source audit at the end keeps it so: a new ``==`` on a secret fails it.
"""

from __future__ import annotations

import ast
import contextlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest

import gatehouse
from gatehouse.core import cursors, tokens, totp
from gatehouse.core.cursors import Cursor, CursorCodec, InvalidCursor
from gatehouse.core.errors import InvalidCredentials
from gatehouse.core.tokens import TokenHasher, constant_time_equals
from gatehouse.services.accounts import NewUser
from gatehouse.wiring import Services
from tests.helpers import make_tenant

from ._support import PASSWORD, make_account


class Spy:
    """Counts calls to ``hmac.compare_digest`` made through one module."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: object) -> None:
        self.calls = 0

        def spy(a: bytes | str, b: bytes | str) -> bool:
            self.calls += 1
            return hmac.compare_digest(a, b)  # type: ignore[arg-type]

        monkeypatch.setattr(module, "hmac", _HmacWith(spy))


class _HmacWith:
    """The ``hmac`` module with ``compare_digest`` replaced."""

    def __init__(self, compare: object) -> None:
        self.compare_digest = compare

    def __getattr__(self, name: str) -> object:
        return getattr(hmac, name)


def test_token_checks_use_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch, tokens)
    hasher = TokenHasher(b"k" * 32)
    secret, stored = hasher.new("gc_")
    assert hasher.matches(secret, stored) and not hasher.matches(secret + "x", stored)
    assert constant_time_equals("a", "a") and not constant_time_equals("a", "b")
    assert spy.calls == 4


async def test_unknown_client_and_wrong_secret_cost_the_same(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(services)
    spy = Spy(monkeypatch, tokens)
    hashed: list[str] = []
    real_hash = TokenHasher.hash

    def counting_hash(self: TokenHasher, secret: str) -> str:
        hashed.append(secret)
        return real_hash(self, secret)

    monkeypatch.setattr(TokenHasher, "hash", counting_hash)

    work = []
    for client_id, secret in [
        (tenant.client_id, "gc_wrong"),  # known ClientID, wrong secret
        ("no-such-client", "gc_wrong"),  # unknown ClientID
        (tenant.client_id, tenant.client_secret),  # right
    ]:
        spy.calls, hashed[:] = 0, []
        with contextlib.suppress(InvalidCredentials):
            await services.projects.authenticate_client(client_id, secret, caller="192.0.2.9")
        work.append((spy.calls, len(hashed)))
    assert work == [(1, 1), (1, 1), (1, 1)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_unknown_user_and_wrong_password_each_verify_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = await services.projects.create("ct")
    account = await make_account(services, project.id)
    no_password = await services.accounts.create_user(project.id, NewUser(username="steam-only"))
    verified: list[str | None] = []
    real = services.passwords.verify_sync

    def counting(stored: str | None, secret: str):  # type: ignore[no-untyped-def]
        verified.append(stored)
        return real(stored, secret)

    monkeypatch.setattr(services.passwords, "verify_sync", counting)
    for login in (account.username, "nobody-at-all", no_password.username):
        with pytest.raises(InvalidCredentials):
            await services.credentials.check_plain_password(
                project.id, login=login, password="wrong " + PASSWORD, by="username", caller="x"
            )
    assert len(verified) == 3
    assert verified[0] is not None and verified[1] is None and verified[2] is None


def test_totp_compares_every_step_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch, totp)
    secret = totp.new_secret()
    at = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    right = pyotp.TOTP(secret).at(at)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for code in (right, wrong):
        spy.calls = 0
        totp.verify(secret, code, at=at, last_used_step=None)
        assert spy.calls == 3, code  # now - 1, now, now + 1: match or not


def test_page_token_signatures_use_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch, cursors)
    codec = CursorCodec(b"k" * 32)
    token = codec.encode(Cursor(1, "1.00000000.00000000"), scope="sessions:1")
    assert codec.decode(token, scope="sessions:1") == Cursor(1, "1.00000000.00000000")
    with pytest.raises(InvalidCursor):
        codec.decode(token, scope="sessions:2")
    assert spy.calls == 2


# -- the source audit ------------------------------------------------------------------------

_SECRETISH = ("secret", "token", "hash", "password", "otp", "code", "key", "tag", "digest", "mac")
#: ``==`` / ``!=`` whose operands look secret-ish but are not secrets (reason given).
_ALLOWED = {
    # a length, not a value
    "len(code) == DIGITS",
    "len(code) == totp.DIGITS",
    # the kind of a token row (an enum), not the token
    "row.kind == TokenKind.PERSONAL",
    # user ids
    "steam_owner == password_user.id",
    # canonical-encoding check of a page token (public, signed; compared to its own
    # re-encoding, the signature is checked with compare_digest right after)
    "base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii') != token",
    # whether an SMTP URL gives a password at all (two booleans)
    "(username is None) != (password is None)",
}


def _names(node: ast.AST) -> list[str]:
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.append(n.id)
        elif isinstance(n, ast.Attribute):
            out.append(n.attr)
    return out


def _is_sql(node: ast.AST) -> bool:
    """A SQLAlchemy column expression (``table.c.column``): compared by the database."""
    return any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Attribute) and n.value.attr == "c"
        for n in ast.walk(node)
    )


def test_no_secret_is_compared_with_equality_anywhere_in_the_source() -> None:
    root = Path(gatehouse.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Compare):
                continue
            if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                continue
            operands = [node.left, *node.comparators]
            if any(_is_sql(o) for o in operands):
                continue
            if not any(s in n.lower() for n in _names(node) for s in _SECRETISH):
                continue
            text = ast.unparse(node)
            if text not in _ALLOWED:
                offenders.append(f"{path.relative_to(root)}:{node.lineno}: {text}")
    assert offenders == [], "compare secrets with hmac.compare_digest:\n" + "\n".join(offenders)
