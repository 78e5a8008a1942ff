"""A coordinator submits an application; an operator passes it formally, then closes the call
before its deadline: each asks first, stating the consequence, and is recorded with the name."""

import datetime as dt

import pytest
from django.utils import timezone

from keyclusters.competitions import services
from keyclusters.competitions.models import Application
from tests.browser.conftest import log_in, log_out, screenshot
from tests.competitions.conftest import SMALL_RULEBOOK
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_submits_and_operator_passes_formally(page, live_server, tmp_path):
    cluster = ClusterFactory(name="Klaster Przeglądarkowy", founded_on=dt.date(2017, 1, 1))
    for _ in range(6):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    UserFactory(username="koordynator", roles=["coordinator"], organisation=cluster.coordinator)
    UserFactory(username="operatorka", first_name="Olga", last_name="Kowalska", roles=["operator"])
    rulebook = services.store_rulebook(source=SMALL_RULEBOOK)
    now = timezone.now()
    call = services.create_call(
        name="Runda przeglądarkowa",
        rulebook=rulebook,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    services.change_call_state(call=call, action="open")
    strategy = tmp_path / "strategia.pdf"
    strategy.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    base = live_server.url
    log_in(page, base, "koordynator")
    page.goto(f"{base}/competitions/calls/{call.pk}/")
    page.click("text=Rozpocznij wniosek")
    page.fill("#id_rd_projects", "3")
    page.set_input_files("#id_strategy", str(strategy))
    screenshot(page, "coordinator-application")
    page.click("button[name=submit]")
    page.wait_for_selector(".alert-success")
    assert "Wniosek został złożony" in page.inner_text(".alert-success")
    application = Application.objects.get(call=call, cluster=cluster)
    assert application.state == "submitted"
    log_out(page)

    log_in(page, base, "operatorka")
    page.goto(f"{base}/competitions/calls/{call.pk}/dashboard/")
    page.click("text=Oceń")
    for box in page.locator("input[name^='check-']").all():
        box.check()
    screenshot(page, "operator-formal-evaluation")
    page.click("button[value=pass]")
    # the confirmation: what passing does; nothing has happened yet
    page.wait_for_selector(".confirmation .confirm-action")
    assert "Klaster Przeglądarkowy" in page.inner_text(".confirmation-facts")
    application.refresh_from_db()
    assert application.state == "submitted"
    screenshot(page, "operator-formal-confirmation")
    page.click(".confirmation .confirm-action")
    page.wait_for_selector(".alert-success")
    application.refresh_from_db()
    assert (application.state, application.stage) == ("in-evaluation", "merit")
    screenshot(page, "operator-application-after-formal")
    assert "6,00 / 13" in page.content()  # 7 members: 4 points; 3 / 7 projects: 2 points
    # the history names the operator beside the formal decision
    actors = page.locator("ul.application-history .event-actor").all_inner_texts()
    assert "Olga Kowalska" in actors and "koordynator" in actors

    # closing the call a month early: the warning names the deadline, in the Polish format
    page.goto(f"{base}/competitions/calls/{call.pk}/dashboard/")
    page.click("button[value=close]")
    page.wait_for_selector(".confirmation .confirm-action")
    deadline = timezone.localtime(call.closes_at).strftime("%d.%m.%Y %H:%M")
    assert deadline in page.inner_text(".confirmation-warning >> nth=0")
    page.click(".confirmation .cancel-action")
    page.wait_for_url(f"{base}/competitions/calls/{call.pk}/dashboard/")
    call.refresh_from_db()
    assert call.state == "open"
    page.click("button[value=close]")
    page.wait_for_selector(".confirmation .confirm-action")
    page.click(".confirmation .confirm-action")
    page.wait_for_selector(".alert-success")
    call.refresh_from_db()
    assert call.state == "closed"
    assert " · Olga Kowalska · " in page.locator("ul.call-history li").last.inner_text()
