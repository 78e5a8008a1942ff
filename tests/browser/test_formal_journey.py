"""A coordinator submits an application; an operator passes it formally."""

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
    UserFactory(username="operatorka", roles=["operator"])
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
    page.wait_for_selector(".alert-success")
    application.refresh_from_db()
    assert (application.state, application.stage) == ("in-evaluation", "merit")
    screenshot(page, "operator-application-after-formal")
    assert "6,00 / 13" in page.content()  # 7 members: 4 points; 3 / 7 projects: 2 points
