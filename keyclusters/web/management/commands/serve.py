"""``keyclusters serve``: gunicorn in production, Django's development server with --dev.

With ``--dev`` (``make run``) a background worker (``keyclusters worker``) runs beside the
development server, as a child process that stops with it (``--no-worker`` leaves it out): the
demo's "Generate all reports" then runs and shows its progress. It is a process of its own, not
a thread of the server, because the development server restarts its process on every code
change, which would cut a batch off in the middle; and it is the same worker and database queue
as in production, so the demo runs the path that production runs. In production, run workers
under the service manager beside gunicorn (docs/operations.md, "Background work").
"""

from __future__ import annotations

import os
import shutil
import subprocess
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
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="with_worker",
            help="With --dev: no background worker beside the development server.",
        )

    def handle(self, *args, host: str, port: int, dev: bool, workers: int, **options):
        first = os.environ.get("RUN_MAIN") != "true"  # not again in the auto-reloader's child
        if first:
            self.stdout.write(f"Serving keyclusters at http://{host}:{port}/ (Ctrl+C stops it)")
            self.stdout.flush()
        if dev:
            worker = self.start_worker() if first and options["with_worker"] else None
            try:
                call_command("runserver", f"{host}:{port}", use_reloader=True)
            finally:
                if worker is not None:
                    self.stop_worker(worker)
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

    def start_worker(self) -> subprocess.Popen:
        """``keyclusters worker`` as a child process with the same settings and environment."""
        command = [sys.executable, "-m", "keyclusters.cli", "worker", "--verbosity", "0"]
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR)
        self.stdout.write(f"Background worker started (process {worker.pid}).")
        self.stdout.flush()
        return worker

    @staticmethod
    def stop_worker(worker: subprocess.Popen) -> None:
        """Ctrl+C reached the worker too (one process group): a worker between tasks has
        stopped; one in a task gets a few seconds, then SIGTERM ends the task (a batch of
        reports cut off this way is started again with its button)."""
        try:
            worker.wait(timeout=5)
        except subprocess.TimeoutExpired:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
