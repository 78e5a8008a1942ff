"""``keyclusters demo [--reset] [--force] [--yes]``: migrate, load the demo data set, print the
demo logins.

The demo goes only into an empty database or its own (keyclusters/web/demo/guard.py): a
database holding anyone else's data is refused unless ``--force`` says so. Existing accounts
are never changed: only missing demo logins are created. ``--reset`` deletes every row first,
after a confirmation on the terminal or ``--yes``; without either it refuses (exit 2).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from keyclusters.registry.models import Cluster

# the benchmarking edition has 40 clusters; round I takes 23, the open round 11, round VIII 5
MIN_CLUSTERS = 40
REFUSED = 2  # the exit code of a refusal


def _demo_key_file():
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    return settings.VAR_DIR / "demo-api-key.txt"


def _on_a_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


class Command(BaseCommand):
    help = "Migrate, load the demo data set (unless already loaded) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("Delete all the data of the database and load the demo anew (asks first)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Load the demo into a database that holds data that is not the demo's."),
        )
        parser.add_argument(
            "--yes", action="store_true", help=_("Do not ask before --reset deletes the data.")
        )
        parser.add_argument(
            "--clusters",
            type=int,
            default=42,
            help=_("How many clusters the demo invents (at least 40; 42 unless given)."),
        )
        parser.add_argument(
            "--organisations",
            type=int,
            default=3000,
            help=_("How many member organisations the demo invents (3000 unless given)."),
        )

    def handle(
        self,
        *args,
        reset: bool,
        force: bool,
        yes: bool,
        clusters: int,
        organisations: int,
        **options,
    ):
        from keyclusters.registry.models import Organisation
        from keyclusters.web.demo.guard import survey
        from keyclusters.web.demo.users import create_users

        if clusters < MIN_CLUSTERS:
            raise CommandError(f"--clusters: the demo story needs at least {MIN_CLUSTERS}.")
        found = survey()
        if not found.demo_only:
            if not force:
                raise CommandError(
                    found.findings()
                    + " "
                    + _(
                        "keyclusters demo loads the demo into an empty database or its own only; "
                        "--force loads it here all the same (existing accounts stay as they are)."
                    ),
                    returncode=REFUSED,
                )
            self.stderr.write(found.findings() + " " + _("Going on (--force)."))
        if reset:
            self._confirm_reset(found_empty=found.empty, yes=yes)
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", interactive=False, verbosity=0)
        if Cluster.objects.exists():
            self.stderr.write(_("Demo data already loaded (use --reset to load it anew)."))
            first = Cluster.objects.order_by("pk").select_related("coordinator").first()
            logins = create_users(coordinator_organisation=first.coordinator if first else None)
        else:
            started = time.perf_counter()
            try:
                with _no_mail(), transaction.atomic():
                    logins = _build(clusters=clusters, organisations=organisations)
            except ValueError as exc:  # too few clusters of a kind for the story
                raise CommandError(
                    _("The demo story cannot be built: %(problem)s") % {"problem": exc}
                ) from exc
            self.stderr.write(
                _("Loaded %(clusters)s clusters and %(organisations)s organisations in %(s)s s.")
                % {
                    "clusters": Cluster.objects.count(),
                    "organisations": Organisation.objects.count(),
                    "s": f"{time.perf_counter() - started:.0f}",
                }
            )
        self._print_logins(logins, demo_only=found.demo_only)
        key_file = _demo_key_file()
        if key_file.exists():
            self.stdout.write("")
            self.stdout.write(
                _("Demo funding-agency API key (X-API-Key): %(key)s")
                % {"key": key_file.read_text().strip()}
            )
        self.stdout.write("")

    def _confirm_reset(self, *, found_empty: bool, yes: bool) -> None:
        if yes or found_empty:
            return
        database = connection.settings_dict["NAME"]
        if not _on_a_terminal():
            raise CommandError(
                _(
                    "--reset deletes all the data of the database %(database)s: confirm it on a "
                    "terminal or pass --yes."
                )
                % {"database": database},
                returncode=REFUSED,
            )
        answer = input(
            _("--reset deletes all the data of the database %(database)s. Type yes to go on: ")
            % {"database": database}
        )
        if answer.strip().lower() not in ("yes", _("yes")):
            raise CommandError(_("Nothing was deleted."), returncode=REFUSED)

    def _print_logins(self, logins, *, demo_only: bool) -> None:
        from keyclusters.web.demo.users import DEMO_PASSWORD

        created = [login for login in logins if login.created]
        kept = [login for login in logins if not login.created]
        self.stdout.write("")
        if created:
            self.stdout.write(
                _("Demo logins created (password for all: %(password)s)")
                % {"password": DEMO_PASSWORD}
            )
            for login in created:
                self.stdout.write(f"  {login.username:<12} {login.description}")
        if kept:
            if created:
                self.stdout.write("")
            if demo_only:  # the demo's own logins, made by an earlier run
                heading = _(
                    "Demo logins that existed already, left as they were (password: "
                    "%(password)s unless changed since):"
                ) % {"password": DEMO_PASSWORD}
            else:
                heading = _(
                    "Accounts that existed already, left as they were (their passwords were "
                    "not changed):"
                )
            self.stdout.write(heading)
            for login in kept:
                self.stdout.write(f"  {login.username:<12} {login.description}")


@contextlib.contextmanager
def _no_mail():
    """The demo's story sends no e-mail (a returned report, invitations…): its messages would
    go to invented people, or fill the console of ``make run``."""
    from django.conf import settings

    kept = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = kept


def _build(*, clusters: int, organisations: int):
    """The demo story, through the services: the registry, round I (2015) decided, the status
    history, round VIII awaiting the minister, the open round IX, benchmarking."""
    from django.utils import timezone

    from keyclusters.accounts.models import User
    from keyclusters.statuses.models import StatusGrant
    from keyclusters.web.demo.benchmarking import build_benchmarking
    from keyclusters.web.demo.competitions import build_open_round, store_rulebooks
    from keyclusters.web.demo.council import build_council
    from keyclusters.web.demo.evaluation import add_affiliations, create_experts, schedule_panel
    from keyclusters.web.demo.identity import build_identity
    from keyclusters.web.demo.monitoring import build_monitoring
    from keyclusters.web.demo.registry import build_registry
    from keyclusters.web.demo.rounds import build_finished_round, build_pending_round, ranked_grants
    from keyclusters.web.demo.statuses import build_statuses
    from keyclusters.web.demo.surveys import build_survey
    from keyclusters.web.demo.users import create_users

    today = timezone.localdate()
    demo = build_registry(clusters=clusters, organisations=organisations)
    logins = create_users(coordinator_organisation=demo.clusters[0].coordinator)
    staff = {u.username: u for u in User.objects.filter(username__in=["operator", "minister"])}
    operator, minister = staff["operator"], staff["minister"]
    experts = create_experts()
    add_affiliations(experts=experts, operator=operator)
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
    build_council(operator=operator, today=today)
    build_identity(operator=operator, today=today)
    build_monitoring(operator=operator, own=demo.clusters[0], today=today)
    build_survey(coordinator=User.objects.get(username="coordinator"), today=today)
    return logins
