"""``keyclusters demo [--reset]``: migrate, load the demo data set, print the demo logins."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from keyclusters.registry.models import Cluster


def _demo_key_file():
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    return settings.VAR_DIR / "demo-api-key.txt"


class Command(BaseCommand):
    help = "Migrate, load the demo data set (unless already loaded) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the database's data and load it anew."
        )
        parser.add_argument("--clusters", type=int, default=42)
        parser.add_argument("--organisations", type=int, default=3000)

    def handle(self, *args, reset: bool, clusters: int, organisations: int, **options):
        from keyclusters.accounts.models import User
        from keyclusters.web.demo.benchmarking import build_benchmarking
        from keyclusters.web.demo.competitions import build_competitions
        from keyclusters.web.demo.evaluation import build_evaluation
        from keyclusters.web.demo.registry import build_registry
        from keyclusters.web.demo.statuses import build_statuses
        from keyclusters.web.demo.users import DEMO_PASSWORD, create_users

        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", interactive=False, verbosity=0)
        if Cluster.objects.exists():
            self.stderr.write("Demo data already loaded (use --reset to load it anew).")
            first = Cluster.objects.order_by("pk").select_related("coordinator").first()
            logins = create_users(coordinator_organisation=first.coordinator if first else None)
        else:
            with transaction.atomic():
                demo = build_registry(clusters=clusters, organisations=organisations)
                logins = create_users(coordinator_organisation=demo.clusters[0].coordinator)
                operator = User.objects.get(username="operator")
                statuses = build_statuses(clusters=demo.clusters, operator=operator)
                _demo_key_file().write_text(statuses.api_key + "\n")
                call = build_competitions(clusters=demo.clusters, operator=operator)
                build_evaluation(call=call, operator=operator)
                build_benchmarking(
                    clusters=demo.clusters, analyst=User.objects.get(username="analyst")
                )
            self.stderr.write(
                f"Loaded {len(demo.clusters)} clusters and {len(demo.organisations)} organisations."
            )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.description}")
        key_file = _demo_key_file()
        if key_file.exists():
            self.stdout.write("")
            self.stdout.write(
                f"Demo funding-agency API key (X-API-Key): {key_file.read_text().strip()}"
            )
        self.stdout.write("")
