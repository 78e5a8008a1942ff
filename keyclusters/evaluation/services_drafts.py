"""Autosave of a score sheet: the expert's draft is kept as they type, without submitting it.

Unlike ``services.save_sheet`` (the "Save" button, all or nothing), a draft keeps every valid
field: a value that is not a number or is out of the criterion's range is reported for that
field alone, and the field keeps what was stored before. Justifications are free text and
always kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain.lifecycle import SheetAction, SheetState

from .models import Assignment, ScoreSheet
from .services import EvaluationError, clean_sheet_points, lock_sheet_for, sheet_criteria


class SheetSubmitted(EvaluationError):
    """The sheet has been submitted: a draft can no longer change it."""


@dataclass(frozen=True)
class Draft:
    """What an autosave did: the sheet, each refused criterion's messages, and when."""

    sheet: ScoreSheet
    saved_at: dt.datetime
    errors: dict[str, list[str]] = field(default_factory=dict)
    changed: bool = False


@transaction.atomic
def save_draft(
    *,
    assignment: Assignment,
    points: Mapping[str, object],
    justifications: Mapping[str, object],
    by: User,
) -> Draft:
    """Store the draft points and justifications of the criteria given (keys: criterion ids).

    Criteria absent from ``points``/``justifications`` keep their stored values; an empty
    points value clears that criterion's points. Raises PermissionDenied for anyone but the
    assigned expert, EvaluationError before the declaration of no conflict, SheetSubmitted
    once the sheet is submitted.
    """
    try:
        sheet = lock_sheet_for(SheetAction.SAVE, assignment=assignment, by=by)
    except EvaluationError as exc:
        if ScoreSheet.objects.filter(assignment=assignment, state=SheetState.SUBMITTED).exists():
            raise SheetSubmitted(
                _("The score sheet has been submitted and cannot change.")
            ) from exc
        raise
    clean_points_, errors = clean_sheet_points(sheet.assignment, sheet.points, points)
    clean_notes = dict(sheet.justifications)
    for criterion in sheet_criteria(sheet.assignment):
        if criterion.id in justifications:
            clean_notes[criterion.id] = str(justifications[criterion.id]).strip()
    changed = clean_points_ != sheet.points or clean_notes != sheet.justifications
    if changed:
        sheet.points = clean_points_
        sheet.justifications = clean_notes
        sheet._history_user = by
        sheet._change_reason = "autosave"
        sheet.save(update_fields=["points", "justifications"])
    return Draft(sheet=sheet, saved_at=timezone.now(), errors=errors, changed=changed)
