"""``keyclusters demo [--reset]``: migrate, load the demo data set, print the demo logins."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from keyclusters.registry.models import Cluster

# the benchmarking edition has 40 clusters; round I takes 23, the open round 11, round VIII 5
MIN_CLUSTERS = 40


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
        from keyclusters.registry.models import Organisation
        from keyclusters.web.demo.users import DEMO_PASSWORD, create_users

        if clusters < MIN_CLUSTERS:
            raise CommandError(f"--clusters: the demo story needs at least {MIN_CLUSTERS}.")
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", interactive=False, verbosity=0)
        if Cluster.objects.exists():
            self.stderr.write("Demo data already loaded (use --reset to load it anew).")
            first = Cluster.objects.order_by("pk").select_related("coordinator").first()
            logins = create_users(coordinator_organisation=first.coordinator if first else None)
        else:
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    logins = _build(clusters=clusters, organisations=organisations)
            except ValueError as exc:  # too few clusters of a kind for the story
                raise CommandError(f"The demo story cannot be built: {exc}") from exc
            self.stderr.write(
                f"Loaded {Cluster.objects.count()} clusters and "
                f"{Organisation.objects.count()} organisations "
                f"in {time.perf_counter() - started:.0f} s."
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


def _build(*, clusters: int, organisations: int):
    """The demo story, through the services: the registry, round I (2015) decided, the status
    history, round VIII awaiting the minister, the open round IX, benchmarking."""
    from django.utils import timezone

    from keyclusters.accounts.models import User
    from keyclusters.statuses.models import StatusGrant
    from keyclusters.web.demo.benchmarking import build_benchmarking
    from keyclusters.web.demo.competitions import build_open_round, store_rulebooks
    from keyclusters.web.demo.evaluation import create_experts, schedule_panel
    from keyclusters.web.demo.registry import build_registry
    from keyclusters.web.demo.rounds import build_finished_round, build_pending_round, ranked_grants
    from keyclusters.web.demo.statuses import build_statuses
    from keyclusters.web.demo.users import create_users

    today = timezone.localdate()
    demo = build_registry(clusters=clusters, organisations=organisations)
    logins = create_users(coordinator_organisation=demo.clusters[0].coordinator)
    staff = {u.username: u for u in User.objects.filter(username__in=["operator", "minister"])}
    operator, minister = staff["operator"], staff["minister"]
    experts = create_experts()
    store_rulebooks(operator=operator)
    round_one = build_finished_round(
        clusters=demo.clusters, operator=operator, minister=minister, experts=experts
    )
    winners = ranked_grants(round_one)
    won = {g.cluster_id for g in winners}
    statuses = build_statuses(
        clusters=[c for c in demo.clusters if c.pk not in won], operator=operator, round_one=winners
    )
    _demo_key_file().write_text(statuses.api_key + "\n")
    holders = set(StatusGrant.objects.valid_on(today).values_list("cluster_id", flat=True))
    busy = holders | won | {demo.clusters[0].pk}
    pending = build_pending_round(
        clusters=[c for c in demo.clusters if c.pk not in busy],
        operator=operator,
        minister=minister,
        experts=experts,
        today=today,
    )
    busy |= set(pending.applications.values_list("cluster_id", flat=True))
    call = build_open_round(
        clusters=demo.clusters,
        exclude=busy,
        operator=operator,
        coordinator=User.objects.get(username="coordinator"),
        experts=experts,
        today=today,
    )
    schedule_panel(
        call=call, held_on=today + dt.timedelta(days=7), experts=experts, operator=operator
    )
    build_benchmarking(clusters=demo.clusters, analyst=User.objects.get(username="analyst"))
    return logins
