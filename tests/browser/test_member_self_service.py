"""A member firm's journey (docs/self-service.md): it logs in, sees its memberships across
clusters and contests one; the cluster's coordinator then sees the contest."""

import datetime as dt

import pytest

from keyclusters.registry.models import ConfirmationState, MembershipConfirmation
from tests.browser.conftest import log_in, log_out, screenshot
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_firm_contests_a_membership(page, live_server):
    first = ClusterFactory(name="Klaster Pomorski", founded_on=dt.date(2012, 1, 1))
    second = ClusterFactory(name="Klaster Mazowiecki", founded_on=dt.date(2012, 1, 1))
    firm = OrganisationFactory(name="Spółka Członkowska", nip="5260250995")
    wrong = MembershipFactory(cluster=first, organisation=firm, joined_on=dt.date(2018, 1, 1))
    MembershipFactory(cluster=second, organisation=firm, joined_on=dt.date(2020, 5, 1))
    MembershipFactory(cluster=second, joined_on=dt.date(2020, 5, 1))  # another organisation's
    UserFactory(
        username="firma", first_name="Anna", last_name="Nowak",
        roles=["member-organisation"], organisation=firm,
    )  # fmt: skip
    UserFactory(username="koordynator", roles=["coordinator"], organisation=first.coordinator)

    base = live_server.url
    log_in(page, base, "firma")
    page.goto(f"{base}/clusters/organisation/")
    rows = page.locator("#my-memberships tbody tr")
    assert rows.count() == 2
    assert sorted(page.locator("#my-memberships tbody tr td:first-child").all_inner_texts()) == [
        "Klaster Mazowiecki",
        "Klaster Pomorski",
    ]
    page.locator(f"tr[data-membership='{wrong.pk}'] a.btn").click()
    page.wait_for_selector("#contest-form")
    page.fill("#id_reason", "Nigdy nie przystąpiliśmy do tego klastra.")
    page.locator("#contest-form button[type=submit]").click()
    # the confirmation page says what a contest does before anything is recorded
    page.wait_for_selector(".confirm-action")
    assert "Klaster Pomorski" in page.inner_text(".confirmation-consequences")
    assert not MembershipConfirmation.objects.filter(membership=wrong).exists()
    page.click(".confirm-action")
    page.wait_for_selector("#contested-count")
    assert page.locator(".alert-success").count() == 1
    assert page.locator(f"tr[data-membership='{wrong.pk}'] .badge.text-bg-danger").count() == 1
    screenshot(page, "member-firm-contests-membership")

    confirmation = MembershipConfirmation.objects.get(membership=wrong)
    assert confirmation.state == ConfirmationState.CONTESTED
    assert confirmation.changed_by_name == "Anna Nowak"

    log_out(page)
    log_in(page, base, "koordynator")
    page.goto(f"{base}/clusters/{first.pk}/manage/")
    assert page.locator(f"tr[data-membership='{wrong.pk}'] [data-contested]").count() == 1
