"""Demo competition: the shipped rulebooks and an open call with applications in several states."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.utils import timezone

from keyclusters.accounts.models import User
from keyclusters.competitions import services
from keyclusters.competitions.models import Call
from keyclusters.domain.rulebook import shipped_rulebook_ids, shipped_rulebook_path
from keyclusters.registry.models import Cluster

WARSAW = ZoneInfo("Europe/Warsaw")
PDF = b"%PDF-1.4\n% keyclusters demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _coordinator_of(cluster: Cluster) -> User:
    """A staff member of the cluster's coordinator (no e-mail: the demo sends no messages)."""
    user, _created = User.objects.get_or_create(
        username=f"coordinator-{cluster.pk}",
        defaults={"organisation": cluster.coordinator, "email": "", "is_active": False},
    )
    user.groups.add(Group.objects.get(name="coordinator"))
    return user


def build_competitions(*, clusters: list[Cluster], operator: User) -> Call:
    stored = {}
    for rulebook_id in (r for r in shipped_rulebook_ids() if r.startswith("kkk-")):
        source = shipped_rulebook_path(rulebook_id).read_text(encoding="utf-8")
        stored[rulebook_id] = services.store_rulebook(source=source, by=operator)
    today = timezone.localdate()
    call = services.create_call(
        name="Runda VII – nabór demonstracyjny",
        rulebook=stored["kkk-2022"],
        opens_at=dt.datetime.combine(today - dt.timedelta(days=28), dt.time(9), tzinfo=WARSAW),
        closes_at=dt.datetime.combine(today + dt.timedelta(days=60), dt.time(16), tzinfo=WARSAW),
        decision_on=today + dt.timedelta(days=120),
        by=operator,
    )
    services.change_call_state(call=call, action="open", by=operator)
    now = timezone.now()
    # clusters[0] belongs to the demo coordinator, who starts their own application.
    counts = dict(Cluster.objects.with_member_counts(today).values_list("pk", "member_count"))
    eligible = [c for c in clusters[1:] if counts[c.pk] >= 51]
    small = [c for c in clusters[1:] if counts[c.pk] < 51]
    plan = [
        (eligible[0], "passed"),
        (eligible[1], "passed"),
        (eligible[2], "submitted"),
        (eligible[3], "submitted"),
        (small[0], "submitted"),
        (eligible[4], "completion"),
        (small[1], "rejected"),
        (eligible[5], "draft"),
    ]
    for cluster, target in plan:
        by = _coordinator_of(cluster)
        application = services.start_application(call=call, cluster=cluster, by=by, now=now)
        services.save_application_data(
            application=application,
            values={
                "employees_members": 1200 + 37 * cluster.pk,
                "revenue_members": 250_000_000 + 1_000_000 * cluster.pk,
                "export_share": 20 + cluster.pk % 40,
                "rd_projects": 4 + cluster.pk % 11,
                "patents": cluster.pk % 7,
            },
            files={
                "strategy": ("strategia-rozwoju.pdf", PDF),
                "action_plan": ("plan-dzialan.pdf", PDF),
            },
            by=by,
            now=now,
        )
        if target == "draft":
            continue
        services.submit_application(application=application, by=by, now=now)
        if target == "completion":
            services.request_completion(
                application=application,
                items=["action_plan"],
                note="Plan działań nie jest podpisany przez zarząd koordynatora.",
                by=operator,
                now=now,
            )
        elif target == "rejected":
            services.fail_formal(
                application=application,
                reasons=["Wniosek nie zawiera wymaganych podpisów osób upoważnionych."],
                by=operator,
            )
        elif target == "passed" and services.formal_assessment(application).passed:
            services.pass_formal(application=application, checklist={}, by=operator)
    return call
