"""A completed pass-fail stage in words: each criterion met or not and by how many experts, and
the stage passed or failed; no points (a pass-fail stage adds none).

The stage's result keeps ``details["pass_fail"]``: ``[{"criterion", "met_by", "experts",
"met"}, ...]`` in the rulebook's order. Pages read these rows, never the stored codes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyclusters.domain.rulebook.model import Rulebook, localized

from .rulebook_words import language


def met_by_text(met_by: int, experts: int) -> str:
    """ "met by 2 of 2 experts"."""
    return ngettext(
        "met by %(met_by)s of %(experts)s expert",
        "met by %(met_by)s of %(experts)s experts",
        experts,
    ) % {"met_by": met_by, "experts": experts}


def verdict_text(met: bool) -> str:
    """A criterion's verdict: "Met" / "Not met"."""
    return _("Met") if met else _("Not met")


def criteria_met_text(met: int, count: int) -> str:
    """ "2 of 3 criteria met"."""
    return ngettext(
        "%(met)s of %(count)s criterion met",
        "%(met)s of %(count)s criteria met",
        count,
    ) % {"met": met, "count": count}


def stage_verdict_text(passed: bool) -> str:
    return (
        _("Passed: every criterion is met.") if passed else _("Failed: not every criterion is met.")
    )


def verdict_rows(rulebook: Rulebook, details: dict | None) -> list[dict]:
    """The stored verdicts of a pass-fail stage, each with the criterion's title and the words
    (empty while the stage is not decided)."""
    rows = []
    for row in (details or {}).get("pass_fail") or []:
        criterion_id = str(row.get("criterion", ""))
        try:
            title = localized(rulebook.criterion(criterion_id).title, language()) or criterion_id
        except KeyError:
            title = criterion_id
        met = bool(row.get("met"))
        rows.append(
            {
                "criterion": criterion_id,
                "title": title,
                "met": met,
                "met_by": int(row.get("met_by", 0)),
                "experts": int(row.get("experts", 0)),
                "met_by_text": met_by_text(int(row.get("met_by", 0)), int(row.get("experts", 0))),
                "verdict": verdict_text(met),
            }
        )
    return rows


def stage_summary(rulebook: Rulebook, details: dict | None, passed: bool) -> dict | None:
    """A decided pass-fail stage: its criteria's rows, how many are met ("2 of 3 criteria met")
    and the stage's verdict in words; None when the stage keeps no verdicts."""
    rows = verdict_rows(rulebook, details)
    if not rows:
        return None
    met = sum(1 for row in rows if row["met"])
    return {
        "criteria": rows,
        "met_text": criteria_met_text(met, len(rows)),
        "verdict": stage_verdict_text(passed),
        "passed": passed,
    }
