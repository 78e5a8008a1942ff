"""The ministry's view beyond one indicator's table: each holder's trajectory against the
application that won its status, the application's column of the indicators table, the open
data of the published part of the accepted reports, and constant query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyclusters.monitoring import ministry
from keyclusters.monitoring.models import YearlyReport
from keyclusters.registry import identity
from keyclusters.statuses import services as statuses
from tests.factories import ClusterFactory, UserFactory

D = dt.date
ACCEPTED_AT = dt.datetime(2025, 4, 10, 12, 0, tzinfo=dt.UTC)


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def call(db):
    from keyclusters.competitions import services as competitions
    from tests.evaluation.conftest import RULEBOOK

    now = timezone.now()
    return competitions.create_call(
        name="Runda VI", rulebook=competitions.store_rulebook(source=RULEBOOK),
        opens_at=now - dt.timedelta(days=400), closes_at=now - dt.timedelta(days=300),
    )  # fmt: skip


def holder(world, call, name: str, application_data: dict | None):
    """A cluster holding the status 2024-2026, won by an application saying
    ``application_data`` in its first revision (none: an imported historical grant)."""
    from keyclusters.competitions.models import Application, ApplicationRevision
    from keyclusters.statuses.models import StatusGrant

    cluster = ClusterFactory(name=name, founded_on=D(2012, 3, 1))
    grant = statuses.grant_status(
        cluster=cluster, round_label="VI", decision_on=D(2023, 12, 20),
        valid_from=D(2024, 1, 1), valid_to=D(2026, 12, 31), by=None,
    )  # fmt: skip
    if application_data is not None:
        application = Application.objects.create(call=call, cluster=cluster)
        ApplicationRevision.objects.create(
            application=application, stage="formal", number=1, members=[], as_of=D(2023, 6, 1),
            data=application_data,
        )  # fmt: skip
        # a later revision (another stage) does not change what the application said
        ApplicationRevision.objects.create(
            application=application, stage="merit", number=2, members=[], as_of=D(2023, 9, 1),
            data=dict.fromkeys(application_data, "1"),
        )  # fmt: skip
        StatusGrant.objects.filter(pk=grant.pk).update(application=application, call=call)
        grant.refresh_from_db()
    return cluster, grant


def report(world, cluster, grant, year, state="accepted", registry=None, values=None):
    return YearlyReport.objects.create(
        cluster=cluster, year=year, framework=world.framework, status_grant=grant, state=state,
        due_on=D(year + 1, 3, 31), registry_values=registry or {}, values=values or {},
        reviewed_at=ACCEPTED_AT.replace(year=year + 1) if state == "accepted" else None,
    )  # fmt: skip


APPLICATION = {"members_total": 50, "employees_members": "1000", "revenue_members": "900000.00"}


@pytest.fixture
def north(world, call):
    """Klaster Północ's accepted reports on 2024 and 2025 and a submitted one on 2026."""
    cluster, grant = holder(world, call, "Klaster Wschód", APPLICATION)
    report(world, cluster, grant, 2024, registry={"members_total": "55"},
           values={"employees_members": "1100", "revenue_members": "810000.00"})  # fmt: skip
    report(world, cluster, grant, 2025, registry={"members_total": "50"},
           values={"employees_members": "", "revenue_members": "1000000.50"})  # fmt: skip
    report(world, cluster, grant, 2026, state="submitted", registry={"members_total": "99"},
           values={"employees_members": "9999"})  # fmt: skip
    return cluster


def decision_maker():
    return UserFactory(username="minister", roles=["decision-maker"])


# --- trajectories ---------------------------------------------------------------------------


def test_each_indicator_against_the_application_year_by_year(world, north):
    found = {t.indicator.id: t for t in ministry.trajectories(north, world.framework.parsed)}
    # the indicators that declare compare_with, in the framework's order
    assert list(found) == [
        "members_total", "enterprises_share", "employees_members", "revenue_members",
        "export_share", "rd_projects",
    ]  # fmt: skip
    members = found["members_total"].points
    assert [(p.year, p.value, p.applied, p.difference, p.percent) for p in members] == [
        (2024, Decimal(55), Decimal(50), Decimal(5), Decimal("10.0")),
        (2025, Decimal(50), Decimal(50), Decimal(0), Decimal("0.0")),
    ]
    revenue = found["revenue_members"].points
    assert [(p.value, p.applied, p.difference, p.percent) for p in revenue] == [
        (Decimal("810000.00"), Decimal("900000.00"), Decimal("-90000.00"), Decimal("-10.0")),
        (Decimal("1000000.50"), Decimal("900000.00"), Decimal("100000.50"), Decimal("11.1")),
    ]
    jobs = found["employees_members"].points
    assert [(p.value, p.difference, p.percent) for p in jobs] == [
        (Decimal(1100), Decimal(100), Decimal("10.0")),
        (None, None, None),
    ]
    # the application gives no export share: nothing to compare with
    assert [p.applied for p in found["export_share"].points] == [None, None]
    assert found["export_share"].compared is False


def test_the_trajectory_page_says_the_differences_in_words_and_percent(world, north):
    page = client_of(decision_maker()).get(reverse("monitoring:trajectory", args=[north.pk]))
    assert page.status_code == 200
    text = page.text
    assert "Klaster Wschód: indicators against the application" in text
    members = text.split('data-indicator="members_total">', 1)[1].split("</section>", 1)[0]
    assert "<svg" in members and 'width="100%"' in members
    row_2024 = members.split('data-year="2024">', 1)[1].split("</tr>", 1)[0]
    assert ">55<" in row_2024 and ">50<" in row_2024
    assert "5 above the application" in row_2024 and ">+10.0%<" in row_2024
    row_2025 = members.split('data-year="2025">', 1)[1].split("</tr>", 1)[0]
    assert "the same as in the application" in row_2025 and ">0.0%<" in row_2025
    revenue = text.split('data-indicator="revenue_members">', 1)[1].split("</section>", 1)[0]
    assert "90,000.00 below the application" in revenue and ">-10.0%<" in revenue
    assert "100,000.50 above the application" in revenue and ">+11.1%<" in revenue
    assert 'data-year="2026"' not in text  # the submitted report is not shown
    assert "9,999" not in text


def test_the_trajectory_page_in_polish_formats_the_numbers_for_polish(world, north):
    client = client_of(decision_maker())
    page = client.get(reverse("monitoring:trajectory", args=[north.pk]),
                      HTTP_ACCEPT_LANGUAGE="pl")  # fmt: skip
    revenue = page.text.split('data-indicator="revenue_members">', 1)[1]
    assert ">1\xa0000\xa0000,50<" in revenue
    assert "+11,1%" in revenue


def test_a_holder_without_accepted_reports_or_application(world, call):
    cluster, grant = holder(world, call, "Klaster Zachód", None)
    client = client_of(world.operator)
    url = reverse("monitoring:trajectory", args=[cluster.pk])
    assert "No accepted report of this cluster yet." in client.get(url).text
    report(world, cluster, grant, 2024, registry={"members_total": "60"})
    page = client.get(url).text
    assert "nothing to compare with" in page
    assert client.get(reverse("monitoring:trajectory", args=[cluster.pk + 1000])).status_code == (
        404
    )


def test_the_indicators_table_shows_the_applications_figure_and_links_each_holder(world, north):
    client = client_of(world.operator)
    page = client.get(reverse("monitoring:indicators"), {"indicator": "revenue_members"}).text
    row = page.split(f'data-cluster="{north.pk}">', 1)[1].split("</tr>", 1)[0]
    assert reverse("monitoring:trajectory", args=[north.pk]) in row
    assert ">810,000.00<" in row and ">1,000,000.50<" in row
    assert '<td class="text-end" data-applied>900,000.00</td>' in row
    # an indicator not compared with the application has no such column
    joint = client.get(reverse("monitoring:indicators"), {"indicator": "joint_projects"}).text
    assert "data-applied" not in joint and "In the application" not in joint


# --- open data ------------------------------------------------------------------------------


def test_the_open_data_holds_the_published_part_of_accepted_reports_only(world, north, call):
    other, grant = holder(world, call, "Klaster Zachód", None)
    report(world, other, grant, 2024, state="returned", registry={"members_total": "70"})
    values = {"employees_members": "1100", "revenue_members": "810000.00", "rd_projects": "4",
              "joint_projects": "7", "funds_raised": "250000", "export_share": "32.5"}  # fmt: skip
    YearlyReport.objects.filter(cluster=north, year=2024).update(
        values=values,
        registry_values={"members_total": "55", "enterprises_share": "62.50",
                         "advanced_cooperation_group": "3"},
    )  # fmt: skip
    # renamed in 2025: the year 2024 keeps the name of its 31 December
    identity.rename_cluster(
        cluster=north, name="Klaster Wschód Nowy", valid_from=dt.date(2025, 3, 1), by=None
    )
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("monitoring:open-data", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == list(ministry.OPEN_DATA_COLUMNS)
    sha = world.framework.sha256
    common = ["monitoring-kkk", "2", sha, str(north.pk), "Klaster Wschód"]
    renamed = ["monitoring-kkk", "2", sha, str(north.pk), "Klaster Wschód Nowy"]
    assert rows[1:] == [
        [*common, "2024", "2025-04-10", "members_total", "Number of members (31 December)",
         "organisations", "registry", "55"],
        [*common, "2024", "2025-04-10", "enterprises_share",
         "Share of enterprises among the members (31 December)", "%", "registry", "62.50"],
        [*common, "2024", "2025-04-10", "advanced_cooperation_group",
         "Members of the advanced cooperation group (31 December)", "organisations", "registry",
         "3"],
        [*common, "2024", "2025-04-10", "employees_members", "Jobs in the member firms",
         "persons", "reported", "1100"],
        [*common, "2024", "2025-04-10", "rd_projects", "Joint R&D projects of the members",
         "projects", "reported", "4"],
        [*common, "2024", "2025-04-10", "joint_projects", "Other joint projects of the members",
         "projects", "reported", "7"],
        [*renamed, "2025", "2026-04-10", "members_total", "Number of members (31 December)",
         "organisations", "registry", "50"],
        [*renamed, "2025", "2026-04-10", "enterprises_share",
         "Share of enterprises among the members (31 December)", "%", "registry", ""],
        [*renamed, "2025", "2026-04-10", "advanced_cooperation_group",
         "Members of the advanced cooperation group (31 December)", "organisations", "registry",
         ""],
        [*renamed, "2025", "2026-04-10", "employees_members", "Jobs in the member firms",
         "persons", "reported", ""],
        [*renamed, "2025", "2026-04-10", "rd_projects", "Joint R&D projects of the members",
         "projects", "reported", ""],
        [*renamed, "2025", "2026-04-10", "joint_projects", "Other joint projects of the members",
         "projects", "reported", ""],
    ]  # fmt: skip
    body = response.content.decode("utf-8")
    for secret in ("810000", "250000", "32.5", "Klaster Zachód", "9999"):
        assert secret not in body

    document = json.loads(Client().get(reverse("monitoring:open-data", args=["json"])).content)
    assert document["schema"] == "keyclusters.monitoring/1"
    assert document["frameworks"] == [{"id": "monitoring-kkk", "version": 2, "sha256": sha}]
    assert document["columns"] == list(ministry.OPEN_DATA_COLUMNS)
    assert len(document["rows"]) == 12
    assert document["rows"][0]["framework_version"] == 2
    assert document["rows"][0]["cluster_id"] == north.pk
    assert document["rows"][0]["year"] == 2024
    assert document["rows"][0]["value"] == "55"
    # Polish titles by default
    assert document["rows"][0]["indicator_title"] == "Liczba członków klastra (31 grudnia)"


def test_the_open_data_without_reports_still_names_the_framework(world):
    document = json.loads(Client().get(reverse("monitoring:open-data", args=["json"])).content)
    assert document["rows"] == []
    assert document["frameworks"] == [
        {"id": "monitoring-kkk", "version": 2, "sha256": world.framework.sha256}
    ]


def test_the_public_registry_links_the_monitoring_open_data(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("statuses:registry")).text
    assert reverse("monitoring:open-data", args=["csv"]) in page
    assert reverse("monitoring:open-data", args=["json"]) in page


# --- query counts ---------------------------------------------------------------------------


def _holders(world, call, start: int, count: int) -> None:
    for number in range(start, start + count):
        cluster, grant = holder(world, call, f"Klaster {number:02d}", APPLICATION)
        for year in (2024, 2025):
            report(world, cluster, grant, year, registry={"members_total": str(50 + number)},
                   values={"employees_members": str(1000 + number)})  # fmt: skip


def _queries(client: Client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured.captured_queries)


def test_the_indicators_and_trajectory_pages_make_the_same_queries_for_3_and_30_holders(
    world, north, call
):
    client = client_of(world.operator)
    table = reverse("monitoring:indicators")
    trajectory = reverse("monitoring:trajectory", args=[north.pk])
    _holders(world, call, 1, 2)  # with north: 3 holders
    open_data = reverse("monitoring:open-data", args=["csv"])
    client.get(table)  # the session's first request
    small = (
        _queries(client, table, {"indicator": "members_total"}),
        _queries(client, table, {"indicator": "joint_projects"}),
        _queries(client, trajectory),
        _queries(Client(), open_data),
    )
    _holders(world, call, 3, 27)  # 30 holders
    assert YearlyReport.objects.filter(state="accepted").count() == 60
    large = (
        _queries(client, table, {"indicator": "members_total"}),
        _queries(client, table, {"indicator": "joint_projects"}),
        _queries(client, trajectory),
        _queries(Client(), open_data),
    )
    assert small == large
