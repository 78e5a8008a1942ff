"""The verification API (funding agencies, API key in ``X-API-Key``) and certificate checks.

``GET /verification`` and ``POST /verification/bulk`` answer whether companies (by NIP) are
key-cluster members on a date; ``GET /certificates/{code}`` checks a certificate (public);
the health checks are in :mod:`keyclusters.api.health`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Path, Query, Router, Schema
from ninja.security import APIKeyHeader
from ninja.throttling import AuthRateThrottle
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from . import index, instruments, selectors, services, sharedcache
from .models import Certificate

router = Router(tags=["verification"])

DEFAULT_RATE = "600/m"  # settings.VERIFICATION_API_RATE overrides it
BULK_LIMIT = 100_000
STALE = "Present (true) only when answered while the database did not answer"
AS_OF = "With stale: when the answering copy was last confirmed by the database"


class ApiKeyAuth(APIKeyHeader):
    """A funding agency's key (``<prefix>.<secret>``), checked against the stored hash."""

    param_name = "X-API-Key"

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.META.get("HTTP_X_API_KEY")  # without building ``request.headers``

    def authenticate(self, request: HttpRequest, key: str | None):
        return services.authenticate_api_key(key)


class ApiKeyRateThrottle(AuthRateThrottle):
    """At most ``VERIFICATION_API_RATE`` requests per API key (e.g. ``"600/m"``), counted in
    fixed windows in Django's cache: with ``CACHE_URL`` (Redis) one count for every process and
    host, otherwise one per process."""

    scope = "verification"
    _parsed: dict[str, tuple[int | None, int | None]] = {}

    def __init__(self) -> None:
        super().__init__(rate=DEFAULT_RATE)

    def _limits(self) -> tuple[int | None, int | None]:
        rate = getattr(settings, "VERIFICATION_API_RATE", DEFAULT_RATE)
        if rate not in self._parsed:
            self._parsed[rate] = self.parse_rate(rate)
        return self._parsed[rate]

    def allow_request(self, request: HttpRequest) -> bool:
        self.num_requests, self.duration = self._limits()
        if self.num_requests is None or not self.duration:
            return True
        now = time.time()
        window = int(now // self.duration)
        self.remaining = self.duration - (now - window * self.duration)
        ident = getattr(request.auth, "prefix", None) or self.get_ident(request)  # type: ignore[attr-defined]
        key = self.cache_format % {"scope": self.scope, "ident": f"{ident}:{window}"}
        # A cache that does not answer lets the request through (sharedcache's docstring).
        count = sharedcache.attempt(lambda: sharedcache.count(key, self.duration + 1), 0)
        return count <= self.num_requests

    def wait(self) -> float | None:
        return getattr(self, "remaining", None)


_throttle = ApiKeyRateThrottle()
_auth = ApiKeyAuth()


class ClusterRef(Schema):
    id: int
    name: str


class StatusOut(Schema):
    round: str
    valid_from: dt.date
    valid_to: dt.date


class MembershipOut(Schema):
    cluster: ClusterRef
    role: str = Field(description="member or coordinator")
    member_since: dt.date = Field(
        description="The start the registry counts: joined_on, or while the evidence of a "
        "backdated start is not accepted, the day the membership was recorded"
    )
    member_since_basis: str = Field(
        description="joined (the start as given), recorded (counted from the day it was "
        "recorded: evidence not accepted) or evidence (an operator accepted the evidence)"
    )
    member_since_basis_on: dt.date = Field(
        description="The date of the basis: joined_on, the recording day or the acceptance day"
    )
    counted_from: dt.date | None = Field(
        None, description="The same as member_since: the start the registry counts"
    )
    counted_from_basis: str | None = Field(
        None, description="The same as member_since_basis: joined, recorded or evidence"
    )
    joined_on: dt.date = Field(description="The start as the cluster gave it")
    member_until: dt.date | None
    contested: bool = Field(
        False,
        description="The member organisation itself contests this membership (it says the "
        "registry is wrong); the membership still counts until the registry is corrected",
    )
    contested_on: dt.date | None = Field(
        None, description="When the organisation contested it (null when not contested)"
    )
    status_type: str | None = Field(
        None, description="The code of the type of the status that counts (kkk, pkw, …)"
    )
    status: StatusOut


class InstrumentRef(Schema):
    id: str = Field(description="The instrument's id in the catalogue")
    version: int = Field(description="The version of the catalogue that answered")
    sha256: str = Field(description="The SHA-256 of that version's text")


class EvaluatedOut(Schema):
    cluster: ClusterRef
    role: str | None
    counted_from: dt.date | None
    months: int | None = Field(None, description="Whole months of membership on the date")
    min_months: int
    status_type: str | None
    status_held_since: dt.date | None = Field(
        None, description="Since when the cluster held an admitted status without a break"
    )


class VerificationOut(Schema):
    nip: str = Field(description="The NIP as 10 digits")
    on: dt.date
    key_cluster_member: bool
    key_cluster_coordinator: bool
    memberships: list[MembershipOut] = Field(description="Only the memberships that count")
    instrument: InstrumentRef | None = Field(
        None, description="With instrument: the instrument as the catalogue's version writes it"
    )
    eligible: bool | None = Field(None, description="With instrument: its terms are met")
    reason: str | None = Field(
        None,
        description="With instrument, when not eligible: not-a-member, status-type-not-admitted, "
        "coordinator-only, membership-too-short or status-not-held-throughout",
    )
    evaluated: EvaluatedOut | None = Field(
        None, description="With instrument: the membership the answer is about, in figures"
    )
    stale: bool = Field(False, description=STALE)
    as_of: dt.datetime | None = Field(None, description=AS_OF)


class BulkIn(Schema):
    on: dt.date | None = Field(None, description="The date (default today)")
    min_months: int | None = Field(None, ge=0, le=1200)
    instrument: str | None = Field(
        None, max_length=100, description="A funding instrument's id in the catalogue"
    )
    nips: list[str] = Field(..., max_length=BULK_LIMIT)


class OrganisationRef(Schema):
    name: str = Field(description="The organisation's name in the registry")


class BulkResultOut(VerificationOut):
    valid: bool = Field(True, description="The NIP is valid (it was answered)")
    organisation: OrganisationRef | None = Field(
        None, description="The organisation with this NIP in the registry (null when unknown)"
    )


class InvalidNipOut(Schema):
    nip: str = Field(description="The value as it was sent")
    valid: bool = Field(False, description="Always false: the value is not a valid NIP")
    error: str = Field(description="Why it is not a valid NIP, in words")


class BulkOut(Schema):
    results: list[BulkResultOut | InvalidNipOut] = Field(
        description="One result per NIP, in order: an answer, or for a value that is not a "
        "valid NIP a result with valid false and the reason"
    )
    stale: bool = Field(False, description=STALE)
    as_of: dt.datetime | None = Field(None, description=AS_OF)


class ErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[ErrorItem]


class MessageOut(Schema):
    detail: str


class VerificationQuery(Schema):
    nip: str = Field(..., description="NIP, with or without dashes, spaces or a PL prefix")
    on: dt.date | None = Field(None, description="The date (default today)")
    min_months: int | None = Field(
        None, ge=0, le=1200, description="Membership began at least N calendar months before"
    )
    instrument: str | None = Field(
        None,
        max_length=100,
        description="A funding instrument's id in the catalogue: its terms are tested and the "
        "answer says eligible or not, with the reason",
    )


def _json(data: object, status: int = 200) -> HttpResponse:
    # orjson writes the same bytes as json.dumps(ensure_ascii=False, separators=(",", ":"))
    # for these answers (strings, numbers, booleans, null), five times faster: a bulk answer
    # of 100,000 NIPs is some 70 MB with an instrument
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


def _answer(data: dict) -> HttpResponse:
    """An answer; from a copy the database could not confirm (it does not answer) marked
    ``"stale": true`` with ``as_of`` (when it was last confirmed) and the ``Age`` header."""
    as_of = index.stale_as_of()
    if as_of is None:
        return _json(data)
    response = _json({**data, "stale": True, "as_of": as_of.isoformat()})
    response["Age"] = str(max(0, int((dt.datetime.now(dt.UTC) - as_of).total_seconds())))
    return response


def _unknown_instrument(exc: instruments.UnknownInstrument, loc: list[str]) -> HttpResponse:
    detail = [{"type": "unknown_instrument", "loc": loc, "msg": exc.message}]
    return _json({"detail": detail}, status=422)


def _invalid(errors: list[selectors.InvalidNip], loc: list[str]) -> HttpResponse:
    detail = [
        {"type": "invalid_nip", "loc": [*loc, *([e.index] if e.index is not None else [])],
         "msg": e.message}
        for e in errors
    ]  # fmt: skip
    return _json({"detail": detail}, status=422)


ERRORS = {
    400: MessageOut, 401: MessageOut, 422: ValidationErrorOut, 429: MessageOut, 503: MessageOut
}  # fmt: skip


@router.get(
    "/verification",
    response={200: VerificationOut, **ERRORS},
    auth=_auth,
    throttle=_throttle,
    summary="Is this company a key-cluster member on a date?",
)
def verification(request: HttpRequest, query: Query[VerificationQuery]):
    try:
        nip = selectors.normalise_nip(query.nip)
    except selectors.InvalidNip as exc:
        return _invalid([exc], ["query", "nip"])
    on = query.on or selectors.today()
    chosen = None
    if query.instrument is not None:
        try:
            chosen = instruments.choose(query.instrument)
        except instruments.UnknownInstrument as exc:
            return _unknown_instrument(exc, ["query", "instrument"])
    answer = selectors.verify_nip(nip, on=on, min_months=query.min_months, instrument=chosen)
    return _answer(answer)


@router.post(
    "/verification/bulk",
    response={200: BulkOut, **ERRORS},
    auth=_auth,
    throttle=_throttle,
    summary="The same for up to 100,000 NIPs (results in the order of the NIPs; an invalid "
    "NIP is a result marked invalid with its reason)",
)
def verification_bulk(request: HttpRequest, payload: BulkIn):
    on = payload.on or selectors.today()
    chosen = None
    if payload.instrument is not None:
        try:
            chosen = instruments.choose(payload.instrument)
        except instruments.UnknownInstrument as exc:
            return _unknown_instrument(exc, ["body", "payload", "instrument"])
    results = selectors.verify_values(
        payload.nips, on=on, min_months=payload.min_months, instrument=chosen
    )
    return _answer({"results": results})


class CertificateCheckOut(Schema):
    genuine: bool
    code: str | None = None
    kind: str | None = Field(None, description="status or membership")
    subject: str | None = None
    issued_on: dt.date | None = None
    certifies: dict | None = Field(None, description="What the certificate certifies")
    status_valid_today: bool | None = Field(None, description="Status certificates only")
    status_state_today: str | None = None
    withdrawn_on: dt.date | None = None
    state: str = Field(
        "unknown",
        description="valid, revoked (the status was withdrawn), expired (the status ended), "
        "not-yet-valid (the status begins later) or unknown (no certificate has the code)",
    )
    expired_on: dt.date | None = Field(None, description="With expired: the status's last day")
    issuer: str | None = Field(None, description="The authority that issued the certificate")


def _without_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", gettext("must not contain a NUL character"))
    return value


# A code no certificate can have (longer than the stored codes, or with a NUL character, which
# the database refuses) is answered 422 with the reason; an unknown code is "not genuine".
CertificateCode = Annotated[
    str,
    Path(..., max_length=Certificate._meta.get_field("code").max_length),
    AfterValidator(_without_nul),
]


@router.get(
    "/certificates/{code}",
    response={200: CertificateCheckOut, 422: ValidationErrorOut},
    summary="Is a certificate code genuine, and what does it certify?",
)
def certificate(request: HttpRequest, code: CertificateCode):
    found = Certificate.objects.select_related("status_grant").filter(code=code).first()
    return services.certificate_check(found, today=selectors.today())
