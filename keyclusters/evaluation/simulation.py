"""`keyclusters simulate`: a whole competition from a scenario file, through the real services.

Runs in whatever database is configured; the command gives it a throw-away one. The scenario
format and the JSON report are described in docs/simulate.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from stdnum.pl import nip as stdnum_nip

from keyclusters.accounts.models import User
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Application, Call
from keyclusters.domain.lifecycle import ApplicationState
from keyclusters.domain.rulebook import load_rulebook, shipped_rulebook_ids, shipped_rulebook_path
from keyclusters.registry.models import Cluster, Membership, Organisation

from . import commission, decisions, services
from .models import Assignment, Expert
from .simulation_report import report
from .simulation_statuses import (
    ScenarioError,
    document_day,
    grant_existing,
    issue_document,
    parse_statuses,
    withdraw,
)

WARSAW = ZoneInfo("Europe/Warsaw")
PDF = b"%PDF-1.4\n% scenario document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class RoundActors:
    """Who takes part in a round run by :func:`run_round`.

    ``cluster(index, spec, day)`` gives the cluster of the scenario's application ``index``
    (``spec`` is its entry; ``day`` the submission day), ``coordinator(index, cluster)`` the
    coordinator's person who applies, ``expert(key, role)`` the expert a scenario key names.
    ``keyclusters simulate`` makes them up (:func:`scenario_actors`); the demo casts its own.
    """

    operator: User
    minister: User
    cluster: Callable[[int, dict[str, Any], dt.date], Cluster]
    coordinator: Callable[[int, Cluster], User]
    expert: Callable[[str, str], Expert]
    # why an expert proposed automatically gives way to the one the scenario names
    replaced_reason: str = "replaced by the scenario's expert"
    # the chair of the evaluation commission, who signs the list where the rulebook asks for
    # it (``decision.signed_by: chair``); the operator's account when nobody is cast
    chair: User | None = None


@dataclass
class Round:
    """What :func:`run_round` made: the call, its rulebook, the applications in scenario order
    and, per application that never reached the formal stage, why."""

    call: Call
    rulebook: Any
    order: list[Application] = field(default_factory=list)
    outcome: dict[int, dict[str, Any]] = field(default_factory=dict)


def load_scenario(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping")
    for key in ("rulebook", "call", "applications"):
        if key not in data:
            raise ScenarioError(f"{path}: {key}: is required")
    data["_base"] = Path(path).resolve().parent
    return data


def _rulebook_source(spec: Any, base: Path) -> str:
    if isinstance(spec, dict):
        return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
    if spec in shipped_rulebook_ids():
        return shipped_rulebook_path(spec).read_text(encoding="utf-8")
    path = Path(spec)
    if not path.is_absolute():
        path = base / path
    if not path.exists():
        raise ScenarioError(f"rulebook: no shipped rulebook or file {spec!r}")
    return path.read_text(encoding="utf-8")


def _nip_numbers():
    for base in itertools.count(100_000_000):
        digits = str(base)
        for last in range(10):
            if stdnum_nip.checksum(digits + str(last)) == 0:
                yield digits + str(last)
                break


def _user(username: str, role: str) -> User:
    user, _created = User.objects.get_or_create(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


def _cluster(nips, name: str, data: dict[str, Any], on: dt.date) -> Cluster:
    years = int(data.get("years_active", 5))
    members = int(data.get("members_total", 1))
    share = Decimal(str(data.get("enterprises_share", 100))) / 100
    founded = on.replace(year=on.year - years) - dt.timedelta(days=1)
    coordinator = Organisation.objects.create(
        name=f"Koordynator – {name}", nip=next(nips), kind="business-support"
    )
    cluster = Cluster.objects.create(name=name, founded_on=founded, coordinator=coordinator)
    enterprises = round(share * (members - 1))
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"{name} – członek {i + 1}",
            nip=next(nips),
            kind="enterprise" if i < enterprises else "university",
            size="small" if i < enterprises else "",
        )
        for i in range(max(members - 1, 0))
    )
    Membership.objects.bulk_create(
        [
            Membership(
                cluster=cluster, organisation=coordinator, role="coordinator", joined_on=founded
            )
        ]
        + [Membership(cluster=cluster, organisation=o, joined_on=founded) for o in organisations]
    )
    return cluster


def scenario_actors() -> RoundActors:
    """Made-up people and clusters: each application's cluster is created from its ``data``."""
    nips = _nip_numbers()
    experts: dict[str, Expert] = {}

    def cluster(index: int, spec: dict[str, Any], on: dt.date) -> Cluster:
        name = str(spec.get("cluster") or f"Cluster {index + 1}")
        # one made earlier for the scenario's ``statuses:`` (from this application's data)
        existing = Cluster.objects.filter(name=name).first()
        if existing is not None:
            return existing
        return _cluster(nips, name, dict(spec.get("data") or {}), on)

    def coordinator(index: int, cluster: Cluster) -> User:
        user = _user(f"coordinator-{index + 1}", "coordinator")
        user.organisation = cluster.coordinator
        user.save(update_fields=["organisation"])
        return user

    def expert(key: str, role: str) -> Expert:
        if key not in experts:
            experts[key] = Expert.objects.create(user=_user(f"expert-{key}", role))
        return experts[key]

    return RoundActors(
        operator=_user("scenario-operator", "operator"),
        minister=_user("scenario-minister", "decision-maker"),
        cluster=cluster,
        coordinator=coordinator,
        expert=expert,
        chair=User.objects.get_or_create(username="scenario-chair")[0],  # no role needed
    )


def _score_stage(actors: RoundActors, application: Application, stage, entries: list, where: str):
    """Assign the scenario's experts in order; one more only while the stage waits for it (a
    divergence), in place of whoever the automatic assignment proposed. An entry without
    ``criteria`` is only assigned: the expert has yet to declare and score."""
    role = "panel-member" if stage.kind == "panel" else "expert"
    needed = stage.experts or 1
    for index, entry in enumerate(entries):
        application.refresh_from_db()
        if application.stage != stage.id or application.state != ApplicationState.IN_EVALUATION:
            break
        if not isinstance(entry, dict) or "expert" not in entry:
            raise ScenarioError(f"{where}[{index}]: needs expert and criteria")
        try:
            expert = actors.expert(str(entry["expert"]), role)
        except KeyError as exc:
            raise ScenarioError(f"{where}[{index}].expert: unknown expert {exc}") from exc
        assignment = Assignment.objects.filter(
            application=application, stage=stage.id, expert=expert, state="active"
        ).first()
        if assignment is None:
            if index >= needed:
                _withdraw_unscored(application, stage.id, actors)
            assignment = services.assign_expert(
                application=application, stage=stage.id, expert=expert, by=actors.operator
            )
        if "criteria" not in entry:
            continue
        user = expert.user
        services.declare(assignment=assignment, conflict=False, note="", by=user)
        points = {k: _mark_or_points(v) for k, v in (entry.get("criteria") or {}).items()}
        try:
            services.save_sheet(
                assignment=assignment,
                points=points,
                justifications=entry.get("justifications")
                or dict.fromkeys(points, entry.get("justification") or "scenario"),
                by=user,
            )
            services.submit_sheet(assignment=assignment, by=user)
        except services.EvaluationError as exc:
            raise ScenarioError(f"{where}[{index}]: {'; '.join(exc.messages)}") from exc


def _mark_or_points(value: Any) -> str:
    """A pass-fail criterion's true/false as the sheet stores it (``met``/``not-met``)."""
    if isinstance(value, bool):
        return "met" if value else "not-met"
    return str(value)


def _withdraw_unscored(application: Application, stage_id: str, actors: RoundActors) -> None:
    """The scenario names the extra expert itself: withdraw one proposed automatically."""
    for assignment in Assignment.objects.filter(
        application=application, stage=stage_id, state="active"
    ).select_related("sheet"):
        sheet = getattr(assignment, "sheet", None)
        if sheet is None or sheet.state != "submitted":
            assignment.state = "withdrawn"
            assignment.withdrawn_reason = actors.replaced_reason
            assignment._history_user = actors.operator
            assignment.save(update_fields=["state", "withdrawn_reason"])


def run(data: dict[str, Any]) -> dict[str, Any]:
    """``keyclusters simulate``: the scenario's round with made-up clusters, and its report."""
    done = run_round(data, scenario_actors())
    return report(done.call, done.rulebook, done.order, done.outcome)


UNTIL = ("open", "recommended", "decided")


def run_round(data: dict[str, Any], actors: RoundActors, *, until: str = "decided") -> Round:
    """Run the scenario's call through the services with ``actors``: the coordinators apply
    while it is open; unless ``until`` is ``open`` it then closes, the applications are
    evaluated, and once none is left in evaluation the list is prepared (``recommended``) and
    approved on ``call.decision_on`` (``decided``)."""
    if until not in UNTIL:
        raise ValueError(f"until: one of {', '.join(UNTIL)}")
    source = _rulebook_source(data["rulebook"], data.get("_base") or Path.cwd())
    existing = parse_statuses(data.get("statuses"))
    if not isinstance(data["call"], dict):
        raise ScenarioError("call: a mapping {name, opens, closes, decision_on}")
    stored = competitions.store_rulebook(source=source, by=actors.operator)
    rulebook = load_rulebook(stored.source)
    document_on = document_day(data["call"], rulebook, decided=until == "decided")
    grants = _grant_existing(data, existing, actors)
    call = _open_call(data["call"], stored, actors.operator)
    done = Round(call=call, rulebook=rulebook)
    submitted_at = call.opens_at + dt.timedelta(hours=1)
    applied = []
    for index, spec in enumerate(data["applications"]):
        application = _apply(done, actors, index, spec, submitted_at)
        if application is not None:
            applied.append((application, spec, f"applications[{index}]"))
    for status, grant in zip(existing, grants, strict=True):
        withdraw(status, grant, by=actors.operator)  # corrections after the submissions
    if until != "open":
        competitions.change_call_state(call=call, action="close", by=actors.operator)
        competitions.change_call_state(call=call, action="start-evaluation", by=actors.operator)
    for application, spec, where in applied:
        _evaluate(done, actors, application, spec, where)
    if (
        until != "open"
        and not call.applications.filter(state=ApplicationState.IN_EVALUATION).exists()
    ):
        decisions.prepare_recommendation(call=call, by=actors.operator)
        if until == "decided":
            if commission.signature_required(done.rulebook):
                _sign(call, actors)
            decisions.approve_recommendation(
                call=call, approved_on=call.decision_on, by=actors.minister
            )
            if document_on is not None:
                issue_document(call, data["call"], document_on, by=actors.minister)
    return done


def _grant_existing(data: dict[str, Any], existing: list, actors: RoundActors) -> list:
    """The ``statuses:`` grants, before the call opens. A status's cluster is the one of the
    first application naming it (made from that application's ``data``, which the application
    then reuses), or one made from the name alone."""
    if not existing:
        return []
    try:
        opens = _date(data["call"]["opens"])
    except (KeyError, ValueError) as exc:
        raise ScenarioError(f"call: {exc}") from exc
    applications = list(data["applications"] or [])
    named = {}
    for index, spec in reversed(list(enumerate(applications))):
        if isinstance(spec, dict) and spec.get("cluster"):
            named[str(spec["cluster"])] = (index, spec)
    grants = []
    for position, status in enumerate(existing):
        index, spec = named.get(
            status.cluster, (len(applications) + position, {"cluster": status.cluster})
        )
        cluster = actors.cluster(index, spec, opens)
        grants.append(grant_existing(status, cluster, by=actors.operator))
    return grants


def _sign(call: Call, actors: RoundActors) -> None:
    """The commission's chair signs the list (seated first when the call has no chair)."""
    chair = commission.chair_of(call)
    if chair is None:
        chair = commission.add_member(
            call=call,
            user=actors.chair or actors.operator,
            kind="ministry",  # the scenarios do not say whom the chair represents
            chair=True,
            by=actors.operator,
        )
    decisions.sign_recommendation(call=call, by=chair.user)


def _open_call(spec: dict[str, Any], stored, operator: User) -> Call:
    try:
        opens = dt.datetime.combine(_date(spec["opens"]), dt.time(9), tzinfo=WARSAW)
        closes = dt.datetime.combine(_date(spec["closes"]), dt.time(16), tzinfo=WARSAW)
        decision_on = _date(spec.get("decision_on") or spec["closes"])
    except (KeyError, ValueError) as exc:
        raise ScenarioError(f"call: {exc}") from exc
    call = competitions.create_call(
        name=str(spec.get("name", "Scenario")),
        round_label=str(spec.get("round", ""))[:16],
        rulebook=stored,
        opens_at=opens,
        closes_at=closes,
        decision_on=decision_on,
        by=operator,
    )
    return competitions.change_call_state(call=call, action="open", by=operator)


def _apply(
    done: Round, actors: RoundActors, index: int, spec: dict[str, Any], at: dt.datetime
) -> Application | None:
    """Start, fill in and (unless ``submit: false``) submit the application; the submitted
    one, or None when it stays a draft."""
    values = dict(spec.get("data") or {})
    cluster = actors.cluster(index, spec, at.astimezone(WARSAW).date())
    coordinator = actors.coordinator(index, cluster)
    application = competitions.start_application(
        call=done.call, cluster=cluster, by=coordinator, now=at
    )
    applicant = {s.id: s for s in done.rulebook.fields if s.source != "registry"}
    files = {
        k: (f"{k}.pdf", PDF)
        for k, v in values.items()
        if k in applicant and applicant[k].type == "document" and v not in (None, "absent")
    }
    plain = {k: v for k, v in values.items() if k in applicant and applicant[k].type != "document"}
    competitions.save_application_data(
        application=application, values=plain, files=files, by=coordinator, now=at
    )
    done.order.append(application)
    if spec.get("submit", True) is False:
        done.outcome[application.pk] = {"incomplete": "not submitted"}
        return None
    try:
        competitions.submit_application(application=application, by=coordinator, now=at)
    except competitions.CompetitionError as exc:
        done.outcome[application.pk] = {"incomplete": "; ".join(exc.messages)}
        return None
    return application


FORMAL_RESULTS = ("passed", "failed", "pending", "completion")


def _evaluate(
    done: Round, actors: RoundActors, application: Application, spec: dict, where: str
) -> None:
    """The formal decision, then the scenario's scores stage by stage."""
    formal = spec.get("formal") or {}
    result = formal.get("result", "passed")
    if result not in FORMAL_RESULTS:
        raise ScenarioError(f"{where}.formal.result: one of {', '.join(FORMAL_RESULTS)}")
    if result == "pending":
        return
    if result == "completion":
        competitions.request_completion(
            application=application,
            items=[str(i) for i in formal.get("items", [])],
            note=str(formal.get("note", "")),
            by=actors.operator,
            now=min(timezone.now(), done.call.closes_at),
        )
        return
    assessment = competitions.formal_assessment(application)
    # the applicants restriction is checked again at the formal stage, on the day it is done;
    # its reason in English, as the eligibility reasons above
    with translation.override("en"):
        refusal = competitions.holder_refusal(
            application, timezone.localtime(timezone.now(), WARSAW).date()
        )
    if result == "failed" or not assessment.passed or refusal:
        reasons = [str(r) for r in formal.get("reasons", [])] or (
            ([refusal] if refusal else []) + assessment.reasons()
        )
        competitions.fail_formal(application=application, reasons=reasons, by=actors.operator)
        return
    competitions.pass_formal(application=application, by=actors.operator)
    scores = spec.get("scores") or {}
    consensus = spec.get("consensus") or {}
    for stage in done.rulebook.stages[1:]:
        application.refresh_from_db()
        if application.state != ApplicationState.IN_EVALUATION:
            break
        if application.stage != stage.id or not stage.scored_by_experts:
            continue
        _score_stage(
            actors,
            application,
            stage,
            list(scores.get(stage.id) or []),
            f"{where}.scores.{stage.id}",
        )
        application.refresh_from_db()
        if application.stage == stage.id and stage.id in consensus:
            services.record_consensus(
                application=application,
                stage=stage.id,
                points=consensus[stage.id],
                note="scenario",
                by=actors.operator,
            )


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
