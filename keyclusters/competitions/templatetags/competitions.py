"""Template filters that put the workflow's codes and the explanations into words."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import gettext

from keyclusters.domain.points import round_points
from keyclusters.domain.rulebook.parametric import PLAIN, RATIO, SENTENCES, UPPER

from ..labels import ACTIONS, APPLICATION_STATES

register = template.Library()


@register.filter
def state_label(code: str) -> str:
    return str(APPLICATION_STATES.get(code, code))


@register.filter
def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


@register.filter
def person(user) -> str:
    """The name of whoever did something: the full name, else the login; nobody: the system."""
    from keyclusters.registry.selfservice import person_name

    return person_name(user)


def _number(text: object, places: int | None = None) -> str:
    if text is None:
        return "—"
    try:
        number = Decimal(str(text))
    except InvalidOperation:
        return str(text)
    if places is not None and number.as_tuple().exponent < -places:  # type: ignore[operator]
        number = round_points(number, places).normalize()
    return formats.number_format(number, use_l10n=True)


@register.filter
def explain(row: dict) -> str:
    """The sentence of a parametric criterion's stored result, in the active language."""
    explanation = row.get("explanation") or {}
    bracket = explanation.get("bracket") or {}
    params = {
        "criterion": explanation.get("criterion", ""),
        "field": explanation.get("field", ""),
        "per": explanation.get("per") or "",
        "numerator": _number(explanation.get("numerator")),
        "denominator": _number(explanation.get("denominator")),
        "value": _number(explanation.get("value"), places=4),
        "min": _number(bracket.get("min")),
        "next": _number(bracket.get("next_min")),
        "points": _number(explanation.get("points")),
        "max": _number(explanation.get("max")),
    }
    if explanation.get("outcome") == "below-first-bracket":
        params["min"] = _number((row.get("params") or {}).get("min"))
    params["value_text"] = gettext(RATIO if params["per"] else PLAIN) % params
    params["upper"] = gettext(UPPER) % params if bracket.get("next_min") is not None else ""
    sentence = SENTENCES.get(explanation.get("outcome", ""), "")
    return gettext(sentence) % params if sentence else ""


@register.filter
def field_labels(items, application) -> str:
    """The rulebook's labels of field ids, in the active language, joined with commas."""
    from django.utils.translation import get_language

    from keyclusters.domain.rulebook.model import localized

    rulebook = application.call.rulebook.parsed()
    language = (get_language() or "pl")[:2]
    labels = {spec.id: localized(spec.title, language) or spec.id for spec in rulebook.fields}
    return ", ".join(labels.get(item, item) for item in items or [])


@register.filter
def stage_title(stage_id: str, stored_rulebook) -> str:
    """A stage's title from the call's rulebook, in the active language (``merit_first`` →
    "Merit evaluation – part I: expert evaluation"); ``stored_rulebook`` is a StoredRulebook."""
    from ..rulebook_words import stage_title as title

    if not stage_id:
        return ""
    if stored_rulebook is None:
        return stage_id
    return title(stored_rulebook.parsed(), stage_id)


@register.filter
def field_title(field_id: str, stored_rulebook) -> str:
    """A field's title from the call's rulebook, in the active language (``years_active`` →
    "Years of operation"); ``stored_rulebook`` is a StoredRulebook."""
    from ..rulebook_words import field_title as title

    if stored_rulebook is None:
        return field_id
    return title(stored_rulebook.parsed(), field_id)


@register.inclusion_tag("competitions/_illustrative.html", takes_context=True)
def illustrative_note(context, rulebook) -> dict:
    """What in the rulebook is not official (its ``illustrative`` list), said wherever its points
    are shown: the topics in the reader's language, the rulebook's own texts in theirs."""
    from django.utils.translation import get_language

    from keyclusters.domain.rulebook import ILLUSTRATIVE_TOPICS
    from keyclusters.domain.rulebook.model import illustrative_topic, localized

    from ..rulebook_words import stage_title

    parsed = rulebook.parsed() if hasattr(rulebook, "parsed") else rulebook
    language = (get_language() or "pl")[:2]
    items = []
    for code, text in parsed.illustrative_texts:
        if code is None:
            items.append(localized(text, language))
            continue
        topic = illustrative_topic(code)
        if topic is None:
            continue
        words = gettext(ILLUSTRATIVE_TOPICS[topic[0]])
        if topic[1] is not None and topic[1] <= len(parsed.stages):
            words = f"{words}: {stage_title(parsed, parsed.stages[topic[1] - 1].id)}"
        items.append(words)
    return {"items": items}
