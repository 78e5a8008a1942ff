"""``keyclusters backup FILE``: a consistent backup of the database, taken while it serves.

PostgreSQL: ``pg_dump``'s custom format; SQLite: a copy made with SQLite's online backup API.
Exit 0 when the file is written; 1 with the reason on stderr otherwise (no partial file is
left). docs/operations.md, "Backups and restore".
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from keyclusters.web import backups


class Command(BaseCommand):
    help = _("Back up the database into FILE (PostgreSQL: pg_dump custom format; SQLite: a copy).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the backup file to write"))
        parser.add_argument("--force", action="store_true", help=_("replace FILE if it exists"))

    def handle(self, *args, file: str, force: bool, **options):
        target = Path(file)
        try:
            backups.backup(target, overwrite=force)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backed up %(database)s into %(file)s (%(size)s bytes).")
            % {"database": backups.describe(), "file": target, "size": target.stat().st_size}
        )
