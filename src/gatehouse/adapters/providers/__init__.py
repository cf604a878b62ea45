"""Outbound clients of external services (Steam Web API)."""
