"""The anonymous member survey of a monitoring framework (its optional ``survey:`` section).

The members of a key cluster answer the questions once a year through a public link; nothing
identifies an answer. Three kinds of question: ``scale`` (a whole number from ``scale.min`` to
``scale.max``, some values labelled), ``choice`` (one of ``choices``) and ``text``. The results
are shown only when at least ``minimum_answers`` answers were given.

:func:`survey_issues` lists the problems the shape cannot state (duplicate ids, a scale whose
minimum is not below its maximum, choices on a question of another kind) on the raw mapping;
:func:`check_answers` validates one submission and names each question with a problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..i18n import N_
from ..rulebook.model import ID_PATTERN, LocalizedText

Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
QuestionType = Literal["scale", "choice", "text"]
TEXT_MAX_LENGTH = 2000
DEFAULT_MINIMUM_ANSWERS = 5


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Strict):
    """Whole numbers from ``min`` to ``max``; ``labels`` names some of them (e.g. the ends)."""

    min: int = 1
    max: int = 5
    labels: dict[int, LocalizedText] = Field(default_factory=dict)

    @property
    def values(self) -> list[int]:
        return list(range(self.min, self.max + 1))


class Choice(_Strict):
    id: Identifier
    title: LocalizedText


class Question(_Strict):
    id: Identifier
    title: LocalizedText
    type: QuestionType
    scale: Scale | None = None
    choices: list[Choice] | None = Field(default=None, min_length=1)
    required: bool = True

    @property
    def scale_or_default(self) -> Scale:
        return self.scale or Scale()

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices or () if c.id == choice_id), None)


class Survey(_Strict):
    minimum_answers: int = Field(default=DEFAULT_MINIMUM_ANSWERS, ge=1)
    questions: list[Question] = Field(min_length=1)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


Issue = tuple[str, str, dict[str, Any]]  # (path, msgid, params)


def duplicate_ids(items: Any, prefix: str, msgid: str) -> list[Issue]:
    """Each item of the raw list ``items`` whose ``id`` an earlier item has, as an issue at
    ``<prefix>[<index>].id`` naming the first one (``msgid`` takes ``id`` and ``first``)."""
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        ident = item.get("id") if isinstance(item, Mapping) else None
        if not isinstance(ident, str):
            continue
        where = f"{prefix}[{index}].id"
        if ident in seen:
            issues.append((where, msgid, {"id": ident, "first": seen[ident]}))
        else:
            seen[ident] = where
    return issues


def survey_issues(data: Any, prefix: str = "survey") -> list[tuple[str, str, dict[str, Any]]]:
    """The problems of a raw ``survey:`` mapping that its shape does not state, each as
    ``(path, msgid, params)``."""
    issues: list[tuple[str, str, dict[str, Any]]] = []
    if not isinstance(data, Mapping):
        return issues
    questions = data.get("questions")
    duplicates = duplicate_ids(
        questions, f"{prefix}.questions", N_('duplicate question id "%(id)s" (first at %(first)s)')
    )
    duplicate_at = {issue[0].removesuffix(".id"): issue for issue in duplicates}
    for index, item in enumerate(questions if isinstance(questions, list) else []):
        if not isinstance(item, Mapping):
            continue
        path = f"{prefix}.questions[{index}]"
        if path in duplicate_at:
            issues.append(duplicate_at[path])
        kind = item.get("type")
        if kind == "choice" and item.get("choices") is None:
            issues.append((f"{path}.choices", N_("is required for a choice question"), {}))
        if kind in ("scale", "text") and item.get("choices") is not None:
            issues.append((f"{path}.choices", N_("is allowed only for a choice question"), {}))
        if kind in ("choice", "text") and item.get("scale") is not None:
            issues.append((f"{path}.scale", N_("is allowed only for a scale question"), {}))
        issues.extend(_choice_issues(item.get("choices"), path))
        issues.extend(_scale_issues(item.get("scale"), path))
    return issues


def _choice_issues(choices: Any, path: str) -> list[Issue]:
    return duplicate_ids(
        choices, f"{path}.choices", N_('duplicate choice id "%(id)s" (first at %(first)s)')
    )


def _scale_issues(scale: Any, path: str) -> list[tuple[str, str, dict[str, Any]]]:
    if not isinstance(scale, Mapping):
        return []
    low, high = scale.get("min", 1), scale.get("max", 5)
    if not (isinstance(low, int) and isinstance(high, int)):
        return []
    if low >= high:
        return [
            (f"{path}.scale.max", N_("must be greater than the minimum (%(min)s)"), {"min": low})
        ]
    issues: list[tuple[str, str, dict[str, Any]]] = []
    labels = scale.get("labels")
    for value in labels if isinstance(labels, Mapping) else ():
        if isinstance(value, int) and not low <= value <= high:
            issues.append(
                (
                    f"{path}.scale.labels.{value}",
                    N_("labels a value outside the scale (%(min)s to %(max)s)"),
                    {"min": low, "max": high},
                )
            )
    return issues


# --- answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerProblem:
    """A problem of one question's answer (an English, translatable message)."""

    question_id: str
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.msgid % dict(self.params) if self.params else self.msgid


class AnswersInvalid(ValueError):
    """A submission that is refused; ``problems`` names each question with a problem."""

    def __init__(self, problems: list[AnswerProblem]) -> None:
        super().__init__("; ".join(f"{p.question_id}: {p.message}" for p in problems))
        self.problems = problems


Answer = int | str
_WHOLE = re.compile(r"-?[0-9]{1,9}")


def check_answer(question: Question, raw: Any) -> Answer | None:
    """The answer given to ``question`` (``None`` when not answered); raises
    :class:`AnswersInvalid` with the question's problem."""
    text = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        raise AnswersInvalid([AnswerProblem(question.id, N_("is not an answer"))])
    if not text:
        if question.required:
            raise AnswersInvalid([AnswerProblem(question.id, N_("needs an answer"))])
        return None
    if question.type == "scale":
        scale = question.scale_or_default
        if not (_WHOLE.fullmatch(text) and scale.min <= int(text) <= scale.max):
            raise AnswersInvalid(
                [
                    AnswerProblem(
                        question.id,
                        N_("must be a whole number from %(min)s to %(max)s"),
                        {"min": scale.min, "max": scale.max},
                    )
                ]
            )
        return int(text)
    if question.type == "choice":
        if question.choice(text) is None:
            raise AnswersInvalid([AnswerProblem(question.id, N_("is not one of the choices"))])
        return text
    if len(text) > TEXT_MAX_LENGTH:
        raise AnswersInvalid(
            [
                AnswerProblem(
                    question.id,
                    N_("is too long (at most %(max)s characters)"),
                    {"max": TEXT_MAX_LENGTH},
                )
            ]
        )
    return text


def check_answers(survey: Survey, raw: Mapping[str, Any]) -> dict[str, Answer]:
    """Every question's answer from ``raw`` (the form's values by question id; other keys are
    ignored); raises :class:`AnswersInvalid` naming every question with a problem."""
    answers: dict[str, Answer] = {}
    problems: list[AnswerProblem] = []
    for question in survey.questions:
        try:
            answer = check_answer(question, raw.get(question.id))
        except AnswersInvalid as exc:
            problems.extend(exc.problems)
            continue
        if answer is not None:
            answers[question.id] = answer
    if problems:
        raise AnswersInvalid(problems)
    return answers
