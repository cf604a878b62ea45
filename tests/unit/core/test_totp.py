from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gatehouse.core import totp
from gatehouse.core.errors import InvalidOneTimePassword

# RFC 6238 appendix B: SHA-1 seed "12345678901234567890"; its 8-digit codes end in these 6.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "287082"),
    (1111111109, "081804"),
    (1111111111, "050471"),
    (1234567890, "005924"),
    (2000000000, "279037"),
    (20000000000, "353130"),
]

T0 = datetime(2024, 5, 17, 12, 0, 0, tzinfo=UTC)  # a step boundary: 1715947200 % 30 == 0
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

instants = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
secrets_ = st.binary(min_size=16, max_size=40).map(lambda b: base64.b32encode(b).decode())


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


@pytest.mark.parametrize(("unix", "code"), RFC_VECTORS)
def test_rfc6238_vectors(unix: int, code: str) -> None:
    at = datetime.fromtimestamp(unix, tz=UTC)
    assert totp.verify(RFC_SECRET, code, at=at, last_used_step=None, drift_steps=0) == unix // 30


def test_returns_the_matched_step() -> None:
    step = totp.time_step(T0)
    assert step == int(T0.timestamp()) // 30
    assert totp.verify(SECRET, code_at(SECRET, T0), at=T0, last_used_step=None) == step


@given(secret=secrets_, at=instants, offset=st.integers(-1, 1))
def test_codes_within_drift_accepted(secret: str, at: datetime, offset: int) -> None:
    when = at + timedelta(seconds=30 * offset)
    step = totp.verify(secret, code_at(secret, when), at=at, last_used_step=None)
    # The step of `when`, or (on a 6-digit collision) another step of the window.
    assert step is not None and abs(step - totp.time_step(at)) <= 1
    assert code_at(secret, datetime.fromtimestamp(step * 30, tz=UTC)) == code_at(secret, when)


@given(secret=secrets_, at=instants, offset=st.sampled_from([-3, -2, 2, 3]))
def test_codes_beyond_drift_refused(secret: str, at: datetime, offset: int) -> None:
    code = code_at(secret, at + timedelta(seconds=30 * offset))
    window = [code_at(secret, at + timedelta(seconds=30 * k)) for k in (-1, 0, 1)]
    assume(code not in window)  # 6-digit collisions happen (~3e-6)
    assert totp.verify(secret, code, at=at, last_used_step=None) is None


@given(secret=secrets_, drift=st.integers(0, 4), offset=st.integers(-6, 6))
def test_drift_boundary_is_exact(secret: str, drift: int, offset: int) -> None:
    code = code_at(secret, T0 + timedelta(seconds=30 * offset))
    window = {code_at(secret, T0 + timedelta(seconds=30 * k)) for k in range(-drift, drift + 1)}
    assume(abs(offset) <= drift or code not in window)
    result = totp.verify(secret, code, at=T0, last_used_step=None, drift_steps=drift)
    assert (result is not None) == (abs(offset) <= drift)


def test_step_edges_inside_one_step() -> None:
    code = code_at(SECRET, T0)
    last_second = T0 + timedelta(seconds=29, microseconds=999_999)
    assert totp.verify(SECRET, code, at=last_second, last_used_step=None, drift_steps=0) is not None
    assert (
        totp.verify(SECRET, code, at=T0 + timedelta(seconds=30), last_used_step=None, drift_steps=0)
        is None
    )


@given(secret=secrets_, at=instants)
def test_replay_refused(secret: str, at: datetime) -> None:
    code = code_at(secret, at)
    step = totp.verify(secret, code, at=at, last_used_step=None)
    assert step is not None
    assert totp.verify(secret, code, at=at, last_used_step=step) is None
    # ... also later, while the code is still inside the drift window
    assert totp.verify(secret, code, at=at + timedelta(seconds=30), last_used_step=step) is None


@given(secret=secrets_, at=instants)
def test_older_code_refused_after_newer_one(secret: str, at: datetime) -> None:
    previous = code_at(secret, at - timedelta(seconds=30))
    assume(
        previous != code_at(secret, at) and previous != code_at(secret, at + timedelta(seconds=30))
    )
    newer_step = totp.time_step(at)
    assert totp.verify(secret, previous, at=at, last_used_step=newer_step) is None
    assert totp.verify(secret, previous, at=at, last_used_step=newer_step - 2) == newer_step - 1


@given(
    code=st.one_of(
        st.text(max_size=10).filter(lambda s: not re.fullmatch(r"[0-9]{6}", s)),
        st.integers(0, 99999).map(str),  # too short, e.g. a dropped leading zero
        st.integers(1_000_000, 99_999_999).map(str),
    )
)
def test_malformed_codes_refused(code: str) -> None:
    assert totp.verify(SECRET, code, at=T0, last_used_step=None) is None


@pytest.mark.parametrize(
    "code",
    [
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "\u0661\u0662\u0663\u0664\u0665\u0666",
        " 123456",
        "123 456",
        "12345\n",
    ],
)
def test_non_ascii_or_spaced_digits_refused(code: str) -> None:
    assert totp.verify(SECRET, code, at=T0, last_used_step=None) is None


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        totp.verify(SECRET, "123456", at=datetime(2024, 1, 1), last_used_step=None)


def test_other_timezones_give_same_step() -> None:
    east = T0.astimezone(timezone(timedelta(hours=9)))
    assert totp.time_step(east) == totp.time_step(T0)


def test_negative_drift_rejected() -> None:
    with pytest.raises(ValueError):
        totp.verify(SECRET, "123456", at=T0, last_used_step=None, drift_steps=-1)


def test_new_secret_is_160_bit_base32() -> None:
    secret = totp.new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert len(base64.b32decode(secret)) == 20
    assert totp.new_secret() != secret


def test_provisioning_uri() -> None:
    uri = totp.provisioning_uri(SECRET, "alice@example.com", "Gatehouse Demo")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Gatehouse%20Demo:alice%40example.com"
    assert parse_qs(parts.query) == {"secret": [SECRET], "issuer": ["Gatehouse Demo"]}


@pytest.mark.parametrize(("account", "issuer"), [("a:b", "X"), ("a", "X:Y")])
def test_provisioning_uri_rejects_label_separator(account: str, issuer: str) -> None:
    with pytest.raises(ValueError):
        totp.provisioning_uri(SECRET, account, issuer)


def test_recovery_codes_shape() -> None:
    codes = totp.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}", code)
        assert totp.normalize_recovery_code(code) == code
    assert totp.RECOVERY_CODE_BITS >= 50
    assert len(totp.new_recovery_codes(3)) == 3


@given(st.data())
def test_normalize_forgives_case_spaces_and_confusables(data: st.DataObject) -> None:
    code = totp.new_recovery_codes(1)[0]
    typed = code.upper() if data.draw(st.booleans()) else code
    typed = typed.replace("-", data.draw(st.sampled_from(["", "-", " ", " - "])))
    typed = typed.replace("0", data.draw(st.sampled_from(["0", "o", "O"])))
    typed = typed.replace("1", data.draw(st.sampled_from(["1", "i", "I", "l", "L"])))
    assert totp.normalize_recovery_code(f"  {typed}\n") == code


@pytest.mark.parametrize(
    "text",
    ["", "abcd-efgh", "abcde-fghjk1", "abcde-fghju", "abcde_fghjk", "ábcde-fghjk", "x" * 100],
)
def test_normalize_rejects_non_codes(text: str) -> None:
    with pytest.raises(InvalidOneTimePassword):
        totp.normalize_recovery_code(text)
