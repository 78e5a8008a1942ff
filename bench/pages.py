"""Server time and query counts of every page of every role, on the demo data.

1. creates a throw-away SQLite database and var directory, loads ``keyclusters demo`` into it
   (in this process: ``DATABASE_URL`` and ``KEYCLUSTERS_VAR_DIR`` are set before
   ``django.setup()``) and prepares a recommendation list for the demo call;
2. for each demo login, logs in with Django's test client and requests every page the role
   uses, ``--repeat`` times: the status code (200, or the expected redirect), the server time
   (p50 and p95 over the requests) and the number of queries of one request;
3. for the list pages, adds rows (``--grow`` clusters with members and status grants,
   applications in the call, a benchmarking edition of all clusters, a longer recommendation
   list and more members in the coordinator's cluster) and counts the queries again.

    .venv/bin/python bench/pages.py [--repeat 20] [--grow 50] [--keep]

Targets: p95 server time <= 300 ms on every page, and the query count of no page grows with
the number of rows. Exit 1 when one is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
P95_TARGET_MS = 300.0
ROLES = ["admin", "operator", "expert", "panel", "minister", "coordinator", "agency", "analyst"]


@dataclass
class Page:
    name: str
    url: str
    roles: list[str]
    expect: int = 200
    grows: bool = False  # a list page: its query count is measured again after growth
    headers: dict[str, str] = field(default_factory=dict)
    after_url: str | None = None  # the same page with the grown data, when its address changes


@dataclass
class Result:
    page: Page
    role: str
    status: int
    times_ms: list[float]
    queries: int
    size: int = 0
    queries_after: int | None = None
    status_after: int | None = None
    size_after: int | None = None

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def setup_django(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["KEYCLUSTERS_VAR_DIR"] = str(workdir / "var")
    os.environ["KEYCLUSTERS_DEV"] = "0"
    os.environ["KEYCLUSTERS_DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["SECURE_SSL_REDIRECT"] = "0"  # the test client speaks plain HTTP
    os.environ["DJANGO_SETTINGS_MODULE"] = "keyclusters.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # The manifest storage needs collectstatic; a lookup in it costs about as much as this.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def load_demo() -> None:
    from django.core.management import call_command

    call_command("demo", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
    prepare_recommendation()


def prepare_recommendation() -> None:
    """A recommendation list of every application of the demo call (the demo has none yet:
    its applications are still being evaluated), ranked by id, written as the service does."""
    from keyclusters.accounts.models import User
    from keyclusters.competitions.models import Call
    from keyclusters.evaluation.models import Recommendation

    call = Call.objects.filter(state="open").order_by("pk").first()
    outcomes = [
        {
            "application": pk,
            "total": str(100 - rank),
            "rank": rank,
            "recommended": rank <= 3,
            "reasons": [{"message_id": "Recommended.", "params": {}}] if rank <= 3 else [],
        }
        for rank, pk in enumerate(
            call.applications.order_by("pk").values_list("pk", flat=True), start=1
        )
    ]
    Recommendation.objects.update_or_create(
        call=call,
        defaults={
            "outcomes": outcomes,
            "rulebook_sha256": call.rulebook.sha256,
            "prepared_by": User.objects.get(username="operator"),
        },
    )


def pages() -> list[Page]:
    """Every page of every role, with ids taken from the demo data."""
    from django.conf import settings
    from django.urls import reverse

    from keyclusters.accounts.models import User
    from keyclusters.benchmarking.models import Edition, EditionResult
    from keyclusters.competitions.models import Call, StoredRulebook
    from keyclusters.evaluation.models import Assignment
    from keyclusters.registry.models import Cluster, Membership
    from keyclusters.statuses.models import Certificate

    # "admin" is the Django admin login: the public pages and the admin's own pages; the
    # application's role pages belong to the roles (a superuser passes some of their checks
    # but e.g. sees no applications, which are listed by role).
    everyone = ROLES
    ops = ["operator"]
    coordinator = User.objects.get(username="coordinator")
    own = Cluster.objects.filter(coordinator=coordinator.organisation).order_by("pk").first()
    call = Call.objects.filter(state="open").order_by("pk").first()
    applications = {}
    for application in call.applications.order_by("pk"):
        applications.setdefault(application.state, application)
    own_application = call.applications.filter(cluster=own).first()
    rulebook = StoredRulebook.objects.order_by("pk").first()
    edition = Edition.objects.order_by("-year").first()
    result = EditionResult.objects.filter(edition=edition).order_by("pk").first()
    certificate = Certificate.objects.order_by("pk").first()
    member = Membership.objects.filter(cluster=own).exclude(organisation=own.coordinator).first()
    expert_assignment = Assignment.objects.filter(expert__user__username="expert").first()
    panel_assignment = Assignment.objects.filter(expert__user__username="panel").first()
    api_key = (settings.VAR_DIR / "demo-api-key.txt").read_text().strip()

    members = own.memberships.count()
    last_members_page = max(1, (members + 49) // 50)
    clusters = Cluster.objects.count()
    last_clusters_page = max(1, (clusters + 24) // 25)

    def r(name, *args, **kwargs):
        return reverse(name, args=args or None, kwargs=kwargs or None)

    result_list = [
        Page("home", r("web:home"), everyone, grows=True),
        Page(
            "dashboard",
            r("web:dashboard"),
            ["operator", "expert", "coordinator", "analyst"],
            grows=True,
        ),
        Page("dashboard", r("web:dashboard"), ["admin", "panel", "minister", "agency"]),
        Page("admin index", "/admin/", ["admin"]),
        Page("admin clusters", "/admin/registry/cluster/", ["admin"], grows=True),
        Page("admin organisations", "/admin/registry/organisation/", ["admin"], grows=True),
        Page("admin memberships", "/admin/registry/membership/", ["admin"], grows=True),
        Page("admin applications", "/admin/competitions/application/", ["admin"], grows=True),
        Page("admin status grants", "/admin/statuses/statusgrant/", ["admin"], grows=True),
        Page("admin cluster", f"/admin/registry/cluster/{own.pk}/change/", ["admin"]),
        Page("cluster list", r("registry:cluster-list"), everyone, grows=True),
        Page(
            "cluster list, last page",
            f"{r('registry:cluster-list')}?page={last_clusters_page}",
            everyone,
            grows=True,
        ),
        Page("my clusters", r("registry:my-clusters"), ["coordinator"]),
        Page("cluster detail", r("registry:cluster-detail", own.pk), everyone),
        Page(
            "cluster members, last page",
            f"{r('registry:cluster-detail', own.pk)}?page={last_members_page}",
            everyone,
            grows=True,
        ),
        Page("cluster manage", r("registry:cluster-manage", own.pk), ops + ["coordinator"]),
        Page(
            "cluster manage, last page",
            f"{r('registry:cluster-manage', own.pk)}?page={last_members_page}",
            ops + ["coordinator"],
            grows=True,
        ),
        Page("member add", r("registry:member-add", own.pk), ops + ["coordinator"]),
        Page("members import", r("registry:members-import", own.pk), ops + ["coordinator"]),
        Page("call list", r("competitions:call-list"), everyone, grows=True),
        Page("call detail", r("competitions:call-detail", call.pk), everyone),
        Page("call dashboard", r("competitions:call-dashboard", call.pk), ops, grows=True),
        Page("call create", r("competitions:call-create"), ops),
        Page("rulebook list", r("competitions:rulebook-list"), ops),
        Page("rulebook detail", r("competitions:rulebook-detail", rulebook.pk), ops),
        Page(
            "application list",
            r("competitions:application-list"),
            ops + ["coordinator"],
            grows=True,
        ),
    ]
    for state, application in applications.items():
        result_list.append(
            Page(
                f"application ({state})",
                r("competitions:application-detail", application.pk),
                ops,
            )
        )
        result_list.append(
            Page(
                f"formal evaluation ({state})",
                r("competitions:formal-evaluation", application.pk),
                ops,
            )
        )
    if own_application is not None:
        result_list.append(
            Page(
                "own application",
                r("competitions:application-detail", own_application.pk),
                ["coordinator"],
            )
        )
    result_list += [
        Page("my assignments", r("evaluation:my-assignments"), ["expert", "panel"]),
        Page("evaluation call overview", r("evaluation:call", call.pk), ops, grows=True),
        Page(
            "recommendation",
            r("evaluation:recommendation", call.pk),
            ops + ["minister"],
            grows=True,
        ),
    ]
    if expert_assignment is not None:
        result_list.append(
            Page("score sheet", r("evaluation:sheet", expert_assignment.pk), ["expert"])
        )
    if panel_assignment is not None:
        result_list.append(
            Page("score sheet", r("evaluation:sheet", panel_assignment.pk), ["panel"])
        )
    evaluated = applications.get("in-evaluation")
    if evaluated is not None:
        result_list.append(
            Page("why (scores)", r("evaluation:why", evaluated.pk), ops + ["minister"])
        )
    result_list += [
        Page("key cluster registry", r("statuses:registry"), everyone, grows=True),
        Page("cluster status history", r("statuses:cluster-history", own.pk), everyone),
        Page("verify", r("statuses:verify"), ops + ["agency"]),
        Page(
            "membership certificate", r("statuses:membership-certificate"), ["operator", "agency"]
        ),
        Page("api keys", r("statuses:api-keys"), ops),
        Page("certificate", r("statuses:certificate", certificate.code), everyone),
        Page("edition list", r("benchmarking:edition-list"), everyone, grows=True),
        Page(
            "edition detail",
            r("benchmarking:edition-detail", edition.pk),
            ["analyst"],
            grows=True,
        ),
        Page(
            "edition report",
            r("benchmarking:edition-report", edition.pk),
            ["operator", "analyst", "minister"],
            grows=True,
        ),
        Page(
            "cluster report",
            r("benchmarking:cluster-report", edition.pk, result.cluster_id),
            ["analyst"],
        ),
        Page(
            "own cluster report",
            r("benchmarking:cluster-report", edition.pk, own.pk),
            ["coordinator"],
        ),
        Page("api clusters", "/api/v1/clusters", everyone, grows=True),
        Page(
            "api clusters, 100",
            "/api/v1/clusters?limit=100",
            everyone,
            grows=True,
        ),
        Page(
            "api verification",
            f"/api/v1/verification?nip={member.organisation.nip}",
            ["agency"],
            headers={"X-API-Key": api_key},
        ),
    ]
    return result_list


class QueryCounter:
    """Counts the statements sent to the database (every connection of the thread's alias)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def count_queries(client, url: str, headers: dict[str, str]) -> tuple[int, int, int]:
    """Status, number of queries and size of the body of one request."""
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(url, headers=headers)
    return response.status_code, counter.count, len(response.content)


def measure(client, page: Page, repeat: int) -> Result:
    client.get(page.url, headers=page.headers)  # warm-up (template and URL caches)
    status, queries, size = count_queries(client, page.url, page.headers)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(page.url, headers=page.headers)
        times.append((time.perf_counter() - start) * 1000)
    return Result(page, "", status, times, queries, size=size)


def grow(extra: int) -> dict[str, str]:
    """Add rows to every list page; returns the new addresses of pages that moved."""
    from django.contrib.auth.models import Group
    from django.urls import reverse
    from django.utils import timezone

    from keyclusters.accounts.models import User
    from keyclusters.benchmarking import services as benchmarking
    from keyclusters.benchmarking.models import Edition
    from keyclusters.competitions import services as competitions
    from keyclusters.competitions.models import Call
    from keyclusters.domain.rulebook import shipped_rulebook_path
    from keyclusters.evaluation import services as evaluation
    from keyclusters.registry.models import Cluster, Membership, MembershipRole, Organisation
    from keyclusters.statuses import services as statuses
    from keyclusters.web.demo import benchmarking as demo_benchmarking
    from tests.factories import valid_nip, valid_regon

    rng = random.Random(7)
    operator = User.objects.get(username="operator")
    analyst = User.objects.get(username="analyst")
    today = timezone.localdate()
    used = set(Organisation.objects.exclude(nip=None).values_list("nip", flat=True))

    def unsaved(name: str, kind: str = "enterprise") -> Organisation:
        nip = valid_nip(rng)
        while nip in used:
            nip = valid_nip(rng)
        used.add(nip)
        return Organisation(
            name=name, nip=nip, regon=valid_regon(rng), kind=kind,
            size="small" if kind == "enterprise" else "", voivodeship="mazowieckie",
            city="Warszawa", country="PL",
        )  # fmt: skip

    def organisation(name: str, kind: str = "enterprise") -> Organisation:
        made = unsaved(name, kind)
        made.save()
        return made

    new_clusters = []
    for index in range(extra):
        coordinator = organisation(f"Koordynator wzrostu {index}", kind="business-support")
        cluster = Cluster.objects.create(
            name=f"Klaster wzrostu {index}", specialisation="ICT", founded_on=dt.date(2014, 1, 1),
            coordinator=coordinator, voivodeship="mazowieckie",
        )  # fmt: skip
        Membership.objects.create(
            cluster=cluster, organisation=coordinator, role=MembershipRole.COORDINATOR,
            joined_on=dt.date(2014, 1, 1),
        )  # fmt: skip
        # every fifth cluster is large enough to pass the formal check (51 members)
        size = 52 if index % 5 == 0 else 3
        members = Organisation.objects.bulk_create(
            [unsaved(f"Członek wzrostu {index}-{m}") for m in range(size)]
        )
        Membership.objects.bulk_create(
            Membership(
                cluster=cluster,
                organisation=member,
                role=MembershipRole.MEMBER,
                joined_on=dt.date(2015, 1, 1),
            )  # fmt: skip
            for member in members
        )
        statuses.grant_status(
            cluster=cluster, round_label="VII", decision_on=today - dt.timedelta(days=10),
            valid_from=today - dt.timedelta(days=10), valid_to=today + dt.timedelta(days=900),
            by=operator,
        )  # fmt: skip
        new_clusters.append(cluster)

    # more members of the coordinator's cluster, on its last page of members
    own = Cluster.objects.filter(
        coordinator=User.objects.get(username="coordinator").organisation
    ).first()
    room = 49 - (own.memberships.count() % 50)
    for member in range(min(extra, room)):
        Membership.objects.create(
            cluster=own,
            organisation=organisation(f"Nowy członek {member}"),
            role=MembershipRole.MEMBER,
            joined_on=dt.date(2016, 1, 1),
        )

    # more applications in the call, submitted
    call = Call.objects.filter(state="open").order_by("pk").first()
    now = timezone.now()
    group = Group.objects.get(name="coordinator")
    for cluster in new_clusters:
        by = User.objects.create(
            username=f"grow-coordinator-{cluster.pk}", organisation=cluster.coordinator,
            is_active=False,
        )  # fmt: skip
        by.groups.add(group)
        application = competitions.start_application(call=call, cluster=cluster, by=by, now=now)
        competitions.save_application_data(
            application=application,
            values={
                "employees_members": 1200 + cluster.pk,
                "revenue_members": 250_000_000 + cluster.pk,
                "export_share": 20,
                "rd_projects": 5,
                "patents": 2,
            },
            files={
                "strategy": ("strategia.pdf", demo_benchmarking_pdf()),
                "action_plan": ("plan.pdf", demo_benchmarking_pdf()),
            },
            by=by,
            now=now,
        )
        competitions.submit_application(application=application, by=by, now=now)
        if competitions.formal_assessment(application).passed:
            competitions.pass_formal(application=application, checklist={}, by=operator)
            application.refresh_from_db()
            evaluation.auto_assign(application=application, stage=application.stage, by=operator)
    prepare_recommendation()
    # more calls (the demo has one)
    for number in range(5):
        more = competitions.create_call(
            name=f"Nabór wzrostu {number}", rulebook=call.rulebook,
            opens_at=call.opens_at, closes_at=call.closes_at, decision_on=call.decision_on,
            by=operator,
        )  # fmt: skip
        competitions.change_call_state(call=more, action="open", by=operator)

    # a benchmarking edition of every cluster (the 2020 edition has 40)
    stored = benchmarking.store_framework(source=shipped_rulebook_path("parp-benchmark-2020"))
    everything = list(Cluster.objects.order_by("pk"))
    bigger = benchmarking.create_edition(
        framework=stored, year=2021, name="Benchmarking – wzrost", clusters=everything, by=analyst
    )
    demo_benchmarking._fill(bigger, stored.parsed, everything, random.Random(2021))
    benchmarking.compute_edition(edition=bigger, by=analyst)
    benchmarking.change_state(edition=bigger, action="publish", by=analyst)
    smaller = Edition.objects.filter(year=2020).first()
    return {
        reverse("benchmarking:edition-detail", args=[smaller.pk]): reverse(
            "benchmarking:edition-detail", args=[bigger.pk]
        ),
        reverse("benchmarking:edition-report", args=[smaller.pk]): reverse(
            "benchmarking:edition-report", args=[bigger.pk]
        ),
    }


def demo_benchmarking_pdf() -> bytes:
    from keyclusters.web.demo.competitions import PDF

    return PDF


def run(repeat: int, extra: int) -> list[Result]:
    from django.test import Client

    from keyclusters.accounts.models import User

    load_demo()
    page_list = pages()
    clients = {}
    for role in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=role))
        clients[role] = client
    results = []
    for page in page_list:
        for role in page.roles:
            result = measure(clients[role], page, repeat)
            result.role = role
            results.append(result)
            print(
                f"  {page.name:<34} {role:<12} {result.status}  p50 {result.p50:6.1f} ms"
                f"  q {result.queries}",
                file=sys.stderr,
            )
    moved = grow(extra)
    for result in results:
        if result.page.grows:
            url = moved.get(result.page.url, result.page.url)
            result.status_after, result.queries_after, result.size_after = count_queries(
                clients[result.role], url, result.page.headers
            )
    return results


def table(results: list[Result]) -> list[str]:
    lines = [
        "| page | role | status | p50 ms | p95 ms | queries | queries after growth |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        after = "—" if r.queries_after is None else str(r.queries_after)
        if r.status_after not in (None, r.page.expect):
            after += f" (status {r.status_after})"
        lines.append(
            f"| {r.page.name} | {r.role} | {r.status} | {r.p50:.1f} | {r.p95:.1f} | "
            f"{r.queries} | {after} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--grow", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kc-bench-pages-"))
    try:
        setup_django(workdir)
        started = time.perf_counter()
        results = run(args.repeat, args.grow)
        elapsed = time.perf_counter() - started
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    print(f"{len(results)} page/role pairs, {args.repeat} requests each, growth +{args.grow}")
    print()
    print("\n".join(table(results)))
    print()
    bad_status = [r for r in results if r.status != r.page.expect]
    slow = [r for r in results if r.p95 > P95_TARGET_MS]
    growing = [r for r in results if r.queries_after is not None and r.queries_after != r.queries]
    unchanged = [r for r in results if r.size_after is not None and r.size_after <= r.size]
    for label, rows in (
        (
            "unexpected status",
            bad_status + [r for r in results if r.status_after not in (None, r.page.expect)],
        ),
        (f"p95 > {P95_TARGET_MS:.0f} ms", slow),
        ("query count grows", growing),
    ):
        names = ", ".join(f"{r.page.name} ({r.role})" for r in rows) or "none"
        print(f"{label}: {names}")
    # not a target: growth that did not lengthen a page says nothing about its queries
    names = ", ".join(f"{r.page.name} ({r.role})" for r in unchanged) or "none"
    print(f"list pages whose body did not grow (no more rows shown): {names}")
    met = not (bad_status or slow or growing)
    print(
        f"targets: status 200, p95 <= {P95_TARGET_MS:.0f} ms, constant query counts: "
        f"{'met' if met else 'MISSED'} ({elapsed:.0f} s)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
