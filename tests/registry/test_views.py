"""Public registry pages and the coordinator's member pages (tests/registry/test_views.py)."""

from __future__ import annotations

import datetime as dt
import re
import sys
import types
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keyclusters.registry.models import (
    Cluster,
    CooperationDeclaration,
    Membership,
    Organisation,
    Voivodeship,
)
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_evidence_needed(settings):
    """Backdated starts need no evidence here (the ledger's rule: tests/registry/test_ledger.py)."""
    settings.MEMBERSHIP_BACKDATING_DAYS = 100_000


LIST_URL = reverse("registry:cluster-list")


@pytest.fixture
def client() -> Client:
    """A browser that asks for English pages, so that messages can be compared exactly."""
    return Client(headers={"accept-language": "en"})


def add_members(cluster: Cluster, count: int, **organisation: object) -> list[Membership]:
    organisations = [OrganisationFactory(**organisation) for _ in range(count)]
    return Membership.objects.bulk_create(
        Membership(cluster=cluster, organisation=o, joined_on=dt.date(2015, 1, 1))
        for o in organisations
    )


def listed(response) -> list[str]:
    return [cluster.name for cluster in response.context["clusters"]]


# The public list.


def test_search_matches_name_specialisation_and_coordinator_case_insensitively(client):
    ClusterFactory(name="Klaster Lotniczy", specialisation="aviation")
    ClusterFactory(name="Mazowiecki Klaster ICT", specialisation="ICT")
    ClusterFactory(
        name="Bałtycki Klaster Morski",
        specialisation="maritime",
        coordinator__name="Fundacja Lotnicza Pomorze",
        coordinator__kind="business-support",
        coordinator__size="",
    )
    ClusterFactory(name="Klaster Meblowy", specialisation="furniture")

    assert listed(client.get(LIST_URL, {"q": "lotnicz"})) == [
        "Bałtycki Klaster Morski",
        "Klaster Lotniczy",
    ]
    assert listed(client.get(LIST_URL, {"q": "ict"})) == ["Mazowiecki Klaster ICT"]
    assert listed(client.get(LIST_URL, {"q": "FURNITURE"})) == ["Klaster Meblowy"]
    assert listed(client.get(LIST_URL, {"q": "nothing like it"})) == []
    assert len(listed(client.get(LIST_URL))) == 4


def test_voivodeship_filter_matches_seat_or_listed_voivodeships_once(client):
    seat_only = ClusterFactory(name="A seat only", voivodeship="slaskie")
    listed_only = ClusterFactory(name="B listed only", voivodeship="mazowieckie")
    listed_only.voivodeships.set(Voivodeship.objects.filter(code__in=["slaskie", "opolskie"]))
    both = ClusterFactory(name="C seat and listed", voivodeship="slaskie")
    both.voivodeships.set(Voivodeship.objects.filter(code__in=["slaskie", "malopolskie"]))
    elsewhere = ClusterFactory(name="D elsewhere", voivodeship="mazowieckie")
    elsewhere.voivodeships.set(Voivodeship.objects.filter(code__in=["lodzkie", "lubuskie"]))
    add_members(both, 3)

    response = client.get(LIST_URL, {"voivodeship": "slaskie"})

    assert listed(response) == ["A seat only", "B listed only", "C seat and listed"]
    assert response.context["page"].paginator.count == 3
    counts = {c.name: c.member_count for c in response.context["clusters"]}
    assert counts == {"A seat only": 1, "B listed only": 1, "C seat and listed": 4}
    assert listed(client.get(LIST_URL, {"voivodeship": "opolskie"})) == ["B listed only"]
    assert listed(client.get(LIST_URL, {"voivodeship": "podlaskie"})) == []
    assert seat_only.pk  # used


def test_specialisation_filter_and_its_choices_come_from_the_data(client):
    ClusterFactory(name="K1", specialisation="ICT")
    ClusterFactory(name="K2", specialisation="aviation")
    ClusterFactory(name="K3", specialisation="ICT")
    ClusterFactory(name="K4", specialisation="")

    response = client.get(LIST_URL, {"specialisation": "ICT"})

    assert listed(response) == ["K1", "K3"]
    assert response.context["form"].fields["specialisation"].choices == [
        ("", "All specialisations"),
        ("ICT", "ICT"),
        ("aviation", "aviation"),
    ]


def test_size_filter_uses_the_current_member_count_at_the_class_boundaries(client):
    small = ClusterFactory(name="Small 49")
    add_members(small, 48)  # + the coordinator = 49
    medium_low = ClusterFactory(name="Medium 50")
    add_members(medium_low, 49)
    medium_high = ClusterFactory(name="Medium 99")
    add_members(medium_high, 98)
    large = ClusterFactory(name="Large 100")
    add_members(large, 99)
    # Former members and strategic partners do not count.
    for membership in add_members(small, 5):
        membership.left_on = dt.date(2016, 1, 1)
        membership.save()
    for membership in add_members(small, 3):
        membership.role = "strategic-partner"
        membership.save()

    assert listed(client.get(LIST_URL, {"size": "small"})) == ["Small 49"]
    assert listed(client.get(LIST_URL, {"size": "medium"})) == ["Medium 50", "Medium 99"]
    assert listed(client.get(LIST_URL, {"size": "large"})) == ["Large 100"]
    response = client.get(LIST_URL, {"sort": "-members"})
    assert [(c.name, c.member_count) for c in response.context["clusters"]] == [
        ("Large 100", 100),
        ("Medium 99", 99),
        ("Medium 50", 50),
        ("Small 49", 49),
    ]


def test_filters_combine_and_an_unknown_value_is_ignored(client):
    ClusterFactory(name="Alpha ICT", specialisation="ICT", voivodeship="pomorskie")
    ClusterFactory(name="Beta ICT", specialisation="ICT", voivodeship="slaskie")
    ClusterFactory(name="Gamma", specialisation="energy", voivodeship="pomorskie")

    response = client.get(LIST_URL, {"specialisation": "ICT", "voivodeship": "pomorskie"})
    assert listed(response) == ["Alpha ICT"]
    response = client.get(LIST_URL, {"voivodeship": "atlantis", "sort": "-name"})
    assert listed(response) == ["Gamma", "Beta ICT", "Alpha ICT"]
    assert response.context["form"].errors["voivodeship"] == [
        "Select a valid choice. atlantis is not one of the available choices."
    ]


def test_list_is_paginated_by_25_and_keeps_the_filters_in_page_links(client):
    for n in range(30):
        ClusterFactory(name=f"Klaster {n:02d}", specialisation="ICT")

    first = client.get(LIST_URL, {"specialisation": "ICT"})
    second = client.get(LIST_URL, {"specialisation": "ICT", "page": 2})

    assert len(listed(first)) == 25
    assert listed(second) == [f"Klaster {n:02d}" for n in range(25, 30)]
    assert 'href="?specialisation=ICT&amp;page=2"' in first.content.decode()


def test_htmx_request_gets_only_the_results_partial(client):
    ClusterFactory(name="Klaster Wodorowy")
    ClusterFactory(name="Klaster Meblowy")

    response = client.get(LIST_URL, {"q": "wodor"}, headers={"hx-request": "true"})
    full = client.get(LIST_URL, {"q": "wodor"})

    html = response.content.decode()
    assert [t.name for t in response.templates][0] == "registry/_cluster_results.html"
    assert "<html" not in html
    assert "Klaster Wodorowy" in html and "Klaster Meblowy" not in html
    assert "HX-Request" in response["Vary"]
    assert [t.name for t in full.templates][0] == "registry/cluster_list.html"
    assert 'hx-trigger="keyup changed delay:300ms, change, submit"' in full.content.decode()


def test_every_filter_control_has_a_label(client):
    html = client.get(LIST_URL).content.decode()
    for name in ("q", "voivodeship", "specialisation", "size", "sort"):
        assert f'<label class="form-label" for="id_{name}">' in html
        assert f'id="id_{name}"' in html


# The cluster page.


def _summary_cell(html: str, attribute: str, code: str) -> int:
    match = re.search(rf'<tr {attribute}="{code}">.*?<td class="text-end">(\d+)</td>', html)
    assert match, (attribute, code)
    return int(match.group(1))


def test_detail_counts_current_members_by_kind_and_size(client):
    cluster = ClusterFactory(name="Klaster Testowy")  # coordinator: business-support
    add_members(cluster, 3, kind="enterprise", size="micro")
    add_members(cluster, 2, kind="enterprise", size="small")
    add_members(cluster, 1, kind="enterprise", size="large")
    add_members(cluster, 2, kind="university", size="")
    add_members(cluster, 1, kind="research", size="")
    former = add_members(cluster, 4, kind="enterprise", size="medium")
    for membership in former:
        membership.left_on = dt.date(2020, 6, 30)
        membership.save()
    MembershipFactory(cluster=cluster, role="strategic-partner", organisation__kind="other")
    MembershipFactory(cluster=cluster, joined_on=dt.date(2099, 1, 1))  # not yet a member

    response = client.get(reverse("registry:cluster-detail", args=[cluster.pk]))

    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.total == 10
    assert [(code, n) for code, _label, n in summary.by_kind] == [
        ("enterprise", 6),
        ("university", 2),
        ("research", 1),
        ("business-support", 1),
        ("public-administration", 0),
        ("other", 0),
    ]
    assert [(code, n) for code, _label, n in summary.by_size] == [
        ("micro", 3),
        ("small", 2),
        ("medium", 0),
        ("large", 1),
    ]
    html = response.content.decode()
    assert '<span id="member-total">10</span>' in html
    assert _summary_cell(html, "data-kind", "enterprise") == 6
    assert _summary_cell(html, "data-kind", "university") == 2
    assert _summary_cell(html, "data-size", "micro") == 3
    assert _summary_cell(html, "data-size", "medium") == 0
    assert response.context["members"].paginator.count == 10
    assert response.context["former"].paginator.count == 4
    assert "Former members (4)" in html


def test_detail_shows_facts_members_partners_and_declarations(client):
    coordinator = OrganisationFactory(
        name="Fundacja Koordynator", nip="5260250274", city="Gdynia", kind="business-support"
    )
    cluster = ClusterFactory(
        name="Klaster Morski",
        coordinator=coordinator,
        specialisation="maritime",
        description="Shipbuilding and ports.",
        website="https://klaster.example.org",
        founded_on=dt.date(2011, 5, 4),
        voivodeship="pomorskie",
    )
    cluster.voivodeships.set(Voivodeship.objects.filter(code__in=["pomorskie"]))
    member = MembershipFactory(
        cluster=cluster,
        organisation__name="Stocznia Alfa",
        organisation__nip="1132853869",
        organisation__city="Gdańsk",
        joined_on=dt.date(2016, 2, 3),
        advanced_cooperation_group=True,
    )
    MembershipFactory(
        cluster=cluster,
        organisation__name="Port Beta",
        joined_on=dt.date(2014, 1, 1),
        left_on=dt.date(2019, 12, 31),
    )
    partner = MembershipFactory(
        cluster=cluster,
        organisation__name="Urząd Miasta Gdyni",
        organisation__kind="public-administration",
        role="strategic-partner",
        joined_on=dt.date(2017, 9, 1),
    )
    declaration = CooperationDeclaration.objects.create(
        cluster=cluster, signed_on=dt.date(2018, 4, 12), place="Gdynia", subject="Blue economy"
    )
    declaration.signatories.set([partner.organisation, coordinator])

    response = client.get(reverse("registry:cluster-detail", args=[cluster.pk]))
    html = response.content.decode()

    assert [m.organisation.name for m in response.context["members"]] == [
        "Fundacja Koordynator",
        "Stocznia Alfa",
    ]
    assert [m.organisation.name for m in response.context["former"]] == ["Port Beta"]
    assert [p.organisation.name for p in response.context["partners"]] == ["Urząd Miasta Gdyni"]
    assert '<dd class="col-sm-8">4 May 2011</dd>' in html
    assert "https://klaster.example.org" in html
    assert "Shipbuilding and ports." in html and "Pomeranian" in html
    assert "NIP 5260250274 · Gdynia" in html
    row = re.search(rf'<tr data-membership="{member.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "Stocznia Alfa" in row and "1132853869" in row and "Gdańsk" in row
    assert "3 Feb 2016" in row and "Advanced cooperation" in row
    assert "31 Dec 2019" in html
    assert "Blue economy" in html and "Fundacja Koordynator, Urząd Miasta Gdyni" in html
    assert reverse("registry:members-export", args=[cluster.pk, "csv"]) in html
    assert reverse("registry:members-export", args=[cluster.pk, "xlsx"]) in html
    assert "Manage members" not in html  # anonymous


def test_detail_of_unknown_cluster_is_404(client):
    assert client.get(reverse("registry:cluster-detail", args=[999])).status_code == 404


# Exports: the view against the contract of keyclusters.registry.exports
# (members_csv(cluster) -> bytes, members_xlsx(cluster) -> bytes), replaced here by a stand-in.


@pytest.fixture
def fake_exports(monkeypatch):
    calls: list[tuple[str, int]] = []
    module = types.ModuleType("keyclusters.registry.exports")

    def members_csv(cluster):
        calls.append(("csv", cluster.pk))
        return b"name,nip\r\nAlfa,1132853869\r\n"

    def members_xlsx(cluster):
        calls.append(("xlsx", cluster.pk))
        return b"PK\x03\x04xlsx"

    module.members_csv = members_csv
    module.members_xlsx = members_xlsx
    monkeypatch.setitem(sys.modules, "keyclusters.registry.exports", module)
    return calls


def test_member_list_downloads_as_csv_and_xlsx(client, fake_exports):
    cluster = ClusterFactory(name="Klaster Łódzki")

    csv = client.get(f"/clusters/{cluster.pk}/members.csv")
    xlsx = client.get(f"/clusters/{cluster.pk}/members.xlsx")

    assert csv.status_code == 200
    assert csv.content == b"name,nip\r\nAlfa,1132853869\r\n"
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == 'attachment; filename="klaster-odzki-members.csv"'
    assert xlsx.content == b"PK\x03\x04xlsx"
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert fake_exports == [("csv", cluster.pk), ("xlsx", cluster.pk)]
    assert client.get(f"/clusters/{cluster.pk}/members.pdf").status_code == 404
    assert client.get("/clusters/999/members.csv").status_code == 404


# The coordinator's pages.


@pytest.fixture
def cluster():
    return ClusterFactory(name="Klaster Koordynowany", coordinator__name="Fundacja Koordynująca")


@pytest.fixture
def coordinator(cluster):
    return UserFactory(roles=["coordinator"], organisation=cluster.coordinator)


def test_my_clusters_lists_only_the_clusters_of_the_users_organisation(client, cluster):
    second = ClusterFactory(name="Drugi Klaster", coordinator=cluster.coordinator)
    ClusterFactory(name="Cudzy Klaster")
    user = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    client.force_login(user)

    response = client.get(reverse("registry:my-clusters"))

    assert response.status_code == 200
    assert [c.name for c in response.context["clusters"]] == [second.name, cluster.name]
    assert reverse("registry:cluster-manage", args=[cluster.pk]) in response.content.decode()


def test_coordinator_sees_manage_link_on_their_cluster_page(client, cluster, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("registry:cluster-detail", args=[cluster.pk])).content.decode()
    assert reverse("registry:cluster-manage", args=[cluster.pk]) in html


def test_coordinator_adds_a_new_organisation_as_member(client, cluster, coordinator):
    client.force_login(coordinator)
    url = reverse("registry:member-add", args=[cluster.pk])

    response = client.post(
        url,
        {
            "nip": "PL 113-285-38-69",
            "name": "Nowa Spółka",
            "regon": "",
            "kind": "enterprise",
            "size": "medium",
            "voivodeship": "mazowieckie",
            "city": "Radom",
            "role": "member",
            "joined_on": "2024-03-01",
            "advanced_cooperation_group": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:cluster-manage", args=[cluster.pk])
    organisation = Organisation.objects.get(nip="1132853869")
    assert (organisation.name, organisation.size, organisation.city) == (
        "Nowa Spółka",
        "medium",
        "Radom",
    )
    membership = Membership.objects.get(cluster=cluster, organisation=organisation)
    assert (membership.role, membership.joined_on, membership.left_on) == (
        "member",
        dt.date(2024, 3, 1),
        None,
    )
    assert membership.advanced_cooperation_group is True
    assert membership.history.get().history_user == coordinator
    assert organisation.history.get().history_user == coordinator
    page = client.get(response["Location"])
    assert "Nowa Spółka was added to Klaster Koordynowany." in page.content.decode()


def test_add_member_with_existing_nip_uses_that_organisation(client, cluster, coordinator):
    existing = OrganisationFactory(name="Istniejąca", nip="5260250274", city="Kielce")
    client.force_login(coordinator)

    response = client.post(
        reverse("registry:member-add", args=[cluster.pk]),
        {"nip": "526-025-02-74", "name": "Ignored", "kind": "enterprise", "role": "member"}
        | {"joined_on": "2023-01-10"},
    )

    assert response.status_code == 302
    assert Organisation.objects.filter(nip="5260250274").count() == 1
    existing.refresh_from_db()
    assert existing.name == "Istniejąca"
    assert cluster.memberships.filter(organisation=existing).count() == 1


def test_add_member_errors_are_shown_on_the_fields(client, cluster, coordinator):
    client.force_login(coordinator)
    url = reverse("registry:member-add", args=[cluster.pk])
    before = (Organisation.objects.count(), Membership.objects.count())

    bad_nip = client.post(url, {"nip": "1132853860", "kind": "enterprise", "role": "member"})
    no_name = client.post(
        url,
        {"nip": "1132853869", "kind": "enterprise", "role": "member", "joined_on": "2024-01-01"},
    )

    assert bad_nip.status_code == 200
    assert bad_nip.context["form"].errors == {
        "nip": ["1132853860 is not a valid NIP (checksum)"],
        "joined_on": ["This field is required."],
    }
    assert no_name.context["form"].errors == {"name": ["This field cannot be blank."]}
    assert 'class="form-control is-invalid"' in no_name.content.decode()
    assert (Organisation.objects.count(), Membership.objects.count()) == before


def test_adding_an_already_current_member_is_refused(client, cluster, coordinator):
    member = MembershipFactory(cluster=cluster, organisation__nip="1132853869")
    client.force_login(coordinator)

    response = client.post(
        reverse("registry:member-add", args=[cluster.pk]),
        {"nip": "1132853869", "kind": "enterprise", "role": "member", "joined_on": "2024-01-01"},
    )

    assert response.context["form"].errors == {
        "nip": [
            f"{member.organisation.name} already has this role in the cluster since 1 Jan 2015."
        ]
    }
    assert cluster.memberships.filter(organisation=member.organisation).count() == 1


def test_coordinator_ends_a_membership(client, cluster, coordinator):
    membership = MembershipFactory(cluster=cluster, joined_on=dt.date(2015, 1, 1))
    client.force_login(coordinator)

    response = client.post(
        reverse("registry:membership-end", args=[cluster.pk, membership.pk]),
        {"left_on": "2024-06-30", "confirmed": "yes"},
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2024, 6, 30)
    latest = membership.history.latest()
    assert (latest.history_type, latest.left_on, latest.history_user) == (
        "~",
        dt.date(2024, 6, 30),
        coordinator,
    )


def test_ending_before_joining_shows_a_form_error_and_writes_nothing(client, cluster, coordinator):
    membership = MembershipFactory(cluster=cluster, joined_on=dt.date(2015, 1, 1))
    history_rows = membership.history.count()
    client.force_login(coordinator)

    response = client.post(
        reverse("registry:membership-end", args=[cluster.pk, membership.pk]),
        {"left_on": "2014-12-31"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "left_on": ["A membership cannot end before it starts."]
    }
    assert "A membership cannot end before it starts." in response.content.decode()
    membership.refresh_from_db()
    assert membership.left_on is None
    assert membership.history.count() == history_rows


def test_end_membership_is_post_only_and_scoped_to_the_cluster(client, cluster, coordinator):
    other = MembershipFactory()  # another cluster's membership
    own = MembershipFactory(cluster=cluster)
    client.force_login(coordinator)

    get = client.get(reverse("registry:membership-end", args=[cluster.pk, own.pk]))
    foreign = client.post(
        reverse("registry:membership-end", args=[cluster.pk, other.pk]),
        {"left_on": "2024-01-01", "confirmed": "yes"},
    )

    assert get.status_code == 405
    assert foreign.status_code == 404
    other.refresh_from_db()
    assert other.left_on is None


def test_manage_page_lists_current_members_with_end_forms(client, cluster, coordinator):
    member = MembershipFactory(cluster=cluster, organisation__name="Aktywna")
    MembershipFactory(cluster=cluster, organisation__name="Była", left_on=dt.date(2016, 1, 1))
    client.force_login(coordinator)

    response = client.get(reverse("registry:cluster-manage", args=[cluster.pk]))

    html = response.content.decode()
    assert [m.organisation.name for m in response.context["members"]] == [
        "Aktywna",
        "Fundacja Koordynująca",
    ]
    assert reverse("registry:membership-end", args=[cluster.pk, member.pk]) in html
    assert f'<label class="visually-hidden" for="left_on_{member.pk}">' in html
    assert "Była" not in html


# Import: the view against the contract of keyclusters.registry.importing
# (import_members(cluster=, source=, filename=, by=) -> ImportReport or ImportRejected(.errors)),
# replaced here by a stand-in until the real module is exercised by its own tests.


@dataclass
class FakeReport:
    rows: int
    created: int
    updated: int
    unchanged: int
    warnings: tuple = ()
    awaiting_evidence: int = 0


class FakeRejected(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class FakeRowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@pytest.fixture
def fake_importer(monkeypatch):
    state = {"calls": [], "reject": None}
    module = types.ModuleType("keyclusters.registry.importing")

    def import_members(*, cluster, source, filename, by):
        content = source.read()  # the upload itself, read as a stream by the import
        state["calls"].append((cluster.pk, content, filename, by.pk))
        if state["reject"]:
            raise FakeRejected(state["reject"])
        return FakeReport(rows=12, created=7, updated=3, unchanged=2)

    module.import_members = import_members
    module.ImportRejected = FakeRejected
    module.ImportReport = FakeReport
    monkeypatch.setitem(sys.modules, "keyclusters.registry.importing", module)
    return state


def test_import_reports_the_counts(client, cluster, coordinator, fake_importer):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("members.csv", b"name;nip\nAlfa;1132853869\n")

    response = client.post(
        reverse("registry:members-import", args=[cluster.pk]), {"file": upload}, follow=True
    )

    assert response.redirect_chain == [(reverse("registry:cluster-manage", args=[cluster.pk]), 302)]
    assert fake_importer["calls"] == [
        (cluster.pk, b"name;nip\nAlfa;1132853869\n", "members.csv", coordinator.pk)
    ]
    assert "Imported 12 rows: 7 created, 3 updated, 2 unchanged." in response.content.decode()


def test_rejected_import_shows_every_row_error(client, cluster, coordinator, fake_importer):
    fake_importer["reject"] = [
        FakeRowError(14, "nip", '"123-456-32-18" is not a valid NIP (checksum)'),
        FakeRowError(20, "joined_on", '"31.02.2020" is not a date'),
    ]
    client.force_login(coordinator)
    upload = SimpleUploadedFile("members.xlsx", b"PK\x03\x04")

    response = client.post(reverse("registry:members-import", args=[cluster.pk]), {"file": upload})

    assert response.status_code == 200
    assert response.context["import_errors"] == [
        'row 14, column nip: "123-456-32-18" is not a valid NIP (checksum)',
        'row 20, column joined_on: "31.02.2020" is not a date',
    ]
    html = response.content.decode()
    assert "The file was rejected with 2 errors; nothing was written." in html
    assert "row 14, column nip: &quot;123-456-32-18&quot; is not a valid NIP (checksum)" in html


def test_import_refuses_other_file_types(client, cluster, coordinator, fake_importer):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("members.pdf", b"%PDF")

    response = client.post(reverse("registry:members-import", args=[cluster.pk]), {"file": upload})

    assert response.context["form"].errors == {"file": ["Upload a CSV or XLSX file."]}
    assert fake_importer["calls"] == []


# The same pages with the real import and export modules.


def test_real_import_writes_members_and_reports(client, cluster, coordinator):
    client.force_login(coordinator)
    source = (
        b"name;nip;kind;size;city;joined_on;role\n"
        b"Alfa Sp. z o.o.;113-285-38-69;enterprise;micro;Kielce;2020-01-15;member\n"
        b"Beta SA;5260250274;enterprise;large;Radom;01.02.2021;member\n"
    )

    response = client.post(
        reverse("registry:members-import", args=[cluster.pk]),
        {"file": SimpleUploadedFile("members.csv", source)},
        follow=True,
    )

    assert "Imported 2 rows: 2 created, 0 updated, 0 unchanged." in response.content.decode()
    added = cluster.memberships.filter(role="member").order_by("organisation__name")
    assert [(m.organisation.nip, m.joined_on) for m in added] == [
        ("1132853869", dt.date(2020, 1, 15)),
        ("5260250274", dt.date(2021, 2, 1)),
    ]
    assert {m.history.get().history_user for m in added} == {coordinator}


def test_real_import_rejection_lists_the_rows_and_writes_nothing(client, cluster, coordinator):
    client.force_login(coordinator)
    source = (
        b"name,nip,joined_on\n"
        b"Alfa,1132853869,2020-01-15\n"
        b"Beta,113-285-38-60,2020-01-15\n"
        b"Gamma,5260250274,2020-13-45\n"
    )
    before = (Organisation.objects.count(), Membership.objects.count())

    response = client.post(
        reverse("registry:members-import", args=[cluster.pk]),
        {"file": SimpleUploadedFile("members.csv", source)},
    )

    errors = response.context["import_errors"]
    assert len(errors) == 2
    assert errors[0] == 'row 3, column nip: "113-285-38-60" is not a valid NIP (checksum)'
    assert errors[1].startswith('row 4, column joined_on: "2020-13-45"')
    assert (Organisation.objects.count(), Membership.objects.count()) == before


def test_real_export_lists_the_members(client):
    cluster = ClusterFactory(name="Klaster Eksportowy", coordinator__name="Koordynator")
    MembershipFactory(cluster=cluster, organisation__name="Alfa", organisation__nip="1132853869")

    csv = client.get(reverse("registry:members-export", args=[cluster.pk, "csv"]))
    xlsx = client.get(reverse("registry:members-export", args=[cluster.pk, "xlsx"]))

    lines = csv.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0] == "name,nip,regon,krs,kind,size,voivodeship,city,country,joined_on,left_on,role"
    )
    assert [line.split(",")[0] for line in lines[1:]] == ["Alfa", "Koordynator"]
    assert xlsx.content[:2] == b"PK"
