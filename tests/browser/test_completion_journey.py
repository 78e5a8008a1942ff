"""The coordinator completes an application (issue #13, docs/competition.md): the operator asked
for the missing resolution of the board with a note; the coordinator finds the application on
the dashboard, reads the note on its page and in its history, attaches the resolution and
submits the completed application, which goes back to the formal evaluation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, timezone, translation

from keyclusters.competitions import services
from keyclusters.competitions.models import Application
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import axe  # noqa: F401  (axe-core on every page)
from tests.competitions.conftest import PDF, SMALL_RULEBOOK
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

STRATEGY = (
    '  - {id: strategy, type: document, required: true, title: {pl: "Strategia", en: "Strategy"}}\n'
)
RESOLUTION = (
    "  - {id: board_resolution, type: document, title: {pl: "
    '"Uchwała zarządu o przystąpieniu do konkursu", en: "Resolution of the board"}}\n'
)
# the registry's values by their titles, as in the programme's rulebooks
RULEBOOK = (
    SMALL_RULEBOOK.replace(STRATEGY, STRATEGY + RESOLUTION)
    .replace(
        "{id: years_active, type: integer, source: registry}",
        '{id: years_active, type: integer, source: registry, title: {pl: "Okres działalności '
        'klastra (lata)", en: "Years of operation"}}',
    )
    .replace(
        "{id: members_total, type: integer, source: registry}",
        '{id: members_total, type: integer, source: registry, title: {pl: "Liczba członków '
        'klastra", en: "Number of members"}}',
    )
)
NOTE = "Brak uchwały zarządu o przystąpieniu do konkursu"


@pytest.fixture
def asked_to_complete(db) -> Application:
    """An application submitted without the board's resolution, and the operator's request."""
    assert RESOLUTION in RULEBOOK
    assert RULEBOOK.count("title: {pl:") == SMALL_RULEBOOK.count("title: {pl:") + 3
    now = timezone.now()
    call = services.create_call(
        name="Runda uzupełnień",
        rulebook=services.store_rulebook(source=RULEBOOK),
        opens_at=now - dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=30),
    )
    call = services.change_call_state(call=call, action="open")
    cluster = ClusterFactory(name="Klaster Uzupełniany", founded_on=dt.date(2015, 1, 1))
    for _ in range(5):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    coordinator = UserFactory(
        username="koordynator", roles=["coordinator"], organisation=cluster.coordinator
    )
    operator = UserFactory(username="operatorka", roles=["operator"])
    application = services.start_application(call=call, cluster=cluster, by=coordinator)
    services.save_application_data(
        application=application,
        values={"rd_projects": 3},
        files={"strategy": ("strategia.pdf", PDF)},
        by=coordinator,
    )
    services.submit_application(application=application, by=coordinator)
    services.request_completion(
        application=application, items=["board_resolution"], note=NOTE, by=operator
    )
    application.refresh_from_db()
    assert application.state == "completion-requested"
    return application


def _polish(value: dt.datetime | dt.date, format_name: str) -> str:
    with translation.override("pl"):
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value)
        return formats.date_format(value, format_name)


def test_the_coordinator_reads_the_note_completes_and_submits_again(
    page,
    live_server,
    axe,  # noqa: F811
    asked_to_complete,
    tmp_path,
):
    application = asked_to_complete
    deadline = application.completion_deadline
    detail = f"/competitions/applications/{application.pk}/"
    base = live_server.url

    # the dashboard lists the application as one to complete, with the last day
    log_in(page, base, "koordynator")
    assert page.url == f"{base}/dashboard/"
    row = page.locator("table[data-table=applications] tbody tr", has_text="Klaster Uzupełniany")
    assert row.locator("td").nth(2).inner_text() == (
        f"do uzupełnienia uzupełnij do {_polish(deadline, 'SHORT_DATE_FORMAT')}"
    )
    axe()
    row.locator(f"a[href='{detail}']").click()
    page.wait_for_url(f"{base}{detail}")

    # the page: what to complete, by when, and the operator's note, also in the history
    assert page.locator("main .alert-warning[role=alert]").inner_text() == (
        f"Uzupełnij oznaczone poniżej elementy do {_polish(deadline, 'SHORT_DATETIME_FORMAT')} "
        "i ponownie złóż wniosek."
    )
    note = page.locator("section.completion-note")
    assert (
        note.locator("h2")
        .inner_text()
        .startswith("Braki do uzupełnienia (wezwanie do uzupełnienia) · ")
    )
    assert note.locator("p").all_inner_texts() == [
        "Elementy do uzupełnienia: Uchwała zarządu o przystąpieniu do konkursu",
        f"Uwagi: {NOTE}",
    ]
    history = page.locator("h2:text-is('Historia') + ul > li")
    assert history.count() == 3
    assert history.nth(2).inner_text().split(" · ", 1)[1] == (
        f"wezwanie do uzupełnienia\nUwagi: {NOTE}"
    )
    # only the named item can be changed now
    label = page.locator("label[for=id_board_resolution]")
    assert label.inner_text() == "Uchwała zarządu o przystąpieniu do konkursu do uzupełnienia"
    assert page.locator("#id_board_resolution").is_enabled()
    assert page.locator("#id_strategy").is_disabled()
    assert page.locator("#id_rd_projects").is_disabled()
    axe()
    screenshot(page, "coordinator-completion-note")

    # the coordinator attaches the resolution and submits the completed application
    resolution = tmp_path / "uchwala-zarzadu.pdf"
    resolution.write_bytes(PDF)
    page.set_input_files("#id_board_resolution", str(resolution))
    page.get_by_role("button", name="Złóż uzupełniony wniosek").click()
    page.wait_for_url(f"{base}{detail}")
    assert page.locator("main .alert-success[role=alert]").inner_text() == (
        "Uzupełniony wniosek został złożony i wraca do oceny formalnej."
    )
    # back in the formal evaluation: submitted, the formal stage the current one
    assert page.locator("h1 .badge").inner_text() == "złożony"
    formal = page.locator("ol.list-group li", has_text="Ocena formalna")
    assert formal.locator(".badge").inner_text() == "bieżący"
    assert page.locator("main .alert-warning").count() == 0
    assert note.locator("h2").inner_text().startswith("Wezwanie do uzupełnienia · ")
    values = page.locator("table.application-values")
    resolution_row = values.locator("tr", has_text="Uchwała zarządu o przystąpieniu do konkursu")
    assert resolution_row.locator("a").inner_text() == "uchwala-zarzadu.pdf"
    assert history.count() == 4
    assert history.nth(3).inner_text().split(" · ", 1)[1] == "złożono po uzupełnieniu"
    assert page.locator("main input[type=file]").count() == 0
    axe()

    application.refresh_from_db()
    assert (application.state, application.stage) == ("submitted", "formal")
    revision = application.revisions.order_by("pk").last()
    assert revision.data["board_resolution"]["document"] == "uchwala-zarzadu.pdf"
    assert application.revisions.count() == 2
