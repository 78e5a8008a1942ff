"""A call whose rulebook has a pass-fail stage and a parametric stage scored by experts (round
III of 2018 in small), and the helpers that bring an application to those stages through the
services."""

from __future__ import annotations

import datetime as dt
import html
import re

from keyclusters.competitions import services as competition_services
from keyclusters.competitions.models import Application
from keyclusters.evaluation import services
from tests.competitions.conftest import PDF, WARSAW
from tests.evaluation.conftest import make_expert
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

RULEBOOK = """
rulebook: test-pass-fail
version: 1
kind: status-competition
fields:
  - {id: members_total, type: integer, source: registry,
     title: {pl: "Liczba członków", en: "Number of members"}}
  - {id: turnover, type: decimal,
     title: {pl: "Obroty członków (mln zł)", en: "The members' turnover (PLN m)"}}
  - {id: export_share, type: percent,
     title: {pl: "Udział eksportu (%)", en: "Export share (%)"}}
  - {id: strategy, type: document, required: true}
stages:
  - {id: formal, kind: formal, completion_days: 7}
  - {id: merit, kind: expert, experts: 2, aggregation: all-pass,
     title: {pl: "Etap I: spełnia / nie spełnia", en: "Stage I: pass/fail"}}
  - {id: parametric, kind: parametric, scored_by: experts, experts: 2, aggregation: mean,
     divergence: {max_gap: 0.30, resolution: third-expert},
     title: {pl: "Etap II: ocena parametryczna", en: "Stage II: parametric evaluation"}}
areas:
  - id: resources
    title: {pl: "Zasoby", en: "Resources"}
    criteria:
      - {id: team_met, stage: merit, type: pass-fail,
         title: {pl: "Zespół koordynatora", en: "The coordinator's team"}}
      - {id: plan_met, stage: merit, type: pass-fail,
         title: {pl: "Plan działań", en: "The action plan"}}
      - {id: members, stage: parametric, max: 10, field: members_total,
         title: {pl: "Liczba członków", en: "Number of members"},
         brackets: [{min: 5, points: 4}, {min: 10, points: 7}, {min: 200, points: 10}]}
      - {id: turnover, stage: parametric, max: 8, field: turnover,
         title: {pl: "Obroty", en: "Turnover"},
         brackets: [{min: 1000, points: 1}, {min: 10000.5, points: 6.5}]}
      - {id: export, stage: parametric, max: 12, field: export_share,
         title: {pl: "Eksport", en: "Export"},
         brackets: [{min: 10, points: 4}, {min: 40, points: 12}]}
decision:
  pass: {op: ">=", value: 10}
status:
  validity: {years: 3, from: decision}
"""


def open_call(name: str = "Runda III"):
    rulebook = competition_services.store_rulebook(source=RULEBOOK)
    call = competition_services.create_call(
        name=name,
        rulebook=rulebook,
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    return competition_services.change_call_state(call=call, action="open")


def application_in_merit(call, operator, *, name="Klaster Alfa", members=6) -> Application:
    """Submitted with a turnover of 12 345.5 and an export share of 37.5 %, formally passed:
    at the pass-fail stage."""
    cluster = ClusterFactory(name=name, founded_on=dt.date(2015, 1, 1), specialisation="ICT")
    for _ in range(members):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    now = dt.datetime(2026, 6, 10, 12, 0, tzinfo=WARSAW)
    application = competition_services.start_application(
        call=call, cluster=cluster, by=coordinator, now=now
    )
    competition_services.save_application_data(
        application=application,
        values={"turnover": "12345.5", "export_share": "37.5"},
        files={"strategy": ("s.pdf", PDF)},
        by=coordinator,
        now=now,
    )
    competition_services.submit_application(application=application, by=coordinator, now=now)
    competition_services.pass_formal(application=application, by=operator)
    return Application.objects.get(pk=application.pk)


def merit_experts(application, operator, names=("Anna", "Bogdan")):
    """Two experts assigned to the pass-fail stage, in the order of ``names``."""
    for name in names:
        make_expert(name)
    made = services.auto_assign(application=application, stage="merit", by=operator)
    return sorted(made, key=lambda a: names.index(a.expert.user.first_name))


def mark(assignment, marks: dict[str, str], note="Uzasadnienie oceny"):
    """The expert declares no conflict, marks the criteria and submits the sheet."""
    by = assignment.expert.user
    services.declare(assignment=assignment, conflict=False, note="", by=by)
    services.save_sheet(
        assignment=assignment, points=marks, justifications=dict.fromkeys(marks, note), by=by
    )
    return services.submit_sheet(assignment=assignment, by=by)


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, entities decoded, white space
    joined (a no-break space is kept: numbers are grouped with it)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def element(page: str, pattern: str) -> str:
    """The inner HTML of the first element matching ``pattern`` (a regex ending with ``>``
    of the opening tag up to its closing tag, e.g. ``<p class="suggestion">(.*?)</p>``)."""
    found = re.search(pattern, page, re.S)
    assert found, pattern
    return found.group(1)
