"""A second step before an irreversible action: a page that states what the action will do.

A form whose action cannot be undone posts to its view as usual; the view calls
``confirmation_needed(request)`` and, until the person has confirmed, answers with
``ask_to_confirm(...)``: a page naming the action and its consequences, with a form that posts
the same fields again plus ``confirmed=yes``. Only then does the view act, show a message and
record the action (with the person's name) in the object's history. Scripts use the API, which
asks nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED_FIELD = "confirmed"
_NOT_REPOSTED = {"csrfmiddlewaretoken", CONFIRMED_FIELD}


def confirmation_needed(request: HttpRequest) -> bool:
    """True while a POST has not passed through the confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRMED_FIELD) != "yes"


def ask_to_confirm(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    button: str,
    cancel_url: str,
    warnings: Iterable[str] = (),
    facts: Iterable[tuple[str, str]] = (),
    danger: bool = True,
) -> HttpResponse:
    """The confirmation page: what will happen, then "confirm" (the same POST again) or "cancel".

    ``consequences`` are sentences stating what the action does and that it cannot be undone;
    ``warnings`` are shown above them (e.g. "the deadline is in two months"); ``facts`` are
    label/value pairs (e.g. the total of a score sheet). Uploaded files are not reposted, so a
    form with files must not ask through this page.
    """
    fields = [
        (name, value)
        for name in request.POST
        if name not in _NOT_REPOSTED
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": title,
            "consequences": list(consequences),
            "warnings": list(warnings),
            "facts": list(facts),
            "button": button,
            "cancel_url": cancel_url,
            "fields": fields,
            "action_url": request.get_full_path(),
            "danger": danger,
        },
    )
