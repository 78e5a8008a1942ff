"""Pages of the member surveys: the list of surveys (a coordinator opens one there), a survey's
page with its link (closing it early), its results, and the public answer page reached through
the link's token (no account)."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keyclusters.accounts.client_address import client_address
from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.statuses import sharedcache

from . import selectors, services
from .forms import AnswerForm, OpenSurveyForm
from .models import Survey

DEFAULT_ANSWER_RATE = "30/h"  # settings.SURVEY_ANSWER_RATE overrides it


def _require(request: HttpRequest, permission: str, obj: object = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _survey(pk: int) -> Survey:
    return get_object_or_404(Survey.objects.select_related("cluster", "framework"), pk=pk)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    """The surveys the person may see; a coordinator opens one of their clusters' here."""
    _require(request, "surveys.list_surveys")
    today = timezone.localdate()
    clusters = selectors.coordinated_clusters(request.user)
    initial = {"year": today.year - 1, "cluster": request.GET.get("cluster", "")}
    form = OpenSurveyForm(request.POST or None, clusters=clusters, initial=initial)
    if request.method == "POST":
        if not clusters.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                survey = services.open_survey(
                    cluster=form.cleaned_data["cluster"],
                    year=form.cleaned_data["year"],
                    closes_on=form.cleaned_data["closes_on"],
                    by=request.user,
                    today=today,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The survey is open: distribute its link."))
                return redirect("surveys:survey", pk=survey.pk)
    return render(
        request,
        "surveys/survey_list.html",
        {
            "surveys": selectors.surveys_for(request.user),
            "form": form if clusters.exists() else None,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator's page of a survey: the link to distribute, the number of answers and
    closing it early (asked first)."""
    survey = _survey(pk)
    _require(request, "surveys.manage_survey", survey)
    today = timezone.localdate()
    if request.method == "POST":
        if confirmation_needed(request):
            return ask_to_confirm(
                request,
                title=_("Close the survey now?"),
                facts=[
                    (_("Cluster"), survey.cluster.name),
                    (_("Year"), str(survey.year)),
                    (_("Last day of answers"), date_format(survey.closes_on, "j E Y")),
                ],
                consequences=[
                    _(
                        "The link stops accepting answers at once; the survey cannot be opened "
                        "again for this year."
                    ),
                    _("Its results are shown from then on, if enough members have answered."),
                ],
                button=_("Close the survey"),
                cancel_url=reverse("surveys:survey", args=[survey.pk]),
            )
        try:
            services.close_survey(survey=survey, by=request.user, today=today)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The survey is closed."))
        return redirect("surveys:survey", pk=survey.pk)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "link": request.build_absolute_uri(reverse("surveys:answer", args=[survey.token])),
            "answers": selectors.answer_count(survey),
            "is_open": survey.is_open(today),
            "minimum": survey.definition.minimum_answers,
        },
    )


@login_required
@require_GET
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The results, once the survey is closed and enough members answered; while it is open only
    the number of answers and why nothing more is shown."""
    survey = _survey(pk)
    _require(request, "surveys.read_results", survey)
    return render(
        request,
        "surveys/survey_results.html",
        {
            "survey": survey,
            "results": selectors.results(survey, today=timezone.localdate()),
            "may_manage": request.user.has_perm("surveys.manage_survey", survey),
        },
    )


# --- the public answer page ----------------------------------------------------------------


def _answer_refused(request: HttpRequest) -> bool:
    """Whether this submission goes over ``SURVEY_ANSWER_RATE`` (e.g. ``"30/h"``) for the
    client's address, counted in fixed windows in Django's cache like the certificate checks.
    The cache key holds a keyed hash of the address, never the address; nothing is stored in
    the database."""
    rate = getattr(settings, "SURVEY_ANSWER_RATE", DEFAULT_ANSWER_RATE)
    if not rate:
        return False
    number, _slash, unit = rate.partition("/")
    window = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit[:1], 3600)
    address = client_address(request) or "unknown"
    digest = hashlib.blake2b(
        address.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16
    ).hexdigest()
    key = f"survey-answer:{digest}:{int(time.time() // window)}"
    count = sharedcache.attempt(lambda: sharedcache.count(key, window + 1), 0)
    return count > int(number)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey's questions in the page's language; a submission is recorded with its day
    only. Repeated submissions are accepted (nothing may tell who answered), limited per
    address."""
    survey = get_object_or_404(Survey.objects.select_related("cluster", "framework"), token=token)
    today = timezone.localdate()
    context: dict = {"survey": survey}
    if not survey.is_open(today):
        return render(request, "surveys/answer_closed.html", context)
    definition = survey.definition
    form = AnswerForm(definition, request.POST or None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if _answer_refused(request):
            return render(request, "surveys/answer_refused.html", context, status=429)
        try:
            services.submit_answers(survey=survey, raw=form.raw(), today=today)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # closed in the meantime
                return render(request, "surveys/answer_closed.html", context)
            errors = exc.message_dict
        else:
            return render(request, "surveys/answer_thanks.html", context)
    context.update(
        form=form,
        errors=[message for messages_ in errors.values() for message in messages_],
        questions=[
            (form[question.id], question.required, errors.get(question.id, []))
            for question in definition.questions
        ],
    )
    return render(
        request,
        "surveys/answer.html",
        context,
    )
