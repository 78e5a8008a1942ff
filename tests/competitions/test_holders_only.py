"""A call open only to holders of the status (the rulebook's applicants.holders): checked at
submission and at the formal stage, against the statuses the registry records."""

import datetime as dt

import pytest
from django.utils import translation

from keyclusters.competitions import services
from keyclusters.statuses.models import StatusGrant
from tests.competitions.conftest import PDF, SMALL_RULEBOOK, WARSAW, in_call

pytestmark = pytest.mark.django_db

RENEWAL_ONLY = (
    SMALL_RULEBOOK.replace("rulebook: test-small", "rulebook: test-renewal")
    + "applicants:\n  holders: {status_type: kkk, ends_between: [2026-01-01, 2026-12-31]}\n"
)


@pytest.fixture
def renewal_call(db):
    call = services.create_call(
        name="Runda odnowień",
        rulebook=services.store_rulebook(source=RENEWAL_ONLY),
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    return services.change_call_state(call=call, action="open")


def _grant(cluster, valid_to, withdrawn_on=None):
    return StatusGrant.objects.create(
        cluster=cluster,
        round_label="2023",
        decision_on=valid_to - dt.timedelta(days=3 * 365),
        valid_from=valid_to - dt.timedelta(days=3 * 365 - 1),
        valid_to=valid_to,
        withdrawn_on=withdrawn_on,
    )


def _draft(call, cluster, coordinator):
    application = services.start_application(
        call=call, cluster=cluster, by=coordinator, now=in_call()
    )
    return services.save_application_data(
        application=application,
        values={"rd_projects": 3},
        files={"strategy": ("strategia.pdf", PDF)},
        by=coordinator,
        now=in_call(),
    )


def test_a_cluster_that_never_held_the_status_cannot_submit(renewal_call, cluster, coordinator):
    application = _draft(renewal_call, cluster, coordinator)
    with pytest.raises(services.CompetitionError) as refused:
        services.submit_application(application=application, by=coordinator, now=in_call())
    assert refused.value.messages == [
        "The call is open only to clusters holding the status; this cluster holds none."
    ]
    application.refresh_from_db()
    assert (application.state, application.number) == ("draft", None)


def test_a_holder_whose_status_ends_outside_the_range_cannot_submit(
    renewal_call, cluster, coordinator
):
    _grant(cluster, dt.date(2027, 1, 1))
    application = _draft(renewal_call, cluster, coordinator)
    with pytest.raises(services.CompetitionError) as refused:
        services.submit_application(application=application, by=coordinator, now=in_call())
    assert refused.value.messages == [
        "The call is open only to clusters whose status ends between 1 Jan 2026 and "
        "31 Dec 2026; this cluster's status ends on 1 Jan 2027."
    ]
    with translation.override("pl"):
        assert services.holder_refusal(application, dt.date(2026, 6, 10)) == (
            "Nabór jest otwarty tylko dla klastrów, których status kończy się między 01.01.2026 "
            "a 31.12.2026; status tego klastra kończy się 01.01.2027."
        )


@pytest.mark.parametrize("last_day", [dt.date(2026, 1, 1), dt.date(2026, 12, 31)])
def test_a_holder_whose_status_ends_within_the_range_submits(
    renewal_call, cluster, coordinator, last_day
):
    _grant(cluster, last_day)
    application = _draft(renewal_call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call())
    application.refresh_from_db()
    assert application.state == "submitted"


def test_a_withdrawal_ends_the_status_the_day_before(renewal_call, cluster, coordinator):
    _grant(cluster, dt.date(2027, 6, 30), withdrawn_on=dt.date(2026, 3, 1))
    application = _draft(renewal_call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call())
    assert services.holder_refusal(application, dt.date(2026, 6, 10)) is None


def test_the_formal_stage_checks_again(renewal_call, cluster, coordinator, operator):
    grant = _grant(cluster, dt.date(2026, 9, 30))
    application = _draft(renewal_call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call())
    # the status is withdrawn in 2025 records (corrected after the submission)
    grant.withdrawn_on = dt.date(2025, 11, 1)
    grant.save()
    with pytest.raises(services.CompetitionError) as refused:
        services.pass_formal(application=application, by=operator)
    assert refused.value.messages == [
        "The application cannot pass: The call is open only to clusters whose status ends "
        "between 1 Jan 2026 and 31 Dec 2026; this cluster's status ends on 31 Oct 2025. "
        "Fail it with this reason."
    ]
    application.refresh_from_db()
    assert application.state == "submitted"


def test_a_call_open_to_any_cluster_asks_nothing(call, cluster, coordinator):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call())
    assert services.holder_refusal(application, dt.date(2026, 6, 10)) is None


def test_the_formal_page_says_why_before_asking(
    renewal_call, cluster, coordinator, operator, client
):
    from django.urls import reverse

    application = _draft(renewal_call, cluster, coordinator)
    _grant(cluster, dt.date(2026, 9, 30))
    services.submit_application(application=application, by=coordinator, now=in_call())
    StatusGrant.objects.filter(cluster=cluster).update(withdrawn_on=dt.date(2025, 11, 1))
    client.force_login(operator)
    url = reverse("competitions:formal-evaluation", args=[application.pk])
    from keyclusters.competitions.forms import FORMAL_CHECKLIST

    checked = {f"check-{key}": "on" for key, _label in FORMAL_CHECKLIST}
    response = client.post(
        url, {"action": "pass", **checked}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    text = response.content.decode()
    assert "confirmation-consequences" not in text
    assert "this cluster&#x27;s status ends on 31 Oct 2025. Fail it with this reason." in text
    application.refresh_from_db()
    assert application.state == "submitted"
