"""The vendor-SDK tests drive a real ``gatehouse serve`` (see tests/live_server.py)."""

from tests.live_server import gatehouse_server, pytest_runtest_makereport

__all__ = ["gatehouse_server", "pytest_runtest_makereport"]
