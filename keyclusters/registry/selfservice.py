"""Member self-service: invitations of the people who represent a member organisation, and
their confirmations and contests of its memberships (docs/self-service.md).

Every write validates first and then changes the rows in one transaction with the row
concerned locked (the membership for a confirmation, the invitation for its acceptance), and
records who acted and when; bad input writes nothing. The registry's other writers are in
:mod:`.services`.

A person represents one organisation: ``accounts.User.organisation`` (a coordinator's is the
organisation that coordinates their clusters, a member organisation user's the organisation
they speak for). Accepting an invitation sets it and adds the member organisation role; an
account already representing another organisation cannot accept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, F, QuerySet, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from keyclusters.accounts.roles import Role
from keyclusters.domain import identifiers

from .models import (
    ConfirmationState,
    Membership,
    MembershipConfirmation,
    MembershipConfirmationEvent,
    Organisation,
    OrganisationInvitation,
)

INVITATION_SALT = "keyclusters.registry.invitation"
DEFAULT_INVITATION_DAYS = 14
REASON_MAX_LENGTH = 2000


def invitation_days() -> int:
    """How many days an invitation's link works (``INVITATION_DAYS``, default 14)."""
    return int(getattr(settings, "INVITATION_DAYS", DEFAULT_INVITATION_DAYS))


def person_name(user: Any) -> str:
    """The name recorded beside an action: the full name, else the login."""
    if user is None:
        return gettext("the system")
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def _has_role(user: Any, role: Role) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.has_role(role))


def is_operator(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or _has_role(user, Role.OPERATOR)


def is_member_organisation_user(user: Any) -> bool:
    """The user represents a member organisation (the role, and an organisation set)."""
    return _has_role(user, Role.MEMBER_ORGANISATION) and user.organisation_id is not None


# --- invitations -----------------------------------------------------------------------------


def may_invite(user: Any) -> bool:
    """Operators and coordinators invite (a coordinator only for their clusters' members)."""
    return is_operator(user) or (
        _has_role(user, Role.COORDINATOR) and user.organisation_id is not None
    )


def invitable_by(user: Any, organisation: Organisation) -> bool:
    """An operator invites for any organisation; a coordinator for an organisation that has (or
    had) a membership of a cluster their organisation coordinates."""
    if is_operator(user):
        return True
    if not _has_role(user, Role.COORDINATOR) or user.organisation_id is None:
        return False
    return Membership.objects.filter(
        organisation=organisation, cluster__coordinator_id=user.organisation_id
    ).exists()


def invitation_token(invitation: OrganisationInvitation) -> str:
    """The signed token of the invitation's link (Django's signing, timestamped)."""
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_for_token(token: str) -> OrganisationInvitation | None:
    """The pending invitation the token names, or None (forged, expired, used, revoked)."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=invitation_days() * 86400)
    except signing.BadSignature:  # SignatureExpired included
        return None
    pk = data.get("invitation") if isinstance(data, dict) else None
    if not isinstance(pk, int):
        return None
    found = OrganisationInvitation.objects.select_related("organisation").filter(pk=pk).first()
    return found if found is not None and found.is_pending else None


def invite(
    *, nip: str, email: str, by: Any, request_base: str | None = None
) -> OrganisationInvitation:
    """Invite ``email`` to represent the organisation with ``nip``: record the invitation
    (earlier pending invitations of the same address for the organisation are revoked) and
    send the link by e-mail once the transaction commits.

    Raises ``ValidationError`` (keyed ``nip`` or ``email``) for an invalid or unknown NIP, and
    ``PermissionDenied`` when ``by`` may not invite for that organisation.
    """
    email = (email or "").strip()
    if not email:
        raise ValidationError({"email": gettext("Enter the person's e-mail address.")})
    try:
        normalised = identifiers.normalise_nip(nip or "")
    except identifiers.IdentifierError as exc:
        raise ValidationError(
            {
                "nip": gettext("%(value)s is not a valid NIP (%(reason)s)")
                % {"value": nip, "reason": gettext(exc.reason)}
            }
        ) from exc
    organisation = Organisation.objects.filter(nip=normalised).first()
    if organisation is None:
        raise ValidationError(
            {
                "nip": gettext("No organisation with NIP %(nip)s is in the registry.")
                % {"nip": normalised}
            }
        )
    if not invitable_by(by, organisation):
        raise PermissionDenied(
            gettext("%(organisation)s is not a member of a cluster you coordinate.")
            % {"organisation": organisation.name}
        )
    now = timezone.now()
    with transaction.atomic():
        OrganisationInvitation.objects.select_for_update().filter(
            organisation=organisation,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = OrganisationInvitation.objects.create(
            organisation=organisation, email=email, invited_at=now, invited_by=by
        )
        transaction.on_commit(lambda: _send_invitation(invitation, request_base))
    return invitation


def _send_invitation(invitation: OrganisationInvitation, request_base: str | None) -> None:
    path = reverse("registry:invitation-accept", kwargs={"token": invitation_token(invitation)})
    base = request_base or getattr(settings, "KEYCLUSTERS_PUBLIC_URL", "http://localhost:8000")
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": person_name(invitation.invited_by),
        "url": f"{base.rstrip('/')}{path}",
        "days": invitation_days(),
    }
    subject = render_to_string("registry/invitation_subject.txt", context).strip()
    body = render_to_string("registry/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])


def accept_invitation(*, invitation: OrganisationInvitation, user: Any) -> Any:
    """Link ``user`` (an existing account, signed in) to the invitation's organisation with the
    member organisation role. The invitation must still be pending (two acceptances at once:
    the second is refused), and the account must not represent another organisation."""
    with transaction.atomic():
        current = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not current.is_pending:
            raise ValidationError(gettext("This invitation was already used or withdrawn."))
        if user.organisation_id not in (None, current.organisation_id):
            raise ValidationError(
                gettext(
                    "Your account already represents another organisation; a person "
                    "represents one organisation. Ask for an invitation to another address."
                )
            )
        user.organisation_id = current.organisation_id
        user.save(update_fields=["organisation"])
        user.groups.add(Group.objects.get(name=Role.MEMBER_ORGANISATION.value))
        user._role_cache = None
        current.accepted_at, current.accepted_by = timezone.now(), user
        current.save(update_fields=["accepted_at", "accepted_by"])
    return user


def accept_invitation_as_new_user(
    *, invitation: OrganisationInvitation, username: str, password: str, first_name: str = "",
    last_name: str = "",
) -> Any:  # fmt: skip
    """Create the account (with the invitation's e-mail address) and accept the invitation,
    in one transaction; the password is validated by the caller (Django's validators)."""
    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": gettext("This login is taken; choose another.")})
        user = user_model(
            username=username, email=invitation.email, first_name=first_name, last_name=last_name
        )
        user.set_password(password)
        user.save()
        accept_invitation(invitation=invitation, user=user)
    return user


def invitations_visible_to(user: Any) -> QuerySet[OrganisationInvitation]:
    """An operator's view: every invitation; a coordinator's: the ones they sent."""
    found = OrganisationInvitation.objects.select_related("organisation", "invited_by")
    if is_operator(user):
        return found.order_by("-invited_at", "-pk")
    return found.filter(invited_by=user).order_by("-invited_at", "-pk")


# --- confirmations and contests --------------------------------------------------------------


def _membership_of(user: Any, membership_id: int) -> Membership:
    """The membership, locked, when it belongs to the organisation ``user`` represents."""
    if not is_member_organisation_user(user):
        raise PermissionDenied
    found = (
        Membership.objects.select_for_update()
        .filter(pk=membership_id, organisation_id=user.organisation_id)
        .first()
    )
    if found is None:
        raise Membership.DoesNotExist
    return found


def _record(membership: Membership, action: str, reason: str, by: Any) -> MembershipConfirmation:
    now = timezone.now()
    name = person_name(by)
    state = {
        MembershipConfirmationEvent.Action.CONFIRMED: ConfirmationState.CONFIRMED,
        MembershipConfirmationEvent.Action.CONTESTED: ConfirmationState.CONTESTED,
        MembershipConfirmationEvent.Action.WITHDRAWN: ConfirmationState.UNANSWERED,
    }[action]
    confirmation, _created = MembershipConfirmation.objects.update_or_create(
        membership=membership,
        defaults={
            "state": state,
            "reason": reason,
            "changed_at": now,
            "changed_by": by,
            "changed_by_name": name,
        },
    )
    MembershipConfirmationEvent.objects.create(
        membership=membership, action=action, reason=reason, at=now, by=by, by_name=name
    )
    return confirmation


def _current_state(membership: Membership) -> str:
    return (
        MembershipConfirmation.objects.filter(membership=membership)
        .values_list("state", flat=True)
        .first()
        or ConfirmationState.UNANSWERED
    )


def confirm(*, membership_id: int, by: Any) -> MembershipConfirmation:
    """The organisation confirms the membership (a contest of it ends)."""
    with transaction.atomic():
        membership = _membership_of(by, membership_id)
        return _record(membership, MembershipConfirmationEvent.Action.CONFIRMED, "", by)


def contest(*, membership_id: int, reason: str, by: Any) -> MembershipConfirmation:
    """The organisation contests the membership, saying why (required). The coordinator of its
    cluster and the operators see it, and verification answers carry the flag."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say what is wrong with this membership.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": gettext("Keep the reason under %(n)s characters.")
                % {"n": REASON_MAX_LENGTH}
            }
        )
    with transaction.atomic():
        membership = _membership_of(by, membership_id)
        return _record(membership, MembershipConfirmationEvent.Action.CONTESTED, reason, by)


def withdraw_contest(*, membership_id: int, by: Any) -> MembershipConfirmation:
    """The organisation withdraws its contest: the membership is no longer flagged (neither
    confirmed: it may confirm it next). Refused when the membership is not contested."""
    with transaction.atomic():
        membership = _membership_of(by, membership_id)
        if _current_state(membership) != ConfirmationState.CONTESTED:
            raise ValidationError(gettext("This membership is not contested."))
        return _record(membership, MembershipConfirmationEvent.Action.WITHDRAWN, "", by)


# --- reads -----------------------------------------------------------------------------------


def with_confirmation(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Annotate ``confirmation_state`` and ``contested_at`` (None unless contested): one
    outer join, whatever the number of memberships."""
    return memberships.annotate(
        confirmation_state=F("confirmation__state"),
        contested_at=Case(
            When(
                confirmation__state=ConfirmationState.CONTESTED,
                then=F("confirmation__changed_at"),
            ),
            default=None,
        ),
    )


def memberships_of(organisation_id: int) -> QuerySet[Membership]:
    """Every membership of the organisation across clusters (current first, then latest),
    with its confirmation (:func:`with_confirmation`), the reason and who changed it last."""
    return with_confirmation(
        Membership.objects.filter(organisation_id=organisation_id)
        .select_related("cluster", "confirmation")
        .order_by(F("left_on").desc(nulls_first=True), "-joined_on", "cluster__name", "pk")
    )


def contested(*, coordinator_organisation_id: int | None = None) -> QuerySet[Membership]:
    """Contested memberships, oldest contest first; only those of the clusters coordinated by
    ``coordinator_organisation_id`` when given."""
    found = Membership.objects.filter(confirmation__state=ConfirmationState.CONTESTED)
    if coordinator_organisation_id is not None:
        found = found.filter(cluster__coordinator_id=coordinator_organisation_id)
    return found.select_related("cluster", "organisation", "confirmation").order_by(
        "confirmation__changed_at", "pk"
    )
