import csv
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from keyclusters.competitions import services
from keyclusters.competitions.models import Application
from tests.competitions.conftest import PDF, in_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(call, cluster, coordinator):
    application = services.start_application(
        call=call, cluster=cluster, by=coordinator, now=in_call()
    )
    services.save_application_data(
        application=application,
        values={"rd_projects": 3},
        files={"strategy": ("strategia.pdf", PDF)},
        by=coordinator,
        now=in_call(),
    )
    services.submit_application(application=application, by=coordinator, now=in_call())
    return Application.objects.get(pk=application.pk)


def test_coordinator_starts_saves_and_submits_through_the_pages(client, call, cluster, coordinator):
    client.force_login(coordinator)
    with time_machine.travel(in_call(), tick=False):
        page = client.get(reverse("competitions:call-detail", args=[call.pk]))
        assert "Klaster Alfa" in page.content.decode()
        response = client.post(
            reverse("competitions:start-application", args=[call.pk, cluster.pk]), {"kind": "new"}
        )
        application = Application.objects.get(call=call, cluster=cluster)
        assert response["Location"] == reverse(
            "competitions:application-detail", args=[application.pk]
        )
        url = reverse("competitions:application-detail", args=[application.pk])
        response = client.post(url, {"rd_projects": "4", "save": "1"})
        assert response.status_code == 302
        application.refresh_from_db()
        assert (application.state, application.data["rd_projects"]) == ("draft", "4")
        # submitting without the required strategy is refused, naming the field
        response = client.post(url, {"rd_projects": "4", "submit": "1"})
        assert response.status_code == 200
        assert response.context["form"].errors == {"strategy": ["This item is required."]}
        response = client.post(
            url,
            {
                "rd_projects": "4",
                "submit": "1",
                "strategy": SimpleUploadedFile("strategia.pdf", PDF, "application/pdf"),
            },
        )
        assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == "submitted"
    # afterwards read only: a POST is refused
    assert client.post(url, {"rd_projects": "9", "save": "1"}).status_code == 403


def test_another_coordinator_sees_nothing_of_the_application(client, submitted, other_coordinator):
    client.force_login(other_coordinator)
    detail = reverse("competitions:application-detail", args=[submitted.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"rd_projects": "1", "save": "1"}).status_code == 404
    listing = client.get(reverse("competitions:application-list"))
    assert listing.context["applications"].count() == 0
    assert "Klaster Alfa" not in listing.content.decode()
    assert (
        client.get(reverse("competitions:formal-evaluation", args=[submitted.pk])).status_code
        == 403
    )
    for fmt in ("csv", "xlsx"):
        url = reverse("competitions:call-export", args=[submitted.call.pk, fmt])
        assert client.get(url).status_code == 403
    assert (
        client.get(reverse("competitions:call-dashboard", args=[submitted.call.pk])).status_code
        == 403
    )


def test_anonymous_is_sent_to_log_in(client, submitted):
    response = client.get(reverse("competitions:application-detail", args=[submitted.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_operator_passes_formally_and_sees_the_parametric_breakdown(client, submitted, operator):
    client.force_login(operator)
    url = reverse("competitions:formal-evaluation", args=[submitted.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["assessment"].passed
    # the checklist must be complete
    response = client.post(url, {"action": "pass", "check-history": "on"})
    assert response.status_code == 200
    assert Application.objects.get(pk=submitted.pk).state == "submitted"
    checklist = {
        f"check-{key}": "on"
        for key in [
            "history",
            "strategy",
            "action_plan",
            "critical_mass",
            "concentration",
            "signatures",
        ]
    }
    response = client.post(url, {"action": "pass", **checklist, "confirmed": "yes"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.state, submitted.stage) == ("in-evaluation", "merit")
    detail = client.get(reverse("competitions:application-detail", args=[submitted.pk]))
    body = detail.content.decode()
    assert "10.00 / 13" in body
    polish = client.get(
        reverse("competitions:application-detail", args=[submitted.pk]),
        headers={"accept-language": "pl"},
    ).content.decode()
    assert "10,00 / 13" in polish  # the Polish number format
    assert "Wynik oceny parametrycznej" in polish


def test_operator_requests_completion_through_the_page(client, submitted, operator):
    client.force_login(operator)
    url = reverse("competitions:formal-evaluation", args=[submitted.pk])
    with time_machine.travel(in_call(12), tick=False):
        response = client.post(
            url,
            {
                "action": "complete",
                "complete-items": ["strategy"],
                "complete-note": "Podpis",
                "confirmed": "yes",
            },
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == "completion-requested"
    assert submitted.completion_items == ["strategy"]


def test_dashboard_funnel_and_exports(client, submitted, operator, call):
    services.pass_formal(application=submitted, by=operator)
    client.force_login(operator)
    page = client.get(reverse("competitions:call-dashboard", args=[call.pk]))
    assert page.status_code == 200
    assert page.context["funnel"] == [
        {"stage": "submitted", "entered": 1, "passed": None},
        {"stage": "formal", "kind": "formal", "entered": 1, "passed": 1},
        {"stage": "parametric", "kind": "parametric", "entered": 1, "passed": 1},
        {"stage": "merit", "kind": "expert", "entered": 1, "passed": 0},
    ]
    body = client.get(reverse("competitions:call-export", args=[call.pk, "csv"])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "application",
        "cluster",
        "coordinator",
        "coordinator_nip",
        "kind",
        "state",
    ]
    assert rows[1][1] == "Klaster Alfa"
    assert rows[1][5] == "in-evaluation"
    assert rows[1][rows[0].index("parametric_points")] == "10.00"
    xlsx = client.get(reverse("competitions:call-export", args=[call.pk, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet.cell(2, 2).value == "Klaster Alfa"


def test_dashboard_query_count_does_not_grow(
    client, call, operator, coordinator, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ClusterFactory

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get(reverse("competitions:call-dashboard", args=[call.pk])).status_code
                == 200
            )
        return len(ctx.captured_queries)

    client.force_login(operator)
    for _ in range(3):
        Application.objects.create(call=call, cluster=ClusterFactory())
    few = count()
    for _ in range(12):
        Application.objects.create(call=call, cluster=ClusterFactory())
    assert count() == few
