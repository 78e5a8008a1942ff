"""``keyclusters restore FILE``: replace the database's content by a backup, all or nothing.

Into an empty (new) database it goes ahead; a database with tables is overwritten only after a
confirmation (``--yes`` for scripts). Running server processes notice the restore within a
second and rebuild what they keep in memory. Exit 0 when restored; 1 with the reason on stderr
otherwise (then the database is as it was). docs/operations.md, "Backups and restore".
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyclusters.web import backups


class Command(BaseCommand):
    help = _("Restore the database from a backup made by keyclusters backup (all or nothing).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the backup file to restore"))
        parser.add_argument(
            "--yes", action="store_true", help=_("overwrite a database that has data, no question")
        )

    def handle(self, *args, file: str, yes: bool, **options):
        source = Path(file)
        try:
            backups.check_file(source)
            if not yes and not backups.is_empty():
                self._confirm()
            restored = backups.restore(source)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored %(database)s from %(file)s.")
            % {"database": restored.database, "file": source}
        )
        if restored.unapplied:
            count = len(restored.unapplied)
            self.stdout.write(
                ngettext(
                    "The backup lacks %(count)d migration of this version: run keyclusters "
                    "migrate before serving.",
                    "The backup lacks %(count)d migrations of this version: run keyclusters "
                    "migrate before serving.",
                    count,
                )
                % {"count": count}
            )

    def _confirm(self) -> None:
        question = _(
            "The database %(database)s has data: the restore replaces all of it. "
            "Type yes to go on: "
        ) % {"database": backups.describe()}
        if not sys.stdin.isatty():
            raise CommandError(
                _("The database %(database)s has data; give --yes to replace it with the backup.")
                % {"database": backups.describe()}
            )
        if input(question).strip().lower() not in ("yes", _("yes")):
            raise CommandError(_("Nothing was restored."))
