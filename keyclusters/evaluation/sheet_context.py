"""What the expert's score sheet shows beyond a points field, and the sheet's marks in words.

- A pass-fail criterion is marked "Meets the criterion" / "Does not meet the criterion" (stored
  as ``met`` / ``not-met``, which nobody reads); the sheet counts the criteria met instead of
  points.
- A criterion of a parametric stage scored by experts shows the applicant's figure from the
  data the stage works from, the scale (the rulebook's brackets) in words, and the points the
  scale gives as a suggestion; the expert still gives the points and the justification.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from keyclusters.competitions import rulebook_words as words
from keyclusters.competitions.models import Application, ApplicationRevision
from keyclusters.competitions.stage_verdicts import criteria_met_text
from keyclusters.domain.rulebook import score_parametric
from keyclusters.domain.rulebook.model import Bracket, Criterion, Rulebook, Stage, localized
from keyclusters.domain.rulebook.parametric import CriterionScore
from keyclusters.domain.rulebook.passfail import MET, NOT_MET

RATIO_PLACES = Decimal("0.01")


def mark_choices() -> list[tuple[str, str]]:
    """The two answers of a pass-fail criterion, as (stored value, words)."""
    return [(MET, _("Meets the criterion")), (NOT_MET, _("Does not meet the criterion"))]


def mark_text(value: object) -> str:
    """A stored mark in words ("" when none)."""
    return dict(mark_choices()).get(str(value or ""), "")


def short_mark_text(value: object) -> str:
    """A stored mark in a table cell: "met" / "not met" ("" when none)."""
    return {MET: _("met"), NOT_MET: _("not met")}.get(str(value or ""), "")


def met_count(marks: Iterable[object]) -> int:
    return sum(1 for mark in marks if mark == MET)


# -- the parametric stage scored by experts ---------------------------------------------------


def stage_revision(application: Application, stage_id: str) -> ApplicationRevision | None:
    """The data the stage works from: the revision frozen when the application entered it,
    else the latest one."""
    revisions = application.revisions.order_by("-number")
    return revisions.filter(stage=stage_id).first() or revisions.first()


def _plain(value: Decimal) -> str:
    """A Decimal without trailing zeros and without an exponent (``4.50`` → ``4.5``)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_text(rulebook: Rulebook, field_id: str, value: object) -> str:
    """A figure in the reader's language: grouped digits and their decimal sign, a percent with
    ``%``, money in PLN; "no value" when the application gives none."""
    if value is None or value == "":
        return _("no value")
    try:
        kind = rulebook.field_spec(field_id).type
    except KeyError:
        kind = "decimal"
    number = words.number(value)
    if kind == "percent":
        return f"{number}\u00a0%"
    if kind == "money":
        return _("%(amount)s PLN") % {"amount": number}
    return number


def _fractional(points: Decimal) -> bool:
    return points != points.to_integral_value()


def bracket_text(bracket: Bracket) -> str:
    """One bracket in words: "from 51: 4 points"."""
    values = {
        "min": words.number(_plain(bracket.min)),
        "points": words.number(_plain(bracket.points)),
    }
    if _fractional(bracket.points):
        return pgettext("fractional points", "from %(min)s: %(points)s points") % values
    return (
        ngettext(
            "from %(min)s: %(points)s point",
            "from %(min)s: %(points)s points",
            int(bracket.points),
        )
        % values
    )


def scale_lines(criterion: Criterion) -> list[str]:
    """The brackets in words: "from 51: 4 points", "from 100: 7 points", ..."""
    return [bracket_text(bracket) for bracket in criterion.brackets or []]


def suggestion_text(points: Decimal) -> str:
    """ "The scale gives 7 points for this figure"."""
    values = {"points": words.number(_plain(points))}
    if _fractional(points):
        return (
            pgettext("fractional points", "The scale gives %(points)s points for this figure")
            % values
        )
    return (
        ngettext(
            "The scale gives %(points)s point for this figure",
            "The scale gives %(points)s points for this figure",
            int(points),
        )
        % values
    )


def figure_rows(rulebook: Rulebook, criterion: Criterion, score: CriterionScore, data) -> list:
    """The applicant's figure as (title, value) rows: the field, and for a ratio its
    denominator and the ratio itself."""
    rows = [
        (
            words.field_title(rulebook, criterion.field),
            figure_text(rulebook, criterion.field or "", data.get(criterion.field or "")),
        )
    ]
    if criterion.per:
        rows.append(
            (
                words.field_title(rulebook, criterion.per),
                figure_text(rulebook, criterion.per, data.get(criterion.per)),
            )
        )
        if score.value is not None:
            rows.append(
                (
                    _("%(field)s per %(per)s")
                    % {
                        "field": words.field_title(rulebook, criterion.field),
                        "per": words.field_title(rulebook, criterion.per),
                    },
                    words.number(_plain(score.value.quantize(RATIO_PLACES))),
                )
            )
    return rows


def parametric_hints(
    rulebook: Rulebook, stage: Stage, data: Mapping[str, object]
) -> dict[str, dict]:
    """Per criterion of a parametric stage scored by experts: the figure, the scale and the
    suggested points (computed by the rulebook's brackets from ``data``)."""
    if stage.kind != "parametric" or not stage.scored_by_experts:
        return {}
    result = score_parametric(rulebook, data, stage=stage.id)
    hints = {}
    for _area, criterion in rulebook.criteria(stage=stage.id):
        score = result.score(criterion.id)
        hints[criterion.id] = {
            "figure": figure_rows(rulebook, criterion, score, data),
            "scale": scale_lines(criterion),
            "suggestion": suggestion_text(score.points),
            "suggested_points": score.points,
        }
    return hints


# -- the sheet ---------------------------------------------------------------------------------


def sheet_rows(
    rulebook: Rulebook,
    stage_id: str,
    *,
    points: Mapping[str, object],
    justifications: Mapping[str, object],
    errors: Mapping[str, list[str]],
    data: Mapping[str, object] | None,
) -> list[dict]:
    """The criteria of the sheet with what is stored or was just posted: for a pass-fail
    criterion its two answers, for an expert-scored parametric one its figure and scale."""
    language = words.language()
    stage = rulebook.stage(stage_id)
    hints = parametric_hints(rulebook, stage, data or {})
    rows = []
    for area, criterion in rulebook.criteria(stage=stage_id):
        value = points.get(criterion.id, "")
        row = {
            "area": localized(area.title, language) or area.id,
            "criterion": criterion,
            "title": localized(criterion.title, language) or criterion.id,
            "guidance": localized(criterion.guidance, language),
            "points": value,
            "why": justifications.get(criterion.id, ""),
            "errors": list(errors.get(criterion.id, [])),
            "pass_fail": criterion.pass_fail,
            "hint": hints.get(criterion.id),
        }
        if criterion.pass_fail:
            row["marks"] = [
                {"value": code, "label": label, "checked": value == code}
                for code, label in mark_choices()
            ]
        rows.append(row)
    return rows


def met_summary(rows: list[dict]) -> str:
    """ "1 of 3 criteria met" over the pass-fail criteria of the sheet's rows ("" if none)."""
    marks = [row["points"] for row in rows if row["pass_fail"]]
    return criteria_met_text(met_count(marks), len(marks)) if marks else ""


def submission_facts(rulebook: Rulebook, stage_id: str, points: Mapping[str, str]) -> list:
    """The confirmation's facts: each criterion's points of its maximum or its mark in words,
    and the total (the criteria met on a pass-fail stage)."""
    language = words.language()
    criteria = [c for _a, c in rulebook.criteria(stage=stage_id)]
    facts = []
    for criterion in criteria:
        title = localized(criterion.title, language) or criterion.id
        if criterion.pass_fail:
            facts.append((title, mark_text(points.get(criterion.id))))
        else:
            facts.append((title, points_of(points.get(criterion.id), criterion.max)))
    facts.append((_("Total"), total_text(rulebook, stage_id, points)))
    return facts


def points_of(points: object, maximum: Decimal) -> str:
    return _("%(points)s of %(maximum)s") % {
        "points": words.number(points),
        "maximum": words.number(maximum),
    }


def sheet_points_total(rulebook: Rulebook, stage_id: str, points: Mapping[str, str]) -> Decimal:
    return sum(
        (
            Decimal(points[c.id])
            for _a, c in rulebook.criteria(stage=stage_id)
            if not c.pass_fail and c.id in points
        ),
        Decimal(0),
    )


def total_text(rulebook: Rulebook, stage_id: str, points: Mapping[str, str]) -> str:
    """A sheet's total: "7 of 10" in points, or "2 of 3 criteria met" on a pass-fail stage."""
    if rulebook.stage(stage_id).pass_fail:
        marks = [points.get(c.id) for _a, c in rulebook.criteria(stage=stage_id)]
        return criteria_met_text(met_count(marks), len(marks))
    return points_of(
        sheet_points_total(rulebook, stage_id, points), rulebook.stage_maximum(stage_id)
    )
