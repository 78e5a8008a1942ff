"""An operator records an expert's affiliation with a member of the cluster the expert evaluates:
the assignment is suspended at once, with the reason, and the operator decides on it."""

import datetime as dt

import pytest

from keyclusters.evaluation import services as evaluation_services
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_evaluation_journey import application_at_merit
from tests.evaluation.conftest import make_expert
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_operator_edits_affiliations_and_sees_the_conflict(page, live_server):
    cluster = ClusterFactory(
        name="Klaster Powiązań", founded_on=dt.date(2015, 1, 1), specialisation="ICT"
    )
    institute = OrganisationFactory(name="Instytut Gamma")
    MembershipFactory(cluster=cluster, organisation=institute, joined_on=dt.date(2022, 3, 1))
    for _ in range(5):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    operator = UserFactory(
        username="operatorka", first_name="Olga", last_name="Nowak", roles=["operator"]
    )
    anna = make_expert("anna", organisation=OrganisationFactory(name="Politechnika Północna"))
    application = application_at_merit(cluster, operator, "Runda powiązań")
    assignment = evaluation_services.assign_expert(
        application=application, stage="merit", expert=anna, by=operator
    )
    base = live_server.url

    log_in(page, base, "operatorka")
    page.goto(f"{base}/evaluation/experts/")
    page.click("text=Anna")
    page.fill("#id_nip", institute.nip)
    page.fill("#id_position", "członkini rady naukowej")
    page.fill("#id_started_on", "2021-10-01")
    page.click("button[value=add-affiliation]")
    page.wait_for_selector(".alert-warning")  # "a conflict of interest: 1 assignment suspended"
    assert "1" in page.inner_text(".alert-warning")
    ties = page.inner_text("#ties")
    assert "Instytut Gamma" in ties and "członkini rady naukowej" in ties
    assert "Politechnika Północna" in ties  # the employer, counted automatically
    # the reason, in the page's language (Polish dates): the organisation, the tie's dates,
    # the cluster
    reason = page.inner_text("#assignments .conflict-reason")
    assert "Instytut Gamma (" in reason
    assert "01.10.2021" in reason and "Klaster Powiązań" in reason
    screenshot(page, "operator-expert-affiliations")

    # the needs-attention list leads to the decision; lifting records the operator's name
    page.goto(f"{base}/dashboard/")
    page.click(f"[data-attention=suspended] a[href$='/assignments/{assignment.pk}/suspension/']")
    assert "Klaster Powiązań" in page.inner_text("h1")
    page.fill("#id_note", "Rada naukowa bez udziału w projektach klastra")
    page.click("button[value=lift]")
    page.wait_for_selector(".alert-success")
    assert "Olga Nowak" in page.inner_text("main")
    assignment.refresh_from_db()
    assert assignment.state == "active"
