"""Shared counters and caches: in-process (one server) or Redis (many)."""
