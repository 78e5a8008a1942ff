"""``keyclusters instruments``: check a catalogue of funding instruments, store it as the newest
version (verification answers from then on name its version and hash), or show the one in use."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from keyclusters.domain.rulebook.errors import RulebookInvalid
from keyclusters.statuses import instruments


class Command(BaseCommand):
    help = (
        "The catalogue of funding instruments: validate, store a new version, show the current one."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("validate", help="check a catalogue file").add_argument("file")
        sub.add_parser("store", help="store a catalogue file as the newest version").add_argument(
            "file"
        )
        sub.add_parser(
            "current", help="the catalogue answering now (id, version, hash, instruments)"
        )

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "current":
            loaded = instruments.current()
            self.stdout.write(f"{loaded.catalogue.id} v{loaded.version} {loaded.sha256}")
            for instrument in loaded.catalogue.instruments:
                self.stdout.write(f"  {instrument.id}")
            return
        source = self._read(options["file"])
        if action == "validate":
            try:
                loaded = instruments.validate(source)
            except RulebookInvalid as exc:
                raise CommandError("\n".join(instruments.error_lines(exc))) from exc
            self.stdout.write(f"valid: v{loaded.version} {loaded.sha256}")
            return
        try:
            stored = instruments.store_catalogue(source=source, by=None)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"stored: v{stored.version} {stored.sha256}")

    @staticmethod
    def _read(name: str) -> bytes:
        path = Path(name)
        try:
            if path.stat().st_size > 1_000_000:  # a catalogue is a few kilobytes
                raise CommandError(f"{name}: larger than 1 MB, not a catalogue")
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{name}: {exc.strerror}") from exc
