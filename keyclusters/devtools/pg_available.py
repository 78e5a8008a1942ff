"""Exit 0 when the PostgreSQL server of a database URL answers, 1 otherwise (used by make test)."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit


def main(url: str) -> int:
    import psycopg

    parts = urlsplit(url)
    try:
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        ):
            return 0
    except psycopg.Error as exc:
        print(f"PostgreSQL at {parts.hostname}:{parts.port}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
