"""The store's own errors, so that services never handle a driver's exception types."""

from __future__ import annotations

__all__ = ["DuplicateKey"]


class DuplicateKey(Exception):
    """A write broke an integrity constraint: in practice a unique key that a
    concurrent writer took first, since services check before they write.

    Raised where a ``write()``/``write_one()`` block ends (each backend translates
    its driver's error there: ``sqlite.py``, ``postgres.py``), so catch it around
    the block. A foreign key whose row a concurrent writer deleted lands here too,
    as it did when services caught SQLAlchemy's ``IntegrityError``."""
