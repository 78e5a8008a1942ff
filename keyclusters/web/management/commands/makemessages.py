"""makemessages that also collects the domain layer's ``N_("…")`` markers."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [
            *options.get("ignore_patterns", []),
            "static/vendor/*",
            ".venv/*",
        ]
        super().handle(*args, **options)
