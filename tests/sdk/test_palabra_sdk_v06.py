"""The official Palabra Python SDK, 0.6 series, works against Gatehouse unchanged.

palabra-ai 0.6.x is heavy (numpy, scipy, librosa, livekit, ... ~700 MB) and
needs Debian's libportaudio2, so it lives in its own venv, built by
``scripts/sdk06-venv``, whose python is given as $GATEHOUSE_SDK06_PYTHON:

    export GATEHOUSE_SDK06_PYTHON="$(scripts/sdk06-venv | tail -n 1)"

The SDK itself is driven by tests/sdk/palabra06_check.py in that venv.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CHECK_SCRIPT = Path(__file__).with_name("palabra06_check.py")


def _sdk06_python() -> str:
    py = os.environ.get("GATEHOUSE_SDK06_PYTHON", "").strip()
    if not py:
        reason = (
            "GATEHOUSE_SDK06_PYTHON is not set: the palabra-ai 0.6 SDK compatibility test "
            "DID NOT RUN. Build the venv with scripts/sdk06-venv and export "
            "GATEHOUSE_SDK06_PYTHON=<the path it prints last>"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    if not (os.path.isfile(py) and os.access(py, os.X_OK)):
        pytest.fail(f"GATEHOUSE_SDK06_PYTHON={py!r} is not an executable file")
    return py


def test_palabra_sdk_06(gatehouse_server, tmp_path) -> None:
    py = _sdk06_python()
    server = gatehouse_server
    # The venv stays isolated: no PYTHONPATH/PYTHONHOME of this process.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("PALABRA_CLIENT_ID", None)
    env.pop("PALABRA_CLIENT_SECRET", None)
    cmd = [
        py,
        str(CHECK_SCRIPT),
        server.base_url,
        server.client_id,
        server.client_secret,
        "--ws-url",
        server.ws_url,
        "--webrtc-url",
        server.webrtc_url,
        "--user-id",
        str(server.user_id),
    ]
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"palabra06_check.py timed out\nstdout:\n{e.stdout}\nstderr:\n{e.stderr}")
    out = proc.stdout.replace(server.client_secret, "<secret>")
    err = proc.stderr.replace(server.client_secret, "<secret>")
    assert proc.returncode == 0, (
        f"palabra06_check.py exited {proc.returncode}\n--- stdout ---\n{out}\n--- stderr ---\n{err}"
        f"\n--- server stderr (tail) ---\n{server.stderr_tail()}"
    )
    assert "OK: palabra-ai 0.6 SDK works against Gatehouse" in proc.stdout
