"""Issue #12: organisations are shared records, and memberships a ledger.

A coordinator's import or form never rewrites an organisation that exists (its differing values
become warnings and change requests for operators); every membership records who entered it
and when; a start in the future is refused; a backdated start needs evidence, which an operator
accepts or rejects (the effect on verification: tests/statuses/test_counted_start.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from keyclusters.registry import importing, selectors, services
from keyclusters.registry.importing import ImportRejected, ImportWarning
from keyclusters.registry.models import (
    EvidenceState,
    Membership,
    MembershipEvidence,
    Organisation,
    OrganisationChangeRequest,
)
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RIVAL_NIP, MEMBER_NIP, NEW_NIP = "7251801126", "5261040828", "1132853869"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def rival():
    """Cluster B: its coordinator and one member enterprise, as the registry holds them."""
    coordinator = OrganisationFactory(
        name="Fundacja Rywal", nip=RIVAL_NIP, kind="business-support", size="",
        voivodeship="lodzkie", city="Łódź",
    )  # fmt: skip
    cluster = ClusterFactory(name="Klaster B", coordinator=coordinator)
    member = OrganisationFactory(
        name="Zakład Rywala", nip=MEMBER_NIP, kind="enterprise", size="medium",
        voivodeship="lodzkie", city="Zgierz",
    )  # fmt: skip
    MembershipFactory(cluster=cluster, organisation=member, joined_on=dt.date(2019, 1, 1))
    return cluster


@pytest.fixture
def own():
    cluster = ClusterFactory(name="Klaster A")
    user = UserFactory(username="koordynator-a", roles=["coordinator"])
    user.organisation = cluster.coordinator
    user.save()
    return cluster, user


@pytest.fixture
def operator():
    return UserFactory(username="operator", first_name="Olga", last_name="Operator",
                       roles=["operator"])  # fmt: skip


def _values(nip):
    return (
        Organisation.objects.filter(nip=nip)
        .values_list("name", "kind", "size", "voivodeship", "city")
        .get()
    )


def today():
    return timezone.localdate()


HOSTILE = (
    "name,nip,kind,size,voivodeship,city,joined_on\n"
    f'"=HYPERLINK(""http://x.example"")",{RIVAL_NIP},enterprise,micro,lodzkie,Łódź,2024-01-01\n'
    f"Zakład Rywala,{MEMBER_NIP},enterprise,micro,mazowieckie,Zgierz,2024-01-01\n"
    f"Nowa Firma,{NEW_NIP},enterprise,small,lodzkie,Łódź,2024-01-01\n"
)


def test_a_hostile_import_leaves_the_rivals_organisations_and_lists_the_differences(
    rival, own, settings
):
    settings.MEMBERSHIP_BACKDATING_DAYS = 100_000  # the starts are not what is tested here
    cluster, coordinator = own
    report = importing.import_members(
        cluster=cluster, source=HOSTILE.encode(), filename="m.csv", by=coordinator
    )
    assert _values(RIVAL_NIP) == ("Fundacja Rywal", "business-support", "", "lodzkie", "Łódź")
    assert _values(MEMBER_NIP) == ("Zakład Rywala", "enterprise", "medium", "lodzkie", "Zgierz")
    assert report.warnings == (
        ImportWarning(2, "name", "Fundacja Rywal", '=HYPERLINK("http://x.example")'),
        ImportWarning(2, "kind", "business-support", "enterprise"),
        ImportWarning(2, "size", "", "micro"),
        ImportWarning(3, "size", "medium", "micro"),
        ImportWarning(3, "voivodeship", "lodzkie", "mazowieckie"),
    )
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert _values(NEW_NIP) == ("Nowa Firma", "enterprise", "small", "lodzkie", "Łódź")
    requests = OrganisationChangeRequest.objects.order_by("pk").values_list(
        "organisation__nip", "field", "registry_value", "proposed_value", "cluster__name",
        "source", "row", "proposed_by__username", "state",
    )  # fmt: skip
    assert list(requests) == [
        (RIVAL_NIP, "name", "Fundacja Rywal", '=HYPERLINK("http://x.example")', "Klaster A",
         "import", 2, "koordynator-a", "pending"),
        (RIVAL_NIP, "kind", "business-support", "enterprise", "Klaster A", "import", 2,
         "koordynator-a", "pending"),
        (RIVAL_NIP, "size", "", "micro", "Klaster A", "import", 2, "koordynator-a", "pending"),
        (MEMBER_NIP, "size", "medium", "micro", "Klaster A", "import", 3, "koordynator-a",
         "pending"),
        (MEMBER_NIP, "voivodeship", "lodzkie", "mazowieckie", "Klaster A", "import", 3,
         "koordynator-a", "pending"),
    ]  # fmt: skip
    # the same file again proposes nothing new
    importing.import_members(cluster=cluster, source=HOSTILE.encode(), filename="m.csv",
                             by=coordinator)  # fmt: skip
    assert OrganisationChangeRequest.objects.count() == 5


def test_the_import_page_shows_the_warnings_by_their_labels(client, rival, own, settings):
    settings.MEMBERSHIP_BACKDATING_DAYS = 100_000
    settings.LANGUAGE_CODE = "en"
    cluster, coordinator = own
    client.force_login(coordinator)
    upload = SimpleUploadedFile("m.csv", HOSTILE.encode(), content_type="text/csv")
    response = client.post(f"/clusters/{cluster.pk}/manage/import/", {"file": upload})
    assert response.status_code == 200
    assert response.context["warnings"] == [
        {"row": 2, "column": "name", "registry_value": "Fundacja Rywal",
         "file_value": '=HYPERLINK("http://x.example")'},
        {"row": 2, "column": "kind", "registry_value": "Business-support institution",
         "file_value": "Enterprise"},
        {"row": 2, "column": "size", "registry_value": "", "file_value": "Micro"},
        {"row": 3, "column": "size", "registry_value": "Medium", "file_value": "Micro"},
        {"row": 3, "column": "voivodeship", "registry_value": "Łódź",
         "file_value": "Masovian"},
    ]  # fmt: skip
    assert _values(RIVAL_NIP) == ("Fundacja Rywal", "business-support", "", "lodzkie", "Łódź")


def test_an_operators_import_still_updates_organisations(rival, operator, settings):
    settings.MEMBERSHIP_BACKDATING_DAYS = 100_000
    source = (
        f"name,nip,kind,joined_on\nFundacja Rywal Nowa,{RIVAL_NIP},business-support,2024-01-01\n"
    )
    report = importing.import_members(
        cluster=ClusterFactory(), source=source.encode(), filename="m.csv", by=operator
    )
    assert (report.created, report.updated, report.warnings) == (1, 0, ())
    assert _values(RIVAL_NIP)[0] == "Fundacja Rywal Nowa"


def test_the_form_proposes_instead_of_overwriting(rival, own):
    cluster, coordinator = own
    membership = services.add_membership(
        cluster=cluster,
        organisation_data={"nip": MEMBER_NIP, "name": "Inna Nazwa", "kind": "", "city": "Zgierz"},
        role="member", joined_on=today(), by=coordinator,
    )  # fmt: skip
    assert membership.organisation.name == "Zakład Rywala"
    proposed = [
        (r.field, r.registry_value, r.proposed_value, r.source) for r in membership.proposals
    ]
    assert proposed == [("name", "Zakład Rywala", "Inna Nazwa", "form")]
    assert _values(MEMBER_NIP)[0] == "Zakład Rywala"


def test_an_operator_applies_or_dismisses_a_change_request_once(rival, own, operator):
    cluster, coordinator = own
    importing.import_members(
        cluster=cluster, filename="m.csv", by=coordinator,
        source=f"name,nip,joined_on\nRywal SA,{RIVAL_NIP},{today().isoformat()}\n".encode(),
    )  # fmt: skip
    request = OrganisationChangeRequest.objects.get()
    decided = services.decide_change_request(change_request=request, apply=True, by=operator)
    assert (decided.state, decided.decided_by, _values(RIVAL_NIP)[0]) == (
        "applied",
        operator,
        "Rywal SA",
    )
    last = Organisation.history.filter(nip=RIVAL_NIP).latest("history_date")
    assert (last.name, last.history_user, last.history_change_reason) == (
        "Rywal SA",
        operator,
        f"Change request {request.pk}",
    )
    with pytest.raises(ValidationError) as refused:
        services.decide_change_request(change_request=request, apply=False, by=operator)
    assert refused.value.messages[0].startswith(
        "This was already decided (Applied) by Olga Operator on "
    )


def test_an_invalid_proposed_value_writes_nothing_when_applied(rival, own, operator):
    cluster, coordinator = own
    organisation = Organisation.objects.get(nip=RIVAL_NIP)
    request = OrganisationChangeRequest.objects.create(
        organisation=organisation, field="regon", registry_value=organisation.regon,
        proposed_value="123", source="form", proposed_by=coordinator,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.decide_change_request(change_request=request, apply=True, by=operator)
    request.refresh_from_db()
    assert (request.state, Organisation.objects.get(nip=RIVAL_NIP).regon) == (
        "pending",
        organisation.regon,
    )


# --- the ledger ----------------------------------------------------------------------------


def test_a_future_start_is_refused_by_the_service_the_form_and_the_import(client, own):
    cluster, coordinator = own
    tomorrow = today() + dt.timedelta(days=1)
    data = {"nip": NEW_NIP, "name": "Jutro", "kind": "enterprise"}
    with pytest.raises(ValidationError) as refused:
        services.add_membership(
            cluster=cluster, organisation_data=data, role="member", joined_on=tomorrow,
            by=coordinator,
        )  # fmt: skip
    day = tomorrow.strftime("%-d %b %Y")
    message = f"The start date {day} is in the future: a membership is recorded once it has begun."
    assert refused.value.message_dict == {"joined_on": [message]}

    client.force_login(coordinator)
    with translation.override("en"):
        response = client.post(
            f"/clusters/{cluster.pk}/manage/members/add/",
            {**data, "role": "member", "joined_on": tomorrow.isoformat()},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert response.context["form"].errors["joined_on"] == [message]

    source = f"name,nip,joined_on\nJutro,{NEW_NIP},{tomorrow.isoformat()}\n".encode()
    with pytest.raises(ImportRejected) as rejected:
        importing.import_members(cluster=cluster, source=source, filename="m.csv", by=coordinator)
    assert rejected.value.messages() == [
        f'row 2, column joined_on: "{tomorrow.isoformat()}" is in the future: a membership is '
        "recorded once it has begun"
    ]
    assert (Organisation.objects.filter(nip=NEW_NIP).count(), Membership.objects.count()) == (0, 1)


def test_a_backdated_start_needs_evidence_from_a_coordinator(client, own):
    cluster, coordinator = own
    joined = today() - dt.timedelta(days=31)
    data = {"nip": NEW_NIP, "name": "Dawna Firma", "kind": "enterprise"}
    with pytest.raises(ValidationError) as refused:
        services.add_membership(
            cluster=cluster, organisation_data=data, role="member", joined_on=joined,
            by=coordinator,
        )  # fmt: skip
    assert list(refused.value.message_dict) == ["evidence"]
    # 30 days back: no evidence needed
    membership = services.add_membership(
        cluster=cluster, organisation_data=data, role="member",
        joined_on=today() - dt.timedelta(days=30), by=coordinator,
    )  # fmt: skip
    assert (membership.evidence_state, membership.counted_from, membership.recorded_by) == (
        "",
        None,
        coordinator,
    )


def test_evidence_accepted_then_the_trail_shows_every_step(own, operator):
    cluster, coordinator = own
    joined = dt.date(2001, 5, 1)
    membership = services.add_membership(
        cluster=cluster, organisation_data={"nip": NEW_NIP, "name": "Stara", "kind": "other"},
        role="member", joined_on=joined, by=coordinator,
        evidence=("deklaracja.pdf", PDF), evidence_kind="accession-declaration",
    )  # fmt: skip
    assert (membership.evidence_state, membership.counted_from, membership.counted_start) == (
        "submitted",
        today(),
        today(),
    )
    assert membership.basis == ("recorded", today())
    evidence = MembershipEvidence.objects.get()
    assert (evidence.state, evidence.uploaded_by, evidence.document.read()) == (
        "submitted",
        coordinator,
        PDF,
    )
    assert list(selectors.evidence_queue()) == [evidence]
    services.decide_evidence(evidence=evidence, accept=True, by=operator)
    membership.refresh_from_db()
    assert (membership.evidence_state, membership.counted_from, membership.counted_start) == (
        "accepted",
        None,
        joined,
    )
    assert membership.basis == ("evidence", today())
    assert list(selectors.evidence_queue()) == []
    services.end_membership(membership=membership, left_on=today(), by=coordinator)
    trail = selectors.membership_trail(membership)
    day = joined.strftime("%-d %b %Y")
    now = today().strftime("%-d %b %Y")
    assert [(e.by, e.created, e.changes) for e in trail] == [
        (coordinator, True, [
            ("role", "", "Member"), ("joined on", "", day), ("left on", "", "—"),
            ("evidence of the start", "", "Awaiting review"),
        ]),
        (operator, False, [
            ("evidence of the start", "Awaiting review", "Accepted"), ("counted from", now, "—"),
            ("evidence accepted on", "—", now),
        ]),
        (coordinator, False, [("left on", "—", now)]),
    ]  # fmt: skip


def test_a_rejected_document_needs_a_reason_and_a_new_one_can_follow(own, operator):
    cluster, coordinator = own
    membership = services.add_membership(
        cluster=cluster, organisation_data={"nip": NEW_NIP, "name": "Stara", "kind": "other"},
        role="member", joined_on=dt.date(2020, 1, 1), by=coordinator,
        evidence=("a.pdf", PDF), evidence_kind="resolution",
    )  # fmt: skip
    evidence = MembershipEvidence.objects.get()
    with pytest.raises(ValidationError) as refused:
        services.decide_evidence(evidence=evidence, accept=False, by=operator)
    assert refused.value.message_dict == {"reason": ["Give the reason for rejecting the document."]}
    services.decide_evidence(evidence=evidence, accept=False, reason="Brak podpisu", by=operator)
    membership.refresh_from_db()
    assert (membership.evidence_state, membership.counted_from) == ("rejected", today())
    again = services.submit_evidence(
        membership=membership, evidence=("b.pdf", PDF), kind="agreement-annex", by=coordinator
    )
    membership.refresh_from_db()
    assert (again.state, membership.evidence_state) == ("submitted", "submitted")


def test_a_coordinators_import_marks_backdated_starts_as_awaiting_evidence(own):
    cluster, coordinator = own
    recent = today() - dt.timedelta(days=5)
    source = (
        f"name,nip,joined_on\nStara,{NEW_NIP},2001-01-01\nNowa,{MEMBER_NIP},{recent.isoformat()}\n"
    ).encode()
    report = importing.import_members(
        cluster=cluster, source=source, filename="m.csv", by=coordinator
    )
    assert report.awaiting_evidence == 1
    rows = Membership.objects.filter(cluster=cluster, role="member").order_by("joined_on")
    assert [(m.joined_on, m.evidence_state, m.counted_from, m.recorded_by) for m in rows] == [
        (dt.date(2001, 1, 1), EvidenceState.AWAITING, today(), coordinator),
        (recent, EvidenceState.NOT_REQUIRED, None, coordinator),
    ]


def test_the_evidence_is_refused_when_it_is_not_a_pdf(client, own):
    cluster, coordinator = own
    client.force_login(coordinator)
    response = client.post(
        f"/clusters/{cluster.pk}/manage/members/add/",
        {"nip": NEW_NIP, "name": "Stara", "kind": "other", "role": "member",
         "joined_on": "2001-01-01", "evidence_kind": "resolution",
         "evidence": SimpleUploadedFile("a.pdf", b"MZ not a pdf")},
    )  # fmt: skip
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["evidence"]
    assert Membership.objects.filter(cluster=cluster, role="member").count() == 0
