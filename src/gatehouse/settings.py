"""Configuration, read from the environment once and then frozen.

Every value can also be given as a CLI flag, which simply sets the variable
before the settings are read.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "SettingsError", "load_instance_key"]

_KEY_FILE = "instance.key"


class SettingsError(ValueError):
    pass


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    #: PostgreSQL connections per process (each ``--workers`` process has its own).
    database_pool_size: int = 20
    redis_url: str = ""
    redis_prefix: str = "gh"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    secret_key: str = ""
    steam_api_url: str = "https://partner.steam-api.com"
    #: Sent as ``identity`` to Steam: tickets must be made for this service.
    steam_identity: str = ""
    #: Calls to Steam's Web API allowed per project and minute.
    steam_calls_per_minute: int = 600
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    max_body_bytes: int = 1024 * 1024
    sweep_interval_seconds: int = 60
    log_level: str = "info"
    #: Projects a user may administer before an admin sign-in stops creating a
    #: default one for them (0: sign-in never creates projects).
    max_projects_per_user: int = 3
    #: IPv6 callers are one caller per network of this many bits for per-address
    #: limits (IPv4 callers are one per address).
    ipv6_prefix: int = 64

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("GATEHOUSE_DATA_DIR") or "var")
        database_url = env.get("GATEHOUSE_DATABASE_URL") or ""
        if not database_url:
            database_url = f"sqlite:///{(data_dir / 'gatehouse.sqlite3').resolve()}"
        if not database_url.startswith(("sqlite:", "postgresql:", "postgres:", "postgresql+")):
            raise SettingsError(
                "GATEHOUSE_DATABASE_URL must start with sqlite:/// or postgresql://"
            )
        proxies: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for part in (env.get("GATEHOUSE_TRUSTED_PROXIES") or "").split(","):
            if part.strip():
                try:
                    proxies.append(ipaddress.ip_network(part.strip(), strict=False))
                except ValueError:
                    raise SettingsError(f"GATEHOUSE_TRUSTED_PROXIES: bad CIDR {part!r}") from None
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            database_pool_size=_int(env, "GATEHOUSE_DATABASE_POOL_SIZE", 20, low=1, high=1000),
            redis_url=env.get("GATEHOUSE_REDIS_URL") or "",
            redis_prefix=env.get("GATEHOUSE_REDIS_PREFIX") or "gh",
            host=env.get("GATEHOUSE_HOST") or "127.0.0.1",
            port=_int(env, "GATEHOUSE_PORT", 8080, low=0, high=65535),
            workers=_int(env, "GATEHOUSE_WORKERS", 1, low=1, high=256),
            secret_key=env.get("GATEHOUSE_SECRET_KEY") or "",
            steam_api_url=(env.get("GATEHOUSE_STEAM_API_URL") or "https://partner.steam-api.com"),
            steam_identity=(env.get("GATEHOUSE_STEAM_IDENTITY") or "").strip(),
            steam_calls_per_minute=_int(
                env, "GATEHOUSE_STEAM_CALLS_PER_MINUTE", 600, low=1, high=1_000_000
            ),
            trusted_proxies=tuple(proxies),
            sweep_interval_seconds=_int(env, "GATEHOUSE_SWEEP_INTERVAL", 60, low=1, high=86_400),
            log_level=(env.get("GATEHOUSE_LOG_LEVEL") or "info").lower(),
            max_projects_per_user=_int(
                env, "GATEHOUSE_MAX_PROJECTS_PER_USER", 3, low=0, high=10_000
            ),
            ipv6_prefix=_int(env, "GATEHOUSE_IPV6_PREFIX", 64, low=16, high=128),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_instance_key(settings: Settings) -> bytes:
    """The key every stored hash and signature is made with.

    ``GATEHOUSE_SECRET_KEY`` wins (required when several machines share one
    database). Otherwise a random key is created once in the data directory, mode
    0600, so every process on this machine agrees on it. It is deliberately not
    kept in the database: a dump alone must not be enough to test guesses.
    """
    if settings.secret_key:
        key = settings.secret_key.encode()
        if len(key) < 32:
            raise SettingsError("GATEHOUSE_SECRET_KEY must be at least 32 characters")
        return key
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / _KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip().encode()
        if len(key) < 32:
            raise SettingsError(f"{path} is damaged: expected at least 32 characters") from None
        return key
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()
