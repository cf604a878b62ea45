"""A stolen database dump holds no usable secret.

Every kind of secret Gatehouse issues or receives is produced here through the
surfaces, the services the CLI calls and the CLI itself: client secrets, session
publisher and subscriber tokens, HiveMP ``apiKey``s, v3 device and personal
tokens, typed API keys, passwords and their HiveMP prehash, TOTP seeds and
recovery codes, trusted-device identifiers, a project's Steam Web API key and
the instance key. Then every table is dumped (``SELECT *``) to text — and, on
SQLite, the raw database files are read too — and none of those secrets may
appear: not as given, not without its kind prefix, not in another letter case,
not as an unkeyed SHA-256 (which would let a dump test guesses offline).

Positive control: the keyed HMAC of each hashed secret *is* in the dump, so the
scan looked where those secrets live.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path

import httpx
from sqlalchemy import select

from gatehouse.adapters.store.tables import metadata, users
from gatehouse.core import totp
from gatehouse.core.clock import FrozenClock
from gatehouse.core.models import ApiKeyType
from gatehouse.core.passwords import prehash
from gatehouse.services.accounts import NewUser
from gatehouse.services.projects import ProjectSettings
from gatehouse.settings import Settings
from gatehouse.wiring import Services
from tests.live_server import _env, cli_json

from ._support import SS, V1, V3, totp_code

FIRST_PASSWORD = "first passphrase of alice"
SECOND_PASSWORD = "second passphrase of alice"
BOB_PASSWORD = "bob registers with this one"
DEVICE = "alices-phone-8c1f2e"
STEAM_KEY = "A1B2C3D4E5F60718293A4B5C6D7E8F90"


class Secrets:
    """Every secret seen, and which of them are stored as a keyed HMAC."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self.plain: dict[str, str] = {}
        self.hmac: dict[str, str] = {}  # label → the HMAC the database must hold

    def add(self, label: str, secret: str, *, hashed_as: str | None = None) -> str:
        assert secret and label not in self.plain
        self.plain[label] = secret
        if hashed_as is not None:
            self.hmac[label] = self._services.tokens.hash(hashed_as)
        return secret

    def token(self, label: str, secret: str) -> str:
        return self.add(label, secret, hashed_as=secret)


async def issue_everything(
    client: httpx.AsyncClient,
    services: Services,
    settings: Settings,
    env: dict[str, str],
    clock: FrozenClock,
) -> Secrets:
    s = Secrets(services)
    cwd = settings.data_dir
    project = await services.projects.create("dump")
    await services.projects.update(project.id, ProjectSettings(password_registration=True))
    s.add("instance key", (settings.data_dir / "instance.key").read_text().strip())

    # The project's Steam Web API key, through the CLI (which seals it).
    cli_json(
        env,
        cwd,
        "project",
        "set",
        str(project.id),
        "--steam-app-id",
        "480",
        "--steam-web-api-key",
        s.add("steam web api key", STEAM_KEY),
        "--json",
    )

    # Passwords: set at creation, then changed.
    alice = await services.accounts.create_user(
        project.id,
        NewUser(username="alice", email="alice@example.com", password=FIRST_PASSWORD),
    )
    for label, password in (("first", FIRST_PASSWORD), ("second", SECOND_PASSWORD)):
        s.add(f"{label} password", password)
        s.add(f"{label} password prehash", prehash(password))
    await services.credentials.set_password(alice.id, SECOND_PASSWORD)
    await services.projects.add_admin(project.id, alice.id)

    # TOTP: enrolled, then re-enrolled (the old seed and codes must be gone too).
    for round_ in ("old", "new"):
        enrolment = await services.credentials.enable_totp(alice.id)
        s.add(f"{round_} totp seed", enrolment.secret)
        s.add(f"{round_} totp key bytes", base64.b32decode(enrolment.secret).hex())
        for i, code in enumerate(enrolment.recovery_codes):
            normalized = totp.normalize_recovery_code(code)
            # Re-enrolment deletes the old codes: only the new ones are still stored.
            kept = normalized if round_ == "new" else None
            s.add(f"{round_} recovery code {i}", code, hashed_as=kept)
            if normalized != code:
                s.add(f"{round_} recovery code {i} normalized", normalized)
    seed, codes = enrolment.secret, enrolment.recovery_codes

    # Typed API keys (one later revoked).
    keys = {}
    for kind in ApiKeyType:
        key_id, key = await services.projects.create_api_key(project.id, kind)
        keys[str(kind)] = (key_id, s.token(f"{kind} api key", key))

    # HiveMP: a TOTP sign-in trusting a device, an admin sign-in with a recovery
    # code, a renewal, and a registration.
    second = prehash(SECOND_PASSWORD)
    body = {
        "emailAddress": "alice@example.com",
        "passwordHash": second,
        "twoFactor": {
            "twoFactorCode": totp_code(seed, clock),
            "deviceIdentifier": s.add(
                "trusted device", DEVICE, hashed_as=f"trusted-device:{alice.id}:{DEVICE}"
            ),
            "trustThisDevice": True,
        },
    }
    signed = await client.put(
        f"{V1}/authenticate", headers={"X-API-Key": keys["public"][1]}, json=body
    )
    assert signed.status_code == 200, signed.text
    api_key = s.token("hivemp apiKey", signed.json()["authenticatedSession"]["apiKey"])
    assert (await client.post(f"{V1}/session", headers={"X-API-Key": api_key})).status_code == 200
    body = {
        "emailAddress": "alice@example.com",
        "passwordHash": second,
        "twoFactor": {"twoFactorCode": codes[0]},
    }
    admin = await client.put(
        f"{V1}/authenticate", headers={"X-API-Key": keys["admin"][1]}, json=body
    )
    assert admin.status_code == 200, admin.text
    s.token("hivemp admin apiKey", admin.json()["authenticatedSession"]["apiKey"])
    s.add("bob password", BOB_PASSWORD)
    body = {
        "emailAddress": "bob@example.com",
        "passwordHash": s.add("bob prehash", prehash(BOB_PASSWORD)),
        "marketingPreferenceOptIn": False,
    }
    bob_signed = await client.put(
        f"{V1}/authenticate", headers={"X-API-Key": keys["public"][1]}, json=body
    )
    assert bob_signed.json()["intent"] == "register", bob_signed.text
    s.token("hivemp registration apiKey", bob_signed.json()["authenticatedSession"]["apiKey"])
    bob_id = int(bob_signed.json()["authenticatedSession"]["accountId"])
    await services.projects.revoke_api_key(keys["server"][0])

    # Session Storage: clients from the service and from the CLI; tokens of both roles.
    own_client, secret = await services.projects.create_client(alice.id, "service")
    s.token("client secret (service)", secret)
    made = cli_json(env, cwd, "client", "create", "--user", str(bob_id), "--json")
    creds = {"ClientID": made["client_id"], "ClientSecret": made["client_secret"]}
    s.token("client secret (cli)", made["client_secret"])
    created = await client.post(
        f"{SS}/session", headers=creds, json={"data": {"subscriber_count": 2}}
    )
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    s.token("publisher token", data["publisher"])
    for i, subscriber in enumerate(data["subscriber"]):
        s.token(f"subscriber token {i}", subscriber)
    renewed = await client.post(
        f"{SS}/sessions/{data['id']}", headers=creds, params={"ttl_seconds": 99}
    )
    assert renewed.status_code == 204
    mine = {"ClientID": own_client.id, "ClientSecret": secret}
    assert (await client.post(f"{SS}/session", headers=mine)).status_code == 201

    # v3: a device token logged in with password + recovery code, one left logged
    # out, personal tokens from the service and from the CLI.
    device = s.token("v3 device token", (await client.post(f"{V3}/token")).json()["token"])
    s.token("v3 idle device token", (await client.post(f"{V3}/token")).json()["token"])
    login = {"userName": "alice", "password": SECOND_PASSWORD, "rememberMe": 1}
    r = await client.post(f"{V3}/login", headers={"PRIVATE-TOKEN": device}, json=login)
    assert r.json()["requiresOtp"] is True
    r = await client.post(
        f"{V3}/login/otp", headers={"PRIVATE-TOKEN": device}, json={"otp": codes[1]}
    )
    assert r.status_code == 204, r.text
    personal, _ = await services.account_tokens.create_personal_token(alice.id)
    s.token("v3 personal token (service)", personal.token)
    made = cli_json(env, cwd, "token", "create", "--user", str(bob_id), "--json")
    s.token("v3 personal token (cli)", made["token"])
    return s


async def dump_text(services: Services) -> str:
    """Every row of every table, as text."""
    lines = []
    async with services.db.read() as conn:
        for table in metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                lines.append(table.name + "\t" + "\t".join(str(v) for v in row))
    return "\n".join(lines)


def forms(secret: str) -> set[str]:
    """The secret as given, without its kind prefix, and its unkeyed SHA-256."""
    out = {secret, hashlib.sha256(secret.encode()).hexdigest()}
    if secret[:3] in ("gs_", "gc_", "gk_", "gt_"):
        out.add(secret[3:])
    return out


async def test_a_database_dump_holds_no_secret(
    client, services: Services, settings: Settings, gatehouse_env: dict[str, str], clock
) -> None:
    env = {**_env(settings.data_dir), **gatehouse_env}
    issued = await issue_everything(client, services, settings, env, clock)
    assert len(issued.plain) >= 45

    dump = await dump_text(services)
    assert "alice@example.com" in dump and "bob@example.com" in dump  # it is a real dump
    lowered = dump.lower()
    leaks = [
        label
        for label, secret in issued.plain.items()
        if any(form.lower() in lowered for form in forms(secret))
    ]
    assert leaks == [], f"stored in a recognisable form: {leaks}"

    # Positive control: each hashed secret is there as its keyed HMAC.
    missing = [label for label, digest in issued.hmac.items() if digest not in dump]
    assert missing == [], f"not found in the dump at all (the scan missed them?): {missing}"
    # Passwords are argon2id; the TOTP seed is sealed.
    async with services.db.read() as conn:
        stored = {r.username: r for r in await conn.execute(select(users))}
    assert stored["alice"].password_hash.startswith("$argon2id$")
    assert stored["alice"].totp_secret_enc
    assert stored["bob@example.com"].password_hash.startswith("$argon2id$")

    if settings.is_sqlite:
        path = Path(settings.database_url.removeprefix("sqlite:///"))
        files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
        raw = b"".join(p.read_bytes() for p in files)
        assert b"alice@example.com" in raw
        leaks = [
            label
            for label, secret in issued.plain.items()
            if any(form.encode() in raw for form in forms(secret))
        ]
        assert leaks == [], f"in the raw database files: {leaks}"


def test_the_dump_scan_would_see_a_secret_in_the_clear() -> None:
    """The scan itself: a token, bare or without its prefix, is recognised."""
    token = f"gs_{secrets.token_urlsafe(32)}"
    dump = f"session_tokens\tx\t{token[3:].upper()}"
    assert any(form.lower() in dump.lower() for form in forms(token))
