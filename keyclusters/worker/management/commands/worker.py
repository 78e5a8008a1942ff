"""``keyclusters worker``: runs the queued background tasks (report batches) and writes the
heartbeat that the pages starting such work check (keyclusters/worker/heartbeat.py).

It is django-tasks-db's worker (``db_worker``) with the heartbeat added; ``keyclusters serve
--dev`` (so ``make run``) starts one beside the development server.
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from keyclusters.worker import heartbeat


class Command(BaseCommand):
    help = "Run the background tasks (report batches) and write the worker's heartbeat."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at the queue"
        )
        parser.add_argument(
            "--batch", action="store_true", help="run the tasks waiting now, then stop"
        )
        parser.add_argument("--queue-name", default="default", help="queues, comma-separated")

    def handle(self, *args, interval: float, batch: bool, queue_name: str, **options):
        if options["verbosity"] > 0:
            logging.getLogger("django_tasks_db").setLevel(logging.INFO)
            logging.getLogger("django_tasks").setLevel(logging.INFO)
        worker_id = heartbeat.new_worker_id()
        started_at = timezone.now()
        heartbeat.beat(worker_id, started_at=started_at)
        pulse = heartbeat.Pulse(worker_id, started_at)
        pulse.start()
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        if options["verbosity"] > 0:
            self.stdout.write(f"Worker {worker_id} is running background tasks (Ctrl+C stops it).")
            self.stdout.flush()
        try:
            worker.run()
        finally:
            pulse.stop()
            worker.reset_signals()
            heartbeat.forget(worker_id)
