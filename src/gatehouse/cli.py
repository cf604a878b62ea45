"""The ``gatehouse`` command. Names and flags here are a contract relied on by
tooling outside the repository: change none of them.

With ``--json`` a command prints exactly one JSON object on stdout; errors go to
stderr with a non-zero exit status and no traceback.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from gatehouse.adapters.store.migrate import migrate as run_migrations
from gatehouse.core.clock import rfc3339
from gatehouse.core.errors import GatehouseError
from gatehouse.core.models import AccessLevel, ApiKeyType, LimitPolicy, Project, Session
from gatehouse.services.accounts import NewUser
from gatehouse.services.projects import ProjectSettings
from gatehouse.settings import Settings, SettingsError
from gatehouse.wiring import Services, build_services

__all__ = ["main"]

T = TypeVar("T")


class Failure(click.ClickException):
    """A clean one-line error on stderr, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def _run(work: Callable[[Services], Awaitable[T]]) -> T:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise Failure(str(exc)) from None

    async def go() -> T:
        services = build_services(settings)
        try:
            # Idempotent and cheap: no command ever meets an unmigrated database.
            await run_migrations(services.db)
            return await work(services)
        finally:
            await services.close()

    try:
        return asyncio.run(go())
    except GatehouseError as exc:
        raise Failure(exc.message) from None
    except SettingsError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # database unreachable and the like: no traceback
        name = type(exc).__name__
        raise Failure(f"{name}: {str(exc).splitlines()[0] if str(exc) else name}") from None


def _emit(as_json: bool, payload: dict[str, Any], table: Table | str) -> None:
    if as_json:
        click.echo(json.dumps(payload, separators=(", ", ": ")))
    elif isinstance(table, str):
        click.echo(table)
    else:
        Console().print(table)


def _kv_table(title: str, payload: dict[str, Any]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in payload.items():
        table.add_row(key, "" if value is None else str(value))
    return table


def project_json(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "created_at": rfc3339(p.created_at),
        "session_ttl_seconds": p.session_ttl_seconds,
        "max_ttl_seconds": p.max_ttl_seconds,
        "session_limit": p.session_limit,
        "session_limit_policy": str(p.session_limit_policy),
        "ws_url": p.ws_url,
        "webrtc_url": p.webrtc_url,
        "steam_app_id": p.steam_app_id,
        "steam_web_api_key_set": p.has_steam_web_api_key,
        "steam_auto_create": p.steam_auto_create,
        "password_registration": p.password_registration,
    }


def session_json(s: Session) -> dict[str, Any]:
    return {
        "id": s.id,
        "user_id": s.user_id,
        "project_id": s.project_id,
        "created_at": rfc3339(s.created_at),
        "updated_at": rfc3339(s.updated_at),
        "expires_at": rfc3339(s.expires_at),
        "origin": str(s.origin),
        "intent": s.intent,
        "factors": list(s.factors),
    }


def _env_option(name: str, env: str, help: str, **kw: Any) -> Callable[[Any], Any]:
    def set_env(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            os.environ[env] = str(value)
        return value

    return click.option(name, callback=set_env, expose_value=False, is_eager=True, help=help, **kw)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gatehouse")
@_env_option("--data-dir", "GATEHOUSE_DATA_DIR", "Data directory (default ./var).")
@_env_option("--database-url", "GATEHOUSE_DATABASE_URL", "sqlite:///… or postgresql://…")
def main() -> None:
    """Gatehouse: sessions and sign-in for games and apps."""


json_flag = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


# -- serve / migrate ---------------------------------------------------------------------


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema."""

    async def work(services: Services) -> None:
        return None  # _run has migrated already

    _run(work)
    click.echo("database is up to date")


@main.command()
@click.option("--host", envvar="GATEHOUSE_HOST", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    envvar="GATEHOUSE_PORT",
    default=8080,
    type=click.IntRange(0, 65535),
    show_default=True,
)
@click.option(
    "--workers",
    envvar="GATEHOUSE_WORKERS",
    default=1,
    type=click.IntRange(1, 256),
    show_default=True,
)
def serve(host: str, port: int, workers: int) -> None:
    """Apply migrations, then serve HTTP."""
    import uvicorn

    async def work(services: Services) -> None:
        # _run has migrated already. A Redis too old for the commands used is
        # refused here, with the reason, rather than failing request by request.
        if services.redis is not None:
            await services.redis.check_server()

    _run(work)
    os.environ.update(GATEHOUSE_HOST=host, GATEHOUSE_PORT=str(port))
    uvicorn.run(
        "gatehouse.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=os.environ.get("GATEHOUSE_LOG_LEVEL", "info"),
        proxy_headers=False,  # X-Forwarded-For is judged by GATEHOUSE_TRUSTED_PROXIES
        server_header=False,
        access_log=False,  # the app writes its own JSON access line, without query strings
    )


@main.command()
@json_flag
def sweep(as_json: bool) -> None:
    """Delete expired sessions, device tokens and OTP windows now (the server does
    this every GATEHOUSE_SWEEP_INTERVAL seconds)."""

    async def work(services: Services) -> int:
        return await services.sessions.sweep() + await services.account_tokens.sweep()

    removed = _run(work)
    _emit(as_json, {"removed": removed}, f"removed {removed} expired sessions")


# -- projects ----------------------------------------------------------------------------


@main.group()
def project() -> None:
    """Projects (tenants) and their settings."""


@project.command("create")
@click.argument("name")
@json_flag
def project_create(name: str, as_json: bool) -> None:
    """Create a project."""

    async def work(services: Services) -> Project:
        return await services.projects.create(name)

    p = _run(work)
    _emit(as_json, project_json(p), _kv_table(f"project {p.id}", project_json(p)))


@project.command("list")
@json_flag
def project_list(as_json: bool) -> None:
    """List projects."""

    async def work(services: Services) -> list[Project]:
        return await services.projects.all()

    projects = _run(work)
    table = Table("id", "name", "session limit", "policy")
    for p in projects:
        table.add_row(str(p.id), p.name, str(p.session_limit), str(p.session_limit_policy))
    _emit(as_json, {"projects": [project_json(p) for p in projects]}, table)


@project.command("show")
@click.argument("project_id", type=int)
@json_flag
def project_show(project_id: int, as_json: bool) -> None:
    """Print a project's settings."""

    async def work(services: Services) -> Project:
        return await services.projects.get(project_id)

    p = _run(work)
    _emit(as_json, project_json(p), _kv_table(f"project {p.id}", project_json(p)))


@project.command("set")
@click.argument("project_id", type=int)
@click.option("--name")
@click.option("--ws-url", help="Realtime WebSocket endpoint handed out with new sessions.")
@click.option("--webrtc-url", help="Realtime WebRTC endpoint handed out with new sessions.")
@click.option(
    "--session-limit",
    type=click.IntRange(0, 100_000),
    help="Active sessions per user (0: no limit).",
)
@click.option(
    "--session-limit-policy",
    type=click.Choice([p.value for p in LimitPolicy]),
    help="At the limit: refuse the new session, or end the oldest.",
)
@click.option("--session-ttl", type=click.IntRange(1), help="Default session lifetime (s).")
@click.option("--max-ttl", type=click.IntRange(1), help="Longest ttl_seconds accepted (s).")
@click.option("--steam-app-id", type=click.IntRange(1, 2**32 - 1), help="Steam app id (HiveMP).")
@click.option("--steam-web-api-key", help="Steam publisher Web API key (stored encrypted).")
@click.option(
    "--steam-auto-create/--no-steam-auto-create",
    default=None,
    help="Create an account for an unlinked SteamID at sign-in.",
)
@click.option(
    "--password-registration/--no-password-registration",
    default=None,
    help="Let an unknown email + password register (HiveMP sign-in).",
)
@json_flag
def project_set(
    project_id: int,
    name: str | None,
    ws_url: str | None,
    webrtc_url: str | None,
    session_limit: int | None,
    session_limit_policy: str | None,
    session_ttl: int | None,
    max_ttl: int | None,
    steam_app_id: int | None,
    steam_web_api_key: str | None,
    steam_auto_create: bool | None,
    password_registration: bool | None,
    as_json: bool,
) -> None:
    """Change a project's settings."""
    settings = ProjectSettings(
        name=name,
        ws_url=ws_url,
        webrtc_url=webrtc_url,
        session_limit=session_limit,
        session_limit_policy=LimitPolicy(session_limit_policy) if session_limit_policy else None,
        session_ttl_seconds=session_ttl,
        max_ttl_seconds=max_ttl,
        steam_app_id=steam_app_id,
        steam_auto_create=steam_auto_create,
        password_registration=password_registration,
    )

    async def work(services: Services) -> Project:
        if steam_web_api_key is not None:
            sealed = services.secretbox.seal(
                steam_web_api_key.strip(), context=f"steam:project:{project_id}"
            )
            return await services.projects.update(
                project_id, replace(settings, steam_web_api_key_enc=sealed)
            )
        return await services.projects.update(project_id, settings)

    p = _run(work)
    _emit(as_json, project_json(p), _kv_table(f"project {p.id}", project_json(p)))


# -- users -------------------------------------------------------------------------------


@main.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.option("--project", "project_id", type=int, required=True)
@click.option("--username", required=True)
@click.option("--email", default="")
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option(
    "--access-level",
    type=click.Choice(["0", "10", "20"]),
    default="10",
    show_default=True,
    help="0 guest, 10 regular, 20 management.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@json_flag
def user_create(
    project_id: int,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    access_level: str,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Create a user."""
    password = _read_password() if password_stdin else None
    new = NewUser(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        access_level=AccessLevel(int(access_level)),
        password=password,
    )

    async def work(services: Services) -> Any:
        return await services.accounts.create_user(project_id, new)

    u = _run(work)
    payload = {
        "id": u.id,
        "project_id": u.project_id,
        "username": u.username,
        "email": u.email,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "access_level": int(u.access_level),
        "has_password": u.has_password,
        "created_at": rfc3339(u.created_at),
    }
    _emit(as_json, payload, _kv_table(f"user {u.id}", payload))


def _read_password() -> str:
    text = sys.stdin.readline()
    password = text[:-1] if text.endswith("\n") else text
    if not password:
        raise Failure("no password on standard input")
    return password


@user.command("set-password")
@click.option("--user", "user_id", type=int, required=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the new password from standard input.",
)
@json_flag
def user_set_password(user_id: int, password_stdin: bool, as_json: bool) -> None:
    """Set a user's password; every session of the user ends."""
    password = _read_password()

    async def work(services: Services) -> int:
        return await services.credentials.set_password(user_id, password)

    ended = _run(work)
    _emit(
        as_json,
        {"user_id": user_id, "sessions_ended": ended},
        f"password set; {ended} sessions ended",
    )


@user.group("totp")
def user_totp() -> None:
    """Two-factor authentication (TOTP) of a user."""


@user_totp.command("enable")
@click.option("--user", "user_id", type=int, required=True)
@click.option("--issuer", default="Gatehouse", show_default=True)
@json_flag
def user_totp_enable(user_id: int, issuer: str, as_json: bool) -> None:
    """Enrol (or re-enrol) an authenticator; shows the seed and recovery codes once."""

    async def work(services: Services) -> Any:
        return await services.credentials.enable_totp(user_id, issuer=issuer)

    enrolment = _run(work)
    payload = {
        "secret": enrolment.secret,
        "otpauth_uri": enrolment.otpauth_uri,
        "recovery_codes": enrolment.recovery_codes,
    }
    text = (
        f"secret: {enrolment.secret}\notpauth uri: {enrolment.otpauth_uri}\n"
        "recovery codes (each works once; shown only now):\n  "
        + "\n  ".join(enrolment.recovery_codes)
    )
    _emit(as_json, payload, text)


@user_totp.command("disable")
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def user_totp_disable(user_id: int, as_json: bool) -> None:
    """Turn two-factor authentication off; every session of the user ends."""

    async def work(services: Services) -> None:
        await services.credentials.disable_totp(user_id)

    _run(work)
    _emit(as_json, {"user_id": user_id, "totp_enabled": False}, "two-factor authentication off")


# -- client applications -----------------------------------------------------------------


@main.group()
def client() -> None:
    """Client applications (ClientID + ClientSecret) of a user."""


@client.command("create")
@click.option("--user", "user_id", type=int, required=True)
@click.option("--name", default="")
@json_flag
def client_create(user_id: int, name: str, as_json: bool) -> None:
    """Create a client application; its secret is shown only now."""

    async def work(services: Services) -> Any:
        return await services.projects.create_client(user_id, name)

    c, secret = _run(work)
    payload = {
        "client_id": c.id,
        "client_secret": secret,
        "user_id": c.user_id,
        "project_id": c.project_id,
        "name": c.name,
    }
    _emit(as_json, payload, _kv_table("client (the secret is shown only once)", payload))


@client.command("disable")
@click.argument("client_id")
def client_disable(client_id: str) -> None:
    """Switch a client application off (its calls answer 403)."""

    async def work(services: Services) -> None:
        await services.projects.set_client_disabled(client_id, True)

    _run(work)
    click.echo(f"client {client_id} disabled")


# -- sessions ----------------------------------------------------------------------------


@main.group()
def session() -> None:
    """Sessions."""


@session.command("list")
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def session_list(user_id: int, as_json: bool) -> None:
    """A user's active sessions, oldest first."""

    async def work(services: Services) -> list[Session]:
        await services.accounts.get_user(user_id)
        return await services.sessions.list_active(user_id)

    sessions = _run(work)
    table = Table("id", "created", "expires", "origin")
    for s in sessions:
        table.add_row(s.id, rfc3339(s.created_at), rfc3339(s.expires_at), str(s.origin))
    _emit(as_json, {"user_id": user_id, "sessions": [session_json(s) for s in sessions]}, table)


@session.command("revoke")
@click.argument("session_id")
@json_flag
def session_revoke(session_id: str, as_json: bool) -> None:
    """End a session; its tokens stop working at once."""

    async def work(services: Services) -> None:
        await services.sessions.revoke_by_id(session_id, origin="cli")

    _run(work)
    _emit(as_json, {"revoked": session_id}, f"session {session_id} revoked")


# -- account tokens ----------------------------------------------------------------------


@main.group()
def token() -> None:
    """Account tokens (PRIVATE-TOKEN of the account API v3)."""


@token.command("create")
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def token_create(user_id: int, as_json: bool) -> None:
    """A personal access token, always logged in as its owner (shown only once)."""

    async def work(services: Services) -> Any:
        return await services.account_tokens.create_personal_token(user_id)

    issued, owner = _run(work)
    payload = {
        "token": issued.token,
        "kind": "personal",
        "user_id": owner.id,
        "project_id": owner.project_id,
    }
    _emit(as_json, payload, _kv_table("personal access token (shown only once)", payload))


# -- HiveMP: API keys and identities --------------------------------------------------------


@main.group("api-key")
def api_key() -> None:
    """Typed API keys (X-API-Key) of a project: public, server, admin."""


@api_key.command("create")
@click.option("--project", "project_id", type=int, required=True)
@click.option("--type", "key_type", type=click.Choice([t.value for t in ApiKeyType]), required=True)
@click.option("--name", default="")
@json_flag
def api_key_create(project_id: int, key_type: str, name: str, as_json: bool) -> None:
    """Create an API key; it is shown only now."""

    async def work(services: Services) -> tuple[int, str]:
        return await services.projects.create_api_key(project_id, ApiKeyType(key_type), name)

    key_id, key = _run(work)
    payload = {"key": key, "id": key_id}
    _emit(as_json, payload, _kv_table(f"{key_type} API key (shown only once)", payload))


@api_key.command("revoke")
@click.argument("key_id", type=int)
@json_flag
def api_key_revoke(key_id: int, as_json: bool) -> None:
    """Revoke an API key; it is refused at once."""

    async def work(services: Services) -> None:
        await services.projects.revoke_api_key(key_id)

    _run(work)
    _emit(as_json, {"revoked": key_id}, f"API key {key_id} revoked")


@project.command("add-admin")
@click.option("--project", "project_id", type=int, required=True)
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def project_add_admin(project_id: int, user_id: int, as_json: bool) -> None:
    """Make a user an administrator of a project (HiveMP admin sign-in)."""

    async def work(services: Services) -> None:
        await services.projects.add_admin(project_id, user_id)

    _run(work)
    _emit(
        as_json,
        {"project_id": project_id, "user_id": user_id},
        f"user {user_id} administers project {project_id}",
    )


@user.command("link-steam")
@click.option("--user", "user_id", type=int, required=True)
@click.option("--steam-id", required=True, help="SteamID64, decimal.")
@json_flag
def user_link_steam(user_id: int, steam_id: str, as_json: bool) -> None:
    """Link a Steam account to a user."""

    async def work(services: Services) -> None:
        await services.sign_in_accounts.link_steam(user_id, steam_id)

    _run(work)
    _emit(as_json, {"user_id": user_id, "steam_id": steam_id}, f"Steam {steam_id} linked")


@user.command("unlink-steam")
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def user_unlink_steam(user_id: int, as_json: bool) -> None:
    """Remove a user's Steam link."""

    async def work(services: Services) -> None:
        await services.sign_in_accounts.unlink_steam(user_id)

    _run(work)
    _emit(as_json, {"user_id": user_id, "steam_id": None}, "Steam account unlinked")


@user.command("devices")
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def user_devices(user_id: int, as_json: bool) -> None:
    """Devices that skip the second factor (HiveMP "trust this device")."""

    async def work(services: Services) -> Any:
        return await services.trusted_devices.list_active(user_id)

    devices = _run(work)
    rows = [
        {
            "id": d.device_hash,
            "name": d.name,
            "created_at": rfc3339(d.created_at),
            "expires_at": rfc3339(d.expires_at),
        }
        for d in devices
    ]
    table = Table("id", "name", "trusted since", "until")
    for r in rows:
        table.add_row(r["id"], r["name"], r["created_at"], r["expires_at"])
    _emit(as_json, {"user_id": user_id, "devices": rows}, table)


@user.command("forget-device")
@click.option("--user", "user_id", type=int, required=True)
@click.argument("device_id")
@json_flag
def user_forget_device(user_id: int, device_id: str, as_json: bool) -> None:
    """Stop trusting a device (its next sign-in asks for the second factor)."""

    async def work(services: Services) -> None:
        await services.trusted_devices.forget(user_id, device_id)

    _run(work)
    _emit(as_json, {"user_id": user_id, "forgotten": device_id}, f"device {device_id} forgotten")
