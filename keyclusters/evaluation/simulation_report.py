"""The report of a simulated round (``keyclusters simulate --json``): the funnel and, per
application, the result of each stage, the total, the rank, the decision and the status granted
(with the grant it renews, for a renewal). A failed formal stage lists the ids of its reasons
(failed eligibility rules, ``not-a-holder``); a pass-fail stage has a result and no points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from keyclusters.competitions.models import Application, Call, StageResult
from keyclusters.domain.lifecycle import ApplicationState
from keyclusters.domain.points import round_points

from .selectors import current_recommendation


def _money(value: Decimal | None) -> str | None:
    """Stored points (already rounded to the precision) written with two decimals."""
    return None if value is None else str(round_points(value, 2))


def _validity(grant) -> dict[str, str]:
    return {"valid_from": grant.valid_from.isoformat(), "valid_to": grant.valid_to.isoformat()}


def report(call: Call, rulebook, order: list[Application], outcome: dict) -> dict[str, Any]:
    results = {
        (r.application_id, r.stage): r for r in StageResult.objects.filter(application__call=call)
    }
    recommendation = current_recommendation(call)
    ranked = {
        row["application"]: row for row in (recommendation.outcomes if recommendation else [])
    }
    grants = {g.application_id: g for g in call.status_grants.select_related("renewal_of")}
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
                if result.result == "failed":
                    entry["reason_ids"] = list(result.details.get("reason_ids", []))
            elif not stage.pass_fail:  # a pass-fail stage has a result and no points
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
                item["status"] = _validity(grant)
                if grant.renewal_of is not None:
                    item["status"]["renewal_of"] = _validity(grant.renewal_of)
        rows.append(item)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return {
        "rulebook": {"id": rulebook.id, "version": rulebook.version, "sha256": rulebook.sha256},
        "funnel": funnel,
        "applications": rows,
    }
