"""`keyclusters simulate`: a whole competition from a scenario file, through the real services.

Runs in whatever database is configured; the command gives it a throw-away one. The scenario
format and the JSON report are described in docs/simulate.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.contrib.auth.models import Group
from stdnum.pl import nip as stdnum_nip

from keyclusters.accounts.models import User
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Application, Call, StageResult
from keyclusters.domain.rulebook import load_rulebook, shipped_rulebook_ids, shipped_rulebook_path
from keyclusters.domain.workflow import ApplicationState
from keyclusters.registry.models import Cluster, Membership, Organisation

from . import services
from .models import Assignment, Expert, Recommendation

WARSAW = ZoneInfo("Europe/Warsaw")
PDF = b"%PDF-1.4\n% scenario document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ScenarioError(ValueError):
    """A scenario that cannot run; the message names the place in the file."""


@dataclass
class _Context:
    operator: User
    minister: User
    experts: dict[str, Expert] = field(default_factory=dict)
    nips: Any = None


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


def _cluster(ctx: _Context, name: str, data: dict[str, Any], on: dt.date) -> Cluster:
    years = int(data.get("years_active", 5))
    members = int(data.get("members_total", 1))
    share = Decimal(str(data.get("enterprises_share", 100))) / 100
    founded = on.replace(year=on.year - years) - dt.timedelta(days=1)
    coordinator = Organisation.objects.create(
        name=f"Koordynator – {name}", nip=next(ctx.nips), kind="business-support"
    )
    cluster = Cluster.objects.create(name=name, founded_on=founded, coordinator=coordinator)
    enterprises = round(share * (members - 1))
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"{name} – członek {i + 1}",
            nip=next(ctx.nips),
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


def _expert(ctx: _Context, key: str, role: str) -> Expert:
    if key not in ctx.experts:
        user = _user(f"expert-{key}", role)
        ctx.experts[key] = Expert.objects.create(user=user)
    return ctx.experts[key]


def _score_stage(ctx: _Context, application: Application, stage, entries: list, where: str):
    """Assign the scenario's experts in order; one more only while the stage waits for it (a
    divergence), in place of whoever the automatic assignment proposed."""
    role = "panel-member" if stage.kind == "panel" else "expert"
    needed = stage.experts or 1
    for index, entry in enumerate(entries):
        application.refresh_from_db()
        if application.stage != stage.id or application.state != ApplicationState.IN_EVALUATION:
            break
        if not isinstance(entry, dict) or "expert" not in entry:
            raise ScenarioError(f"{where}[{index}]: needs expert and criteria")
        if index >= needed:
            _withdraw_unscored(application, stage.id)
        expert = _expert(ctx, str(entry["expert"]), role)
        assignment = Assignment.objects.filter(
            application=application, stage=stage.id, expert=expert, state="active"
        ).first() or services.assign_expert(
            application=application, stage=stage.id, expert=expert, by=ctx.operator
        )
        user = expert.user
        services.declare(assignment=assignment, conflict=False, note="", by=user)
        points = {k: str(v) for k, v in (entry.get("criteria") or {}).items()}
        try:
            services.save_sheet(
                assignment=assignment,
                points=points,
                justifications=dict.fromkeys(points, "scenario"),
                by=user,
            )
            services.submit_sheet(assignment=assignment, by=user)
        except services.EvaluationError as exc:
            raise ScenarioError(f"{where}[{index}]: {'; '.join(exc.messages)}") from exc


def _withdraw_unscored(application: Application, stage_id: str) -> None:
    """The scenario names the extra expert itself: withdraw one proposed automatically."""
    for assignment in Assignment.objects.filter(
        application=application, stage=stage_id, state="active"
    ).select_related("sheet"):
        sheet = getattr(assignment, "sheet", None)
        if sheet is None or sheet.state != "submitted":
            assignment.state = "withdrawn"
            assignment.withdrawn_reason = "replaced by the scenario's expert"
            assignment.save(update_fields=["state", "withdrawn_reason"])


def run(data: dict[str, Any]) -> dict[str, Any]:
    source = _rulebook_source(data["rulebook"], data["_base"])
    stored = competitions.store_rulebook(source=source)
    rulebook = load_rulebook(stored.source)
    ctx = _Context(
        operator=_user("scenario-operator", "operator"),
        minister=_user("scenario-minister", "decision-maker"),
        nips=_nip_numbers(),
    )
    call_spec = data["call"]
    try:
        opens = dt.datetime.combine(_date(call_spec["opens"]), dt.time(9), tzinfo=WARSAW)
        closes = dt.datetime.combine(_date(call_spec["closes"]), dt.time(16), tzinfo=WARSAW)
        decision_on = _date(call_spec.get("decision_on") or call_spec["closes"])
    except (KeyError, ValueError) as exc:
        raise ScenarioError(f"call: {exc}") from exc
    call = competitions.create_call(
        name=str(call_spec.get("name", "Scenario")),
        round_label=str(call_spec.get("round", ""))[:16],
        rulebook=stored,
        opens_at=opens,
        closes_at=closes,
        decision_on=decision_on,
        by=ctx.operator,
    )
    competitions.change_call_state(call=call, action="open", by=ctx.operator)
    submitted_at = opens + dt.timedelta(hours=1)
    order: list[Application] = []
    outcome: dict[int, dict[str, Any]] = {}
    for index, spec in enumerate(data["applications"]):
        where = f"applications[{index}]"
        name = str(spec.get("cluster") or f"Cluster {index + 1}")
        values = dict(spec.get("data") or {})
        cluster = _cluster(ctx, name, values, submitted_at.astimezone(WARSAW).date())
        coordinator = _user(f"coordinator-{index + 1}", "coordinator")
        coordinator.organisation = cluster.coordinator
        coordinator.save(update_fields=["organisation"])
        application = competitions.start_application(
            call=call, cluster=cluster, by=coordinator, now=submitted_at
        )
        applicant = {s.id: s for s in rulebook.fields if s.source != "registry"}
        files = {
            k: (f"{k}.pdf", PDF)
            for k, v in values.items()
            if k in applicant and applicant[k].type == "document" and v not in (None, "absent")
        }
        plain = {
            k: v for k, v in values.items() if k in applicant and applicant[k].type != "document"
        }
        competitions.save_application_data(
            application=application, values=plain, files=files, by=coordinator, now=submitted_at
        )
        order.append(application)
        try:
            competitions.submit_application(
                application=application, by=coordinator, now=submitted_at
            )
        except competitions.CompetitionError as exc:
            outcome[application.pk] = {"incomplete": "; ".join(exc.messages)}
            continue
        formal = spec.get("formal") or {}
        assessment = competitions.formal_assessment(application)
        if formal.get("result") == "failed" or not assessment.passed:
            reasons = [str(r) for r in formal.get("reasons", [])] or assessment.reasons()
            competitions.fail_formal(application=application, reasons=reasons, by=ctx.operator)
            continue
        competitions.pass_formal(application=application, by=ctx.operator)
        scores = spec.get("scores") or {}
        consensus = spec.get("consensus") or {}
        for stage in rulebook.stages[1:]:
            application.refresh_from_db()
            if application.state != ApplicationState.IN_EVALUATION:
                break
            if application.stage != stage.id or stage.kind not in ("expert", "panel"):
                continue
            _score_stage(
                ctx,
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
                    by=ctx.operator,
                )
    if not Application.objects.filter(call=call, state=ApplicationState.IN_EVALUATION).exists():
        services.prepare_recommendation(call=call, by=ctx.operator)
        services.approve_recommendation(call=call, approved_on=decision_on, by=ctx.minister)
    return report(call, rulebook, order, outcome)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01'))}"


def report(call: Call, rulebook, order: list[Application], outcome: dict) -> dict[str, Any]:
    results = {
        (r.application_id, r.stage): r for r in StageResult.objects.filter(application__call=call)
    }
    recommendation = Recommendation.objects.filter(call=call).first()
    ranked = {
        row["application"]: row for row in (recommendation.outcomes if recommendation else [])
    }
    grants = {g.application_id: g for g in call.status_grants.all()}
    funnel = []
    entered = sum(1 for a in order if a.pk not in outcome)
    for stage in rulebook.stages:
        passed = sum(
            1 for a in order if (r := results.get((a.pk, stage.id))) and r.result == "passed"
        )
        funnel.append({"stage": stage.id, "entered": entered, "passed": passed})
        entered = passed
    rows = []
    for application in order:
        application.refresh_from_db()
        stages: dict[str, Any] = {}
        total = Decimal(0)
        for stage in rulebook.stages:
            result = results.get((application.pk, stage.id))
            if result is None:
                pending = (
                    application.state == ApplicationState.IN_EVALUATION
                    and application.stage == stage.id
                )
                stages[stage.id] = {"result": "incomplete" if pending else "not-reached"}
                continue
            entry: dict[str, Any] = {"result": result.result}
            if stage.kind == "formal":
                entry["reasons"] = list(result.details.get("reasons", []))
            else:
                entry["points"] = _money(result.points)
                entry["max"] = str(rulebook.stage_maximum(stage.id))
                total += result.points or 0
            stages[stage.id] = entry
        row = ranked.get(application.pk)
        decision = {
            ApplicationState.GRANTED: "granted",
            ApplicationState.NOT_GRANTED: "not-granted",
        }.get(application.state)
        if decision is None:
            if application.pk in outcome or application.state in (
                ApplicationState.DRAFT,
                ApplicationState.IN_EVALUATION,
            ):
                decision = "incomplete"
            elif application.stage == rulebook.stages[0].id:
                decision = "rejected-formal"
            else:
                decision = "rejected-gate"
        item = {
            "cluster": application.cluster.name,
            "stages": stages,
            "total": _money(total),
            "max": str(rulebook.maximum),
            "rank": row["rank"] if row else None,
            "decision": decision,
        }
        if decision == "granted":
            grant = grants.get(application.pk)
            if grant is not None:
                item["status"] = {
                    "valid_from": grant.valid_from.isoformat(),
                    "valid_to": grant.valid_to.isoformat(),
                }
        rows.append(item)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return {
        "rulebook": {"id": rulebook.id, "version": rulebook.version, "sha256": rulebook.sha256},
        "funnel": funnel,
        "applications": rows,
    }
