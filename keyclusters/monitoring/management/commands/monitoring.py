"""``keyclusters monitoring``: store the shipped framework, open a year's reports, send the
reminders that are due (daily, from cron or the worker's schedule)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from keyclusters.monitoring import selectors, services


class Command(BaseCommand):
    help = "Yearly monitoring of status holders: frameworks, reports, reminders."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        store = sub.add_parser("store-framework", help="store a framework file (default: shipped)")
        store.add_argument("file", nargs="?")
        opened = sub.add_parser("open", help="open the reports of a year that has ended")
        opened.add_argument("year", type=int)
        sub.add_parser("remind", help="send the reminders due today (each once)")

    def handle(self, *args, **options) -> None:
        try:
            if options["action"] == "store-framework":
                stored = (
                    services.store_framework(source=options["file"])
                    if options.get("file")
                    else services.store_shipped_framework()
                )
                self.stdout.write(f"{stored.framework_id} v{stored.version} {stored.sha256}")
            elif options["action"] == "open":
                framework = selectors.latest_framework() or services.store_shipped_framework()
                result = services.open_reports(year=options["year"], framework=framework, by=None)
                self.stdout.write(f"opened {len(result.created)}, already open {result.existing}")
            else:
                sent = services.send_reminders()
                self.stdout.write(f"reminders sent: {len(sent)}")
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
