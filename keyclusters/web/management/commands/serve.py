"""``keyclusters serve``: gunicorn in production, Django's development server with --dev."""

from __future__ import annotations

import os
import shutil
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web application (gunicorn; --dev for the development server)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--dev", action="store_true", help="Development server, auto-reload.")
        parser.add_argument(
            "--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers"
        )

    def handle(self, *args, host: str, port: int, dev: bool, workers: int, **options):
        if os.environ.get("RUN_MAIN") != "true":  # not again in the auto-reloader's child
            self.stdout.write(f"Serving keyclusters at http://{host}:{port}/ (Ctrl+C stops it)")
            self.stdout.flush()
        if dev:
            call_command("runserver", f"{host}:{port}", use_reloader=True)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = shutil.which("gunicorn") or os.path.join(
            os.path.dirname(sys.executable), "gunicorn"
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyclusters.settings")
        os.execv(
            gunicorn,
            [
                gunicorn,
                "keyclusters.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--chdir",
                str(settings.BASE_DIR),
            ],
        )
