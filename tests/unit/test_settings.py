"""Environment → Settings: defaults, and a clear error for a bad value."""

from __future__ import annotations

import pytest

from gatehouse.settings import Settings, SettingsError


def test_production_path_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GATEHOUSE_DATABASE_URL": "postgresql://gh@db/gatehouse",
            "GATEHOUSE_DATABASE_POOL_SIZE": "5",
            "GATEHOUSE_REDIS_URL": "rediss://:pw@cache:6380/2",
            "GATEHOUSE_REDIS_PREFIX": "studio-a",
        }
    )
    assert settings.database_pool_size == 5
    assert (settings.redis_url, settings.redis_prefix) == ("rediss://:pw@cache:6380/2", "studio-a")
    plain = Settings.from_env({})
    assert (plain.database_pool_size, plain.redis_url, plain.redis_prefix) == (20, "", "gh")


@pytest.mark.parametrize("value", ["0", "-3", "lots", "1001"])
def test_a_bad_pool_size_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingsError, match="GATEHOUSE_DATABASE_POOL_SIZE"):
        Settings.from_env({"GATEHOUSE_DATABASE_POOL_SIZE": value})


def test_projects_per_user_defaults_to_three_and_refuses_a_bad_value() -> None:
    assert Settings.from_env({}).max_projects_per_user == 3
    assert Settings.from_env({"GATEHOUSE_MAX_PROJECTS_PER_USER": "0"}).max_projects_per_user == 0
    with pytest.raises(SettingsError, match="GATEHOUSE_MAX_PROJECTS_PER_USER"):
        Settings.from_env({"GATEHOUSE_MAX_PROJECTS_PER_USER": "-1"})
