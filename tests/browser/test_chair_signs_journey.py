"""Round IV as it ran: the operator names the evaluation commission and its chair, the list
waits for the chair's signature, the chair signs it (asked first) and the decision maker then
approves it (issue #14, part 2). The pages are checked with axe-core."""

import datetime as dt

import pytest
from django.utils import timezone

from keyclusters.competitions import services
from keyclusters.evaluation.models import CommissionMember, DecisionRecord, Recommendation
from keyclusters.statuses.models import StatusGrant
from tests.browser.conftest import log_in, log_out, screenshot
from tests.browser.test_accessibility import axe  # noqa: F401 (the axe-core fixture)
from tests.competitions.conftest import WARSAW
from tests.evaluation.test_commission import SIGNED_RULEBOOK
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_chair_signs_then_the_decision_maker_approves(page, live_server, axe):  # noqa: F811
    operator = UserFactory(username="operatorka", roles=["operator"])
    UserFactory(username="minister", roles=["decision-maker"])
    chair = UserFactory(username="zofia", first_name="Zofia", last_name="Przewodnicząca")
    UserFactory(username="piotr", first_name="Piotr", last_name="Niezależny")
    call = services.create_call(  # the applications are submitted on 10 June 2026
        name="Runda IV",
        rulebook=services.store_rulebook(source=SIGNED_RULEBOOK),
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    services.change_call_state(call=call, action="open")
    through_merit(call, operator, ("8", "7"), name="Klaster Alfa")
    services.change_call_state(call=call, action="close")
    base = live_server.url
    overview = f"{base}/evaluation/calls/{call.pk}/"
    commission_url = f"{base}/evaluation/calls/{call.pk}/commission/"
    recommendation_url = f"{base}/evaluation/calls/{call.pk}/recommendation/"

    # the operator names the commission from the call's evaluation overview
    log_in(page, base, "operatorka")
    page.goto(overview)
    page.click(f"a[href='/evaluation/calls/{call.pk}/commission/']")
    page.wait_for_url(commission_url)
    axe()  # no members yet
    page.select_option("#id_user", label="Zofia Przewodnicząca")
    page.select_option("#id_kind", value="ministry")
    page.fill("#id_body", "Ministerstwo Rozwoju")
    page.check("#id_chair")
    page.click("button[value=add]")
    page.wait_for_selector(".alert-success")
    page.select_option("#id_user", label="Piotr Niezależny")
    page.select_option("#id_kind", value="independent")
    page.click("button[value=add]")
    page.wait_for_selector(".alert-success")
    assert page.locator(".commission-members tbody tr").count() == 2
    assert page.locator(".commission-members .badge").count() == 1  # one chair
    axe()
    screenshot(page, "operator-names-the-commission")
    seats = CommissionMember.objects.filter(call=call).order_by("-is_chair")
    assert [(s.user.username, s.kind, s.is_chair) for s in seats] == [
        ("zofia", "ministry", True),
        ("piotr", "independent", False),
    ]
    # then prepares the list
    page.goto(overview)
    page.click("button[value=recommend]")
    page.click(".confirm-action")
    page.wait_for_url(recommendation_url)
    log_out(page)

    # the decision maker cannot approve yet: the list awaits the chair's signature
    log_in(page, base, "minister")
    page.goto(recommendation_url)
    assert page.locator(".recommendation-signature.alert-warning").count() == 1
    assert page.locator("button.btn-success").count() == 0
    log_out(page)

    # the chair finds the list on their own page and signs it, asked first
    log_in(page, base, "zofia")
    page.goto(f"{base}/evaluation/")
    page.click(f".lists-to-sign a[href='/evaluation/calls/{call.pk}/recommendation/']")
    page.wait_for_url(recommendation_url)
    axe()
    screenshot(page, "chair-sees-the-list-to-sign")
    page.click(f"form[action='/evaluation/calls/{call.pk}/recommendation/sign/'] button")
    page.wait_for_selector(".confirmation-consequences")
    facts = page.locator(".confirmation-facts dd").all_inner_texts()
    assert facts[0] == "Runda IV" and facts[2:] == ["1", "1"]
    assert Recommendation.objects.get().signed_at is None  # nothing before the confirmation
    axe()
    screenshot(page, "chair-confirms-the-signature")
    page.click(".confirm-action")
    page.wait_for_url(recommendation_url)
    page.wait_for_selector(".alert-success")
    assert page.locator(".recommendation-signature.alert-info").count() == 1
    assert "Zofia Przewodnicząca" in page.locator(".recommendation-signature").inner_text()
    axe()
    recommendation = Recommendation.objects.get()
    assert (recommendation.signed_by, recommendation.signed_by_name) == (
        chair,
        "Zofia Przewodnicząca",
    )
    log_out(page)

    # the decision maker approves the signed list
    log_in(page, base, "minister")
    page.goto(recommendation_url)
    decided = timezone.localdate()
    page.fill("input[name=approved_on]", decided.isoformat())
    page.click("form button[type=submit].btn-success")
    page.wait_for_selector(".confirmation-consequences")
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    axe()
    screenshot(page, "decision-maker-approves-the-signed-list")
    log_out(page)
    assert StatusGrant.objects.count() == 1
    record = DecisionRecord.objects.get()
    assert record.signed_by_name == "Zofia Przewodnicząca"
    assert record.signed_at == recommendation.signed_at
