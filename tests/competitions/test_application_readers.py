"""Who reads an application's page besides its coordinator and the operators: the decision
maker, and the experts and panel members assigned to it once they have declared no conflict of
interest (the rule of its documents). Anyone else gets a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyclusters.competitions import services
from keyclusters.competitions.models import Application
from keyclusters.evaluation import services as evaluation
from keyclusters.evaluation.models import Assignment
from tests.competitions.conftest import PDF, WARSAW, in_call
from tests.evaluation.conftest import make_expert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(call, cluster, coordinator, operator):
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
    services.pass_formal(application=application, by=operator)  # now at the merit stage
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def assigned(application, operator):
    return evaluation.assign_expert(
        application=application, stage="merit", expert=make_expert("ewa"), by=operator
    )


def _detail(application) -> str:
    return reverse("competitions:application-detail", args=[application.pk])


def test_an_assigned_expert_reads_the_page_only_after_declaring_no_conflict(
    client, application, assigned
):
    client.force_login(assigned.expert.user)
    assert client.get(_detail(application)).status_code == 404
    evaluation.declare(assignment=assigned, conflict=False, note="", by=assigned.expert.user)
    page = client.get(_detail(application))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Klaster Alfa" in html and "strategia.pdf" in html
    # the form is the coordinator's: the expert reads, and a POST is refused
    assert page.context["editable"] == []
    assert client.post(_detail(application), {"rd_projects": "9", "save": "1"}).status_code == 403
    # the scores and who did what are not the expert's to read
    assert (page.context["show_scores"], page.context["show_actors"]) == (False, False)
    assert "10.00 / 13" not in html
    assert reverse("evaluation:why", args=[application.pk]) not in html


def test_an_expert_who_declared_a_conflict_gets_a_404(client, application, assigned):
    evaluation.declare(assignment=assigned, conflict=True, note="Brat", by=assigned.expert.user)
    assert Assignment.objects.get(pk=assigned.pk).state == "withdrawn"
    client.force_login(assigned.expert.user)
    assert client.get(_detail(application)).status_code == 404


def test_an_unassigned_expert_and_another_coordinator_get_a_404(
    client, application, assigned, other_coordinator
):
    evaluation.declare(assignment=assigned, conflict=False, note="", by=assigned.expert.user)
    for user in (make_expert("jan").user, other_coordinator):
        client.force_login(user)
        assert client.get(_detail(application)).status_code == 404


def test_a_panel_member_assigned_without_a_conflict_reads_the_page(client, application):
    panel = make_expert("pola", role="panel-member")
    Assignment.objects.create(
        expert=panel, application=application, stage="merit", no_conflict_declared_at=in_call()
    )
    client.force_login(panel.user)
    assert client.get(_detail(application)).status_code == 200
    unassigned = make_expert("piotr", role="panel-member")
    client.force_login(unassigned.user)
    assert client.get(_detail(application)).status_code == 404


def test_the_decision_maker_reads_the_page_with_the_scores_and_who_did_what(
    client, application, operator
):
    operator.first_name, operator.last_name = "Olga", "Kowalska"
    operator.save()
    minister = UserFactory(username="minister", roles=["decision-maker"])
    client.force_login(minister)
    page = client.get(_detail(application))
    assert page.status_code == 200
    assert (page.context["show_scores"], page.context["show_actors"]) == (True, True)
    html = page.content.decode()
    assert "10.00 / 13" in html
    assert 'passed the formal evaluation · <span class="event-actor">Olga Kowalska</span>' in html
    # the coordinator's own submission: the login when the person has no name
    assert 'submitted · <span class="event-actor">koordynator</span>' in html


def test_the_coordinator_reads_what_happened_without_the_names(client, application, coordinator):
    client.force_login(coordinator)
    page = client.get(_detail(application))
    assert page.context["show_actors"] is False
    assert 'class="event-actor"' not in page.content.decode()
    assert [str(e.action) for e in page.context["events"]][:2] == ["create", "submit"]


def test_a_reader_without_a_role_gets_a_404(client, application):
    client.force_login(UserFactory(username="nikt"))
    assert client.get(_detail(application)).status_code == 404


def test_the_history_dates_are_in_the_locale_format(client, application):
    minister = UserFactory(username="minister", roles=["decision-maker"])
    client.force_login(minister)
    html = client.get(_detail(application), headers={"accept-language": "pl"}).content.decode()
    submitted = application.events.get(action="submit").at.astimezone(WARSAW)
    assert f"<li>{submitted:%d.%m.%Y %H:%M} · " in html
