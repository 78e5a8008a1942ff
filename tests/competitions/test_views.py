import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
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
    assert reverse("competitions:call-export", args=[call.pk, "csv"]) in page.content.decode()
    assert reverse("competitions:call-export", args=[call.pk, "xlsx"]) in page.content.decode()


def spreadsheet_lines(body: bytes) -> list[str]:
    assert body.startswith(b"\xef\xbb\xbf")
    return body.decode("utf-8-sig").split("\r\n")[:-1]


@pytest.fixture
def exported_call(client, submitted, operator, call):
    coordinator = submitted.cluster.coordinator
    coordinator.name, coordinator.nip = "Fundacja Koordynator", "5260250274"
    coordinator.save()
    services.pass_formal(application=submitted, by=operator)
    client.force_login(operator)
    return call


def test_the_call_export_in_polish(client, exported_call):
    url = reverse("competitions:call-export", args=[exported_call.pk, "csv"])
    response = client.get(url, headers={"accept-language": "pl"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="call-{exported_call.pk}-applications.csv"'
    )
    with translation.override("pl"):
        nip_title = gettext("Coordinator's NIP")  # "NIP koordynatora" once translated
    assert spreadsheet_lines(response.content) == [
        f"Numer wniosku;Klaster;Koordynator;{nip_title};Rodzaj;Stan;Etap;Data złożenia;"
        "Ocena formalna;Ocena parametryczna;Ocena parametryczna (pkt);Ocena merytoryczna;"
        "Ocena merytoryczna (pkt)",
        f"KKK/2026/{exported_call.pk}/0001;Klaster Alfa;Fundacja Koordynator;5260250274;"
        "Nadanie statusu;w ocenie;"
        "Ocena merytoryczna;10.06.2026 12:00;pozytywny;pozytywny;10,00;zbiera karty oceny;",
    ]


def test_the_call_export_in_english(client, exported_call):
    url = reverse("competitions:call-export", args=[exported_call.pk, "csv"])
    body = client.get(url, headers={"accept-language": "en"}).content
    assert spreadsheet_lines(body) == [
        "Application number,Cluster,Coordinator,Coordinator's NIP,Kind,State,Stage,Submitted at,"
        "Formal evaluation,Parametric evaluation,Parametric evaluation (points),"
        "Merit evaluation,Merit evaluation (points)",
        f"KKK/2026/{exported_call.pk}/0001,Klaster Alfa,Fundacja Koordynator,5260250274,"
        "New status,in evaluation,"
        "Merit evaluation,2026-06-10 12:00,passed,passed,10.00,collecting score sheets,",
    ]


def test_the_call_export_as_xlsx_has_words_numbers_and_dates(client, exported_call):
    url = reverse("competitions:call-export", args=[exported_call.pk, "xlsx"])
    body = client.get(url, headers={"accept-language": "pl"}).content
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert sheet.title == "Wnioski"
    header, row = sheet.iter_rows(values_only=True)
    assert header[:3] == ("Numer wniosku", "Klaster", "Koordynator")
    assert header[4:] == (
        "Rodzaj", "Stan", "Etap", "Data złożenia", "Ocena formalna", "Ocena parametryczna",
        "Ocena parametryczna (pkt)", "Ocena merytoryczna", "Ocena merytoryczna (pkt)",
    )  # fmt: skip
    assert row == (
        f"KKK/2026/{exported_call.pk}/0001", "Klaster Alfa", "Fundacja Koordynator", "5260250274",
        "Nadanie statusu", "w ocenie", "Ocena merytoryczna", dt.datetime(2026, 6, 10, 12, 0),
        "pozytywny", "pozytywny", 10, "zbiera karty oceny", None,
    )  # fmt: skip
    assert sheet.cell(2, 8).is_date and sheet.cell(2, 11).data_type == "n"
    assert sheet.cell(2, 4).data_type == "s"  # the NIP stays text


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
