"""Gatehouse: a self-hostable session and authentication service."""

__all__ = ["__version__"]

__version__ = "0.1.0"
