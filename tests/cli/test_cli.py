"""The ``gatehouse`` CLI contract: names, flags and ``--json`` shapes are relied on
outside the repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gatehouse.cli import main


def wide(text: str) -> str:
    """``text`` in full-width forms (U+FF01 ...), a look-alike NFKC folds back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.fixture
def cli(tmp_path: Path, database_url: str):
    runner = CliRunner()
    env = {"GATEHOUSE_DATA_DIR": str(tmp_path / "data"), "GATEHOUSE_DATABASE_URL": database_url}

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


def one_json(result) -> dict:
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return json.loads(result.stdout)


def test_project_user_client_session_round_trip(cli) -> None:
    project = one_json(cli("project", "create", "Space Game", "--json"))
    assert project["name"] == "Space Game" and isinstance(project["id"], int)

    user = one_json(
        cli(
            "user",
            "create",
            "--project",
            str(project["id"]),
            "--username",
            "alice",
            "--email",
            "alice@example.com",
            "--first-name",
            "Alice",
            "--last-name",
            "Liddell",
            "--access-level",
            "20",
            "--password-stdin",
            "--json",
            input="correct horse battery staple\n",
        )
    )
    assert isinstance(user["id"], int)
    assert user["username"] == "alice" and user["access_level"] == 20 and user["has_password"]
    assert "password" not in json.dumps(user).replace("has_password", "")

    client = one_json(cli("client", "create", "--user", str(user["id"]), "--name", "ci", "--json"))
    assert set(client) >= {"client_id", "client_secret"}
    assert client["client_secret"].startswith("gc_")

    listed = one_json(cli("session", "list", "--user", str(user["id"]), "--json"))
    assert listed["sessions"] == []


def test_project_set_and_show(cli) -> None:
    pid = str(one_json(cli("project", "create", "P", "--json"))["id"])
    changed = one_json(
        cli(
            "project",
            "set",
            pid,
            "--ws-url",
            "wss://rt.example/ws",
            "--webrtc-url",
            "https://rt.example/rtc",
            "--session-limit",
            "3",
            "--session-limit-policy",
            "evict_oldest",
            "--json",
        )
    )
    shown = one_json(cli("project", "show", pid, "--json"))
    assert shown == changed
    assert shown["ws_url"] == "wss://rt.example/ws"
    assert shown["webrtc_url"] == "https://rt.example/rtc"
    assert shown["session_limit"] == 3 and shown["session_limit_policy"] == "evict_oldest"


def test_session_list_and_revoke(cli, tmp_path: Path, database_url: str) -> None:
    import asyncio

    from gatehouse.settings import Settings
    from gatehouse.wiring import build_services

    pid = one_json(cli("project", "create", "P", "--json"))["id"]
    uid = one_json(cli("user", "create", "--project", str(pid), "--username", "bob", "--json"))[
        "id"
    ]
    settings = Settings.from_env(
        {"GATEHOUSE_DATA_DIR": str(tmp_path / "data"), "GATEHOUSE_DATABASE_URL": database_url}
    )

    async def start() -> str:
        services = build_services(settings)
        try:
            project = await services.projects.get(pid)
            issued = await services.sessions.start(project=project, user_id=uid, origin="cli")
            return issued.session.id
        finally:
            await services.close()

    sid = asyncio.run(start())
    listed = one_json(cli("session", "list", "--user", str(uid), "--json"))
    assert [s["id"] for s in listed["sessions"]] == [sid]

    revoked = cli("session", "revoke", sid)
    assert revoked.exit_code == 0
    assert one_json(cli("session", "list", "--user", str(uid), "--json"))["sessions"] == []

    again = cli("session", "revoke", sid)
    assert again.exit_code != 0
    assert "not found" in again.stderr.lower()
    assert "Traceback" not in again.output


@pytest.mark.parametrize(
    "args",
    [
        ("user", "create", "--project", "999", "--username", "x", "--json"),
        ("client", "create", "--user", "999", "--json"),
        ("project", "show", "999", "--json"),
        ("project", "set", "1", "--ws-url", "ftp://nope", "--json"),
    ],
)
def test_errors_go_to_stderr_without_traceback(cli, args) -> None:
    cli("project", "create", "P", "--json")
    result = cli(*args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_duplicate_username_is_refused(cli) -> None:
    pid = str(one_json(cli("project", "create", "P", "--json"))["id"])
    one_json(cli("user", "create", "--project", pid, "--username", "carol", "--json"))
    second = cli("user", "create", "--project", pid, "--username", "carol", "--json")
    assert second.exit_code != 0 and "already exists" in second.stderr


def test_an_email_is_unique_whatever_its_case_or_spaces(cli) -> None:
    pid = str(one_json(cli("project", "create", "P", "--json"))["id"])
    first = one_json(
        cli(
            "user",
            "create",
            "--project",
            pid,
            "--username",
            "dave",
            "--email",
            " DAVE@Example.org ",
            "--json",
        )
    )
    assert first["email"] == "dave@example.org"  # stored in its one form
    second = cli(
        "user",
        "create",
        "--project",
        pid,
        "--username",
        "dave2",
        "--email",
        "dave@example.org",
        "--json",
    )
    assert second.exit_code != 0 and second.stdout == ""
    assert second.stderr == "error: A user with that email address already exists\n"
    other = str(one_json(cli("project", "create", "Q", "--json"))["id"])
    one_json(
        cli(
            "user",
            "create",
            "--project",
            other,
            "--username",
            "dave",
            "--email",
            "dave@example.org",
            "--json",
        )
    )  # another project: another account


def test_user_names_are_stored_without_spaces_or_look_alikes(cli) -> None:
    pid = str(one_json(cli("project", "create", "P", "--json"))["id"])
    assert (
        one_json(
            cli(
                "user", "create", "--project", pid, "--username", " " + wide("dave") + " ", "--json"
            )
        )["username"]
        == "dave"
    )
    again = cli("user", "create", "--project", pid, "--username", "dave", "--json")
    assert again.exit_code != 0 and "already exists" in again.stderr
    one_json(cli("user", "create", "--project", pid, "--username", "Dave", "--json"))


def test_tables_without_json(cli) -> None:
    result = cli("project", "create", "Readable")
    assert result.exit_code == 0
    assert "Readable" in result.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


def test_console_script_is_installed(tmp_path: Path) -> None:
    """``pip install .`` provides a ``gatehouse`` command next to the interpreter."""
    script = Path(sys.executable).parent / "gatehouse"
    assert script.exists(), "the gatehouse console script is not installed"
    out = subprocess.run(
        [str(script), "project", "create", "X", "--json"],
        env={"GATEHOUSE_DATA_DIR": str(tmp_path / "d"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["name"] == "X"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--max-ttl", "1"), "must not exceed max_ttl_seconds"),
        (("--name", "Renamed", "--session-ttl", "100", "--max-ttl", "50"), "must not exceed"),
        (("--session-limit", "1", "--ws-url", "wss://"), "ws_url"),
        (("--webrtc-url", "https://rt.example/a b"), "webrtc_url"),
    ],
)
def test_a_refused_project_set_changes_nothing(cli, args, reason) -> None:
    pid = str(one_json(cli("project", "create", "P", "--json"))["id"])
    before = one_json(cli("project", "show", pid, "--json"))
    result = cli("project", "set", pid, *args, "--json")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and reason in result.stderr
    assert "Traceback" not in result.stderr
    assert one_json(cli("project", "show", pid, "--json")) == before


def test_project_set_judges_the_resulting_project(cli) -> None:
    """Lowering both bounds together is fine, and so is a ttl under the new maximum."""
    pid = str(one_json(cli("project", "create", "P", "--json"))["id"])
    both = one_json(cli("project", "set", pid, "--session-ttl", "60", "--max-ttl", "60", "--json"))
    assert (both["session_ttl_seconds"], both["max_ttl_seconds"]) == (60, 60)
    refused = cli("project", "set", pid, "--session-ttl", "61", "--json")
    assert refused.exit_code != 0 and "must not exceed" in refused.stderr
    assert one_json(cli("project", "show", pid, "--json"))["session_ttl_seconds"] == 60


def test_operator_key_create_list_revoke(cli) -> None:
    made = one_json(cli("operator-key", "create", "--name", "studio backend", "--json"))
    assert made["key"].startswith("gko_") and made["name"] == "studio backend"
    assert isinstance(made["id"], int) and made["revoked_at"] is None
    listed = one_json(cli("operator-key", "list", "--json"))
    assert [k["id"] for k in listed["operator_keys"]] == [made["id"]]
    assert "key" not in listed["operator_keys"][0]
    assert made["key"] not in json.dumps(listed)
    revoked = one_json(cli("operator-key", "revoke", str(made["id"]), "--json"))
    assert revoked == {"revoked": made["id"]}
    listed = one_json(cli("operator-key", "list", "--json"))
    assert listed["operator_keys"][0]["revoked_at"].endswith("Z")
    again = cli("operator-key", "revoke", str(made["id"]))
    assert again.exit_code == 1 and "No such active operator key" in again.stderr
    nameless = cli("operator-key", "create", "--name", "  ")
    assert nameless.exit_code == 1 and "name" in nameless.stderr
    table = cli("operator-key", "list")
    assert table.exit_code == 0 and "studio backend" in table.stdout


def test_operator_key_works_on_the_admin_api(cli, tmp_path: Path, database_url: str) -> None:
    import asyncio

    from gatehouse.settings import Settings
    from gatehouse.wiring import build_services

    made = one_json(cli("operator-key", "create", "--name", "ops", "--json"))
    settings = Settings.from_env(
        {"GATEHOUSE_DATA_DIR": str(tmp_path / "data"), "GATEHOUSE_DATABASE_URL": database_url}
    )

    async def check() -> str:
        services = build_services(settings)
        try:
            caller = await services.operator_keys.authenticate(made["key"], caller="127.0.0.1")
            return caller.actor
        finally:
            await services.close()

    assert asyncio.run(check()) == f"operator-key:{made['id']}"


def test_cli_changes_are_audited_as_cli(cli, tmp_path: Path, database_url: str) -> None:
    import asyncio

    from gatehouse.settings import Settings
    from gatehouse.wiring import build_services

    pid = one_json(cli("project", "create", "Audited", "--json"))["id"]
    uid = one_json(cli("user", "create", "--project", str(pid), "--username", "bob", "--json"))[
        "id"
    ]
    settings = Settings.from_env(
        {"GATEHOUSE_DATA_DIR": str(tmp_path / "data"), "GATEHOUSE_DATABASE_URL": database_url}
    )

    async def events() -> list:
        from gatehouse.adapters.store.admin import AuditFilter

        services = build_services(settings)
        try:
            listing = await services.admin_directory.audit_events(pid, AuditFilter(user_id=uid))
            return listing.items
        finally:
            await services.close()

    found = asyncio.run(events())
    assert [(e.action, e.actor) for e in found] == [("user-created", "cli")]
