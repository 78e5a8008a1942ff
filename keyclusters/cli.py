"""The ``keyclusters`` command: Django's manage.py with the project's settings.

A database that does not answer (stopped, unreachable, the connection lost in the middle of a
command) ends any command with a one-line message and exit status 3, not a traceback; what the
command was writing is rolled back with its transaction (``--traceback`` shows the traceback).
"""

from __future__ import annotations

import os
import sys

DATABASE_UNAVAILABLE = 3


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyclusters.settings")
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    args = argv if argv is not None else sys.argv[1:]
    try:
        execute_from_command_line(["keyclusters", *args])
    except (OperationalError, InterfaceError) as exc:
        if "--traceback" in args:
            raise
        from django.utils.translation import gettext

        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        message = gettext(
            "The database does not answer (%(error)s). Nothing was changed; try again when it "
            "is back."
        ) % {"error": detail}
        sys.stderr.write(f"keyclusters: {message}\n")
        sys.exit(DATABASE_UNAVAILABLE)


if __name__ == "__main__":
    main()
