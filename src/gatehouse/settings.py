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
from urllib.parse import urlsplit

from gatehouse.adapters.mail import SmtpConfig, is_address

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


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("", "0", "false", "no"):
        return False
    raise SettingsError(f"{name} must be 1, true or yes (on) or 0, false or no (off), got {raw!r}")


def _public_url(env: Mapping[str, str], host: str, port: int) -> str:
    """``GATEHOUSE_PUBLIC_URL`` without its trailing slash, or this server's own
    address. Not quoted in errors: a mistaken value might carry credentials."""
    raw = (env.get("GATEHOUSE_PUBLIC_URL") or "").strip()
    if not raw:
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    problem = "must be http(s)://host[:port][/path]"
    try:
        parts = urlsplit(raw)
        port_zero = parts.port == 0  # .port raises ValueError for a bad port
    except ValueError:
        port_zero = True
    if port_zero:
        raise SettingsError(f"GATEHOUSE_PUBLIC_URL {problem}: the port is not valid")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"GATEHOUSE_PUBLIC_URL {problem}")
    if parts.username is not None or parts.password is not None:
        raise SettingsError(f"GATEHOUSE_PUBLIC_URL {problem}: no user or password")
    if parts.query or parts.fragment or "?" in raw or "#" in raw:
        raise SettingsError(f"GATEHOUSE_PUBLIC_URL {problem}: no ?query or #fragment")
    return raw.rstrip("/")


def _smtp_url(env: Mapping[str, str]) -> str:
    raw = (env.get("GATEHOUSE_SMTP_URL") or "").strip()
    if raw:
        try:
            SmtpConfig.parse(raw)
        except ValueError as exc:  # never quotes the URL, which may hold a password
            raise SettingsError(f"GATEHOUSE_SMTP_URL: {exc}") from None
    return raw


def _mail_from(env: Mapping[str, str]) -> str:
    raw = (env.get("GATEHOUSE_MAIL_FROM") or "").strip() or "gatehouse@localhost"
    if not is_address(raw):
        raise SettingsError(
            f"GATEHOUSE_MAIL_FROM must be one plain address such as gatehouse@example.com, "
            f"got {raw!r}"
        )
    return raw


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
    #: Where players reach Gatehouse; links in mail are made from it.
    public_url: str = "http://127.0.0.1:8080"
    #: Cookies without ``Secure`` (only for ``http://localhost`` set-ups).
    allow_plain_http: bool = False
    #: Outgoing mail (adapters/mail.py); empty: no mail is sent.
    smtp_url: str = ""
    mail_from: str = "gatehouse@localhost"

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
        host = env.get("GATEHOUSE_HOST") or "127.0.0.1"
        port = _int(env, "GATEHOUSE_PORT", 8080, low=0, high=65535)
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            database_pool_size=_int(env, "GATEHOUSE_DATABASE_POOL_SIZE", 20, low=1, high=1000),
            redis_url=env.get("GATEHOUSE_REDIS_URL") or "",
            redis_prefix=env.get("GATEHOUSE_REDIS_PREFIX") or "gh",
            host=host,
            port=port,
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
            public_url=_public_url(env, host, port),
            allow_plain_http=_flag(env, "GATEHOUSE_ALLOW_PLAIN_HTTP"),
            smtp_url=_smtp_url(env),
            mail_from=_mail_from(env),
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
