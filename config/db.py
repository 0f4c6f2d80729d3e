"""Small helpers for the few raw SQL statements (the ones the ORM cannot express as one statement)."""

import uuid

from django.db import connection


def uuid_param(value: uuid.UUID | str) -> uuid.UUID | str:
    """A UUID as the database stores it: native in PostgreSQL, 32 hex characters in SQLite."""
    value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return value.hex if connection.vendor == "sqlite" else value
