from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher as Argon2
from argon2 import Type, extract_parameters

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.core.passwords import prehash

SECRET = prehash("correct horse battery staple")


@pytest.fixture
def hasher() -> Iterator[PasswordHasher]:
    built = PasswordHasher(memory_cost=1024, time_cost=1, max_workers=2)
    yield built
    built.close()


async def test_hash_then_verify(hasher: PasswordHasher) -> None:
    stored = await hasher.hash(SECRET)
    assert stored.startswith("$argon2id$")
    params = extract_parameters(stored)
    assert (params.memory_cost, params.time_cost, params.type) == (1024, 1, Type.ID)
    result = await hasher.verify(stored, SECRET)
    assert result.ok
    assert result.new_hash is None


async def test_hashes_are_salted(hasher: PasswordHasher) -> None:
    a, b = await hasher.hash(SECRET), await hasher.hash(SECRET)
    assert a != b
    assert (await hasher.verify(a, SECRET)).ok
    assert (await hasher.verify(b, SECRET)).ok


async def test_wrong_secret_fails(hasher: PasswordHasher) -> None:
    stored = await hasher.hash(SECRET)
    for wrong in (prehash("Correct horse battery staple"), "", SECRET[:-1], SECRET.upper()):
        result = await hasher.verify(stored, wrong)
        assert not result.ok
        assert result.new_hash is None


async def test_unknown_user_never_verifies(hasher: PasswordHasher) -> None:
    assert not (await hasher.verify(None, SECRET)).ok
    # Not even with the dummy's own password: the dummy hash is verified, then refused.
    dummy = await hasher.verify(None, "gatehouse-dummy-password")
    assert not dummy.ok
    assert dummy.new_hash is None


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$argon2id$v=19$m=1024,t=1,p=1$xx$yy"])
async def test_malformed_stored_hash_fails_closed(hasher: PasswordHasher, stored: str) -> None:
    assert not (await hasher.verify(stored, SECRET)).ok


@pytest.mark.parametrize(
    "old",
    [
        Argon2(memory_cost=2048, time_cost=1, parallelism=1, type=Type.ID),
        Argon2(memory_cost=1024, time_cost=2, parallelism=1, type=Type.ID),
        Argon2(memory_cost=1024, time_cost=1, parallelism=1, type=Type.I),
    ],
    ids=["memory", "time", "argon2i"],
)
async def test_old_parameters_verify_and_offer_a_new_hash(
    hasher: PasswordHasher, old: Argon2
) -> None:
    stored = old.hash(SECRET)
    result = await hasher.verify(stored, SECRET)
    assert result.ok
    assert result.new_hash is not None
    assert result.new_hash != stored
    again = await hasher.verify(result.new_hash, SECRET)
    assert again.ok
    assert again.new_hash is None  # current parameters: nothing more to do


async def test_old_parameters_with_wrong_secret_offer_nothing(hasher: PasswordHasher) -> None:
    stored = Argon2(memory_cost=2048, time_cost=1, parallelism=1).hash(SECRET)
    result = await hasher.verify(stored, "wrong")
    assert not result.ok
    assert result.new_hash is None
