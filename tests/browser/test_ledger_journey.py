"""Issue #12: a coordinator adds a member whose start lies far back, with the accession
declaration as evidence; an operator accepts it in the evidence queue, and verification then
counts the membership from its start."""

import datetime as dt

import pytest
from django.utils import timezone

from keyclusters.registry.models import Membership
from tests.browser.conftest import log_in, log_out, screenshot
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_backdated_member_with_evidence_accepted_by_an_operator(page, live_server, tmp_path):
    cluster = ClusterFactory(name="Klaster Rejestrowy", founded_on=dt.date(2015, 1, 1))
    UserFactory(
        username="koordynator", first_name="Jan", last_name="Kowalski",
        roles=["coordinator"], organisation=cluster.coordinator,
    )  # fmt: skip
    UserFactory(username="operatorka", first_name="Olga", last_name="Nowak", roles=["operator"])
    declaration = tmp_path / "deklaracja-przystapienia.pdf"
    declaration.write_bytes(PDF)
    today = timezone.localdate()

    base = live_server.url
    log_in(page, base, "koordynator")
    page.goto(f"{base}/clusters/{cluster.pk}/manage/members/add/")
    page.fill("#id_nip", "113-285-38-69")
    page.fill("#id_name", "Odlewnia Dawna sp. z o.o.")
    page.select_option("#id_kind", "enterprise")
    page.select_option("#id_size", "small")
    page.fill("#id_joined_on", "2021-03-01")
    page.set_input_files("#id_evidence", str(declaration))
    page.select_option("#id_evidence_kind", "accession-declaration")
    screenshot(page, "coordinator-backdated-member-evidence")
    page.click("form.registry-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    membership = Membership.objects.get(cluster=cluster, organisation__nip="1132853869")
    assert (membership.evidence_state, membership.counted_from) == ("submitted", today)
    log_out(page)

    log_in(page, base, "operatorka")
    page.goto(f"{base}/clusters/review/evidence/")
    row = page.locator(f"tr[data-evidence='{membership.evidence.get().pk}']")
    assert "Odlewnia Dawna sp. z o.o." in row.inner_text()
    screenshot(page, "operator-evidence-queue")
    row.locator("button[value=accept]").click()
    # the confirmation page states the consequence; nothing is decided until it is confirmed
    page.wait_for_selector(".confirm-action")
    assert "Odlewnia Dawna sp. z o.o." in page.inner_text(".confirmation-consequences")
    membership.refresh_from_db()
    assert membership.evidence_state == "submitted"
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    membership.refresh_from_db()
    assert (membership.evidence_state, membership.counted_from) == ("accepted", None)
    assert membership.evidence_accepted_on == today
    assert "Olga Nowak" in page.inner_text("#evidence-decided")
    page.goto(f"{base}/clusters/{cluster.pk}/manage/memberships/{membership.pk}/")
    assert "Olga Nowak" in page.inner_text("#membership-trail")
    log_out(page)

    # the coordinator ends the membership: the page asks first, then the end bears his name
    log_in(page, base, "koordynator")
    page.goto(f"{base}/clusters/{cluster.pk}/manage/")
    row = page.locator(f"tr[data-membership='{membership.pk}']")
    last_day = today + dt.timedelta(days=30)
    row.locator("input[name=left_on]").fill(last_day.isoformat())
    row.locator("form.end-membership button[type=submit]").click()
    page.wait_for_selector(".confirm-action")
    consequences = page.inner_text(".confirmation-consequences")
    assert "Odlewnia Dawna sp. z o.o." in consequences and "Klaster Rejestrowy" in consequences
    screenshot(page, "coordinator-confirms-the-end-of-a-membership")
    membership.refresh_from_db()
    assert membership.left_on is None
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    membership.refresh_from_db()
    assert membership.left_on == last_day
    assert "Jan Kowalski" in page.inner_text(f"tr[data-membership='{membership.pk}']")
