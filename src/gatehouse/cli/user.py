"""``gatehouse user``: users, their password and second factor, Steam link and
trusted devices."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.table import Table

from gatehouse.cli import Failure, _emit, _kv_table, _run, json_flag, main
from gatehouse.core.clock import rfc3339
from gatehouse.core.models import AccessLevel
from gatehouse.services.accounts import NewUser
from gatehouse.wiring import Services

__all__ = ["user"]


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
