"""Pages of member self-service: the member organisation's page, its confirmations and
contests, invitations, and the list of contested memberships (docs/self-service.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed

from . import selectors, selfservice
from .models import Membership, MembershipConfirmationEvent


class ContestForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this membership?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=selfservice.REASON_MAX_LENGTH,
    )


class InvitationForm(forms.Form):
    nip = forms.CharField(label=_("NIP of the organisation"), max_length=20)
    email = forms.EmailField(label=_("E-mail address of the person"))


class NewAccountForm(forms.Form):
    username = forms.CharField(label=_("Login"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext("The two passwords differ."))
        elif first:
            try:
                validate_password(first)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


def _organisation_user(request: HttpRequest) -> Any:
    if not selfservice.is_member_organisation_user(request.user):
        raise PermissionDenied
    return request.user


@login_required
@require_GET
def my_organisation(request: HttpRequest) -> HttpResponse:
    user = _organisation_user(request)
    memberships = list(selfservice.memberships_of(user.organisation_id))
    context = {
        "organisation": user.organisation,
        "memberships": memberships,
        "today": selectors.today(),
        "contested": sum(1 for m in memberships if m.contested_at),
    }
    return render(request, "registry/my_organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_answer(request: HttpRequest, membership_pk: int) -> HttpResponse:
    user = _organisation_user(request)
    membership = get_object_or_404(
        selfservice.memberships_of(user.organisation_id).select_related(
            "organisation", "cluster__coordinator"
        ),
        pk=membership_pk,
    )
    form = ContestForm(request.POST if request.POST.get("action") == "contest" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                selfservice.confirm(membership_id=membership.pk, by=user)
                done = gettext("You confirmed the membership of %(cluster)s.")
            elif action == "contest" and form.is_valid():
                if membership.confirmation_state != "contested" and confirmation_needed(request):
                    return _confirm_contest(request, membership, form.cleaned_data["reason"])
                selfservice.contest(
                    membership_id=membership.pk, reason=form.cleaned_data["reason"], by=user
                )
                done = gettext(
                    "You contested the membership of %(cluster)s: its coordinator and the "
                    "operators see it, and verification answers say it is contested."
                )
            elif action == "withdraw":
                selfservice.withdraw_contest(membership_id=membership.pk, by=user)
                done = gettext("You withdrew the contest of the membership of %(cluster)s.")
            else:
                done = ""
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.error(request, " ".join(exc.messages))
        except Membership.DoesNotExist:  # it was removed meanwhile
            messages.error(request, gettext("This membership is no longer in the registry."))
            return redirect("registry:my-organisation")
        else:
            if done:
                messages.success(request, done % {"cluster": membership.cluster.name})
                return redirect("registry:my-organisation")
    events = list(
        MembershipConfirmationEvent.objects.filter(membership=membership).order_by("-at", "-pk")
    )
    context = {"membership": membership, "form": form, "events": events}
    return render(request, "registry/membership_answer.html", context)


def _confirm_contest(request: HttpRequest, membership: Membership, reason: str) -> HttpResponse:
    """What contesting the membership does, before it is done (changing the reason of a
    contest already made asks nothing)."""
    values = {
        "organisation": membership.organisation.name,
        "cluster": membership.cluster.name,
        "coordinator": membership.cluster.coordinator.name,
        "reason": reason.strip(),
    }
    return ask_to_confirm(
        request,
        title=gettext("Contest the membership of %(cluster)s?") % values,
        facts=[
            (gettext("Cluster"), membership.cluster.name),
            (gettext("Role"), membership.get_role_display()),
            (gettext("Joined on"), date_format(membership.joined_on, "SHORT_DATE_FORMAT")),
            (
                gettext("Left on"),
                date_format(membership.left_on, "SHORT_DATE_FORMAT") if membership.left_on else "—",
            ),
            (gettext("Reason"), values["reason"]),
        ],
        consequences=[
            gettext(
                "The membership of %(organisation)s in %(cluster)s is marked as contested, "
                "with your reason, and the contest is recorded with your name."
            )
            % values,
            gettext(
                "The cluster's coordinator (%(coordinator)s) and the operators see it on their "
                "lists, and funding agencies' checks and your organisation's membership "
                "certificates say that the membership is contested."
            )
            % values,
            gettext(
                "The membership itself does not change. The flag stays until you withdraw the "
                "contest on this page."
            ),
        ],
        button=gettext("Contest the membership"),
        cancel_url=reverse("registry:membership-answer", args=[membership.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    if not selfservice.may_invite(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = selfservice.invite(
                nip=form.cleaned_data["nip"],
                email=form.cleaned_data["email"],
                by=request.user,
                request_base=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error("nip", str(exc))
        else:
            messages.success(
                request,
                gettext("An invitation to represent %(organisation)s was sent to %(email)s.")
                % {"organisation": invitation.organisation.name, "email": invitation.email},
            )
            return redirect("registry:invitations")
    sent = selfservice.invitations_visible_to(request.user)[:200]
    context = {
        "form": form,
        "invitations": sent,
        "is_operator": selfservice.is_operator(request.user),
        "days": selfservice.invitation_days(),
    }
    return render(request, "registry/invitations.html", context)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selfservice.invitation_for_token(token)
    if invitation is None:
        return render(request, "registry/invitation_invalid.html", status=404)
    user = request.user
    form = None
    if not user.is_authenticated:
        form = NewAccountForm(
            request.POST or None, initial={"username": invitation.email.split("@")[0]}
        )
    if request.method == "POST":
        try:
            if user.is_authenticated:
                selfservice.accept_invitation(invitation=invitation, user=user)
            elif form is not None and form.is_valid():
                data = form.cleaned_data
                user = selfservice.accept_invitation_as_new_user(
                    invitation=invitation,
                    username=data["username"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                user = None
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.error(request, " ".join(exc.messages))
        else:
            if user is not None:
                messages.success(
                    request,
                    gettext("You now represent %(organisation)s.")
                    % {"organisation": invitation.organisation.name},
                )
                return redirect("registry:my-organisation")
    login_url = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
    context = {"invitation": invitation, "form": form, "login_url": login_url}
    return render(request, "registry/invitation_accept.html", context)


@login_required
@require_GET
def contested_list(request: HttpRequest) -> HttpResponse:
    if selfservice.is_operator(request.user):
        found = selfservice.contested()
    elif request.user.has_role("coordinator") and request.user.organisation_id is not None:
        found = selfservice.contested(coordinator_organisation_id=request.user.organisation_id)
    else:
        raise PermissionDenied
    return render(request, "registry/contested_list.html", {"memberships": list(found)})
