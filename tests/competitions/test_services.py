import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import translation

from keyclusters.competitions import services
from keyclusters.competitions.models import Application, ApplicationEvent, StageResult
from keyclusters.registry.models import Membership
from tests.competitions.conftest import PDF, SMALL_RULEBOOK, WARSAW, in_call
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _draft(call, cluster, coordinator, *, rd_projects=3, now=None):
    now = now or in_call()
    application = services.start_application(call=call, cluster=cluster, by=coordinator, now=now)
    return services.save_application_data(
        application=application,
        values={"rd_projects": rd_projects},
        files={"strategy": ("strategia.pdf", PDF)},
        by=coordinator,
        now=now,
    )


def test_submission_freezes_registry_values_and_member_list(call, cluster, coordinator):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call(10))
    application.refresh_from_db()
    assert application.state == "submitted"
    assert application.stage == "formal"
    revision = application.revisions.get()
    assert revision.as_of == dt.date(2026, 6, 10)
    # founded 2018-03-01 -> 8 full years; coordinator + 5 members
    assert revision.data["years_active"] == 8
    assert revision.data["members_total"] == 6
    assert revision.data["rd_projects"] == "3"
    assert revision.data["strategy"]["kind"] == "pdf"
    assert len(revision.members) == 6
    assert [e.action for e in application.events.all()] == ["create", "submit"]


def test_a_frozen_revision_does_not_follow_later_registry_changes(call, cluster, coordinator):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call(10))
    for _ in range(4):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2026, 6, 1))
    Membership.objects.filter(cluster=cluster, role="member").update(left_on=dt.date(2026, 6, 2))
    revision = application.revisions.get()
    revision.refresh_from_db()
    assert revision.data["members_total"] == 6
    assert len(revision.members) == 6


def test_late_submission_is_refused(call, cluster, coordinator):
    application = _draft(call, cluster, coordinator)
    late = dt.datetime(2026, 6, 30, 16, 0, 1, tzinfo=WARSAW)
    with pytest.raises(services.CompetitionError) as info:
        services.submit_application(application=application, by=coordinator, now=late)
    assert "2026-06-30 16:00" in info.value.messages[0]
    application.refresh_from_db()
    assert application.state == "draft"
    assert application.revisions.count() == 0


def test_submission_at_the_last_second_is_accepted(call, cluster, coordinator):
    application = _draft(call, cluster, coordinator)
    last = dt.datetime(2026, 6, 30, 16, 0, 0, tzinfo=WARSAW)
    services.submit_application(application=application, by=coordinator, now=last)
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_submission_without_a_required_document_is_refused(call, cluster, coordinator):
    application = services.start_application(
        call=call, cluster=cluster, by=coordinator, now=in_call()
    )
    with pytest.raises(services.CompetitionError) as info:
        services.submit_application(application=application, by=coordinator, now=in_call())
    assert info.value.message_dict == {"strategy": ["This item is required."]}


def test_another_coordinator_can_neither_start_nor_change_nor_submit(
    call, cluster, coordinator, other_coordinator
):
    with pytest.raises(PermissionDenied):
        services.start_application(call=call, cluster=cluster, by=other_coordinator, now=in_call())
    application = _draft(call, cluster, coordinator)
    with pytest.raises(PermissionDenied):
        services.save_application_data(
            application=application,
            values={"rd_projects": 99},
            by=other_coordinator,
            now=in_call(),
        )
    with pytest.raises(PermissionDenied):
        services.submit_application(application=application, by=other_coordinator, now=in_call())
    application.refresh_from_db()
    assert application.data["rd_projects"] == "3"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello", "Only PDF, DOCX and XLSX documents are accepted."),
        (b"", "The file is empty."),
        (b"%PDF-" + b"0" * (20 * 1024 * 1024), "The file has 20.0 MB; at most 20 MB is accepted."),
    ],
)
def test_documents_are_checked_by_content_and_size(call, cluster, coordinator, content, message):
    application = services.start_application(
        call=call, cluster=cluster, by=coordinator, now=in_call()
    )
    with pytest.raises(services.CompetitionError) as info:
        services.save_application_data(
            application=application,
            values={},
            files={"strategy": ("s.pdf", content)},
            by=coordinator,
            now=in_call(),
        )
    assert info.value.message_dict == {"strategy": [message]}
    assert application.documents.count() == 0


def test_the_formal_pass_computes_the_parametric_stage(call, cluster, coordinator, operator):
    application = _draft(call, cluster, coordinator, rd_projects=3)
    services.submit_application(application=application, by=coordinator, now=in_call())
    assessment = services.formal_assessment(application)
    assert assessment.passed
    services.pass_formal(application=application, checklist={"history": True}, by=operator)
    application.refresh_from_db()
    # on to the merit stage after the parametric one was computed and its gate passed
    assert (application.state, application.stage) == ("in-evaluation", "merit")
    parametric = StageResult.objects.get(application=application, stage="parametric")
    # 6 members -> bracket min 5 -> 4 points; 3 / 6 = 0.5 R&D projects per member -> 6 points
    assert parametric.points == Decimal("10")
    assert parametric.max_points == Decimal("13")
    rows = {row["criterion"]: row for row in parametric.details["criteria"]}
    assert rows["members"]["explanation"]["bracket"]["min"] == "5"
    assert rows["rd_intensity"]["explanation"]["value"] == "0.5"
    assert parametric.rulebook_sha256 == call.rulebook.sha256
    # revisions: submitted (formal), parametric, merit; the same frozen data
    assert list(application.revisions.values_list("stage", flat=True)) == [
        "formal",
        "parametric",
        "merit",
    ]


def test_state_changes_notify_the_coordinators(
    call, cluster, coordinator, operator, django_capture_on_commit_callbacks
):
    coordinator.preferred_language = "pl"
    coordinator.save()
    application = _draft(call, cluster, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(application=application, by=coordinator, now=in_call())
    with django_capture_on_commit_callbacks(execute=True):
        services.fail_formal(application=application, reasons=["Brak podpisów"], by=operator)
    assert [m.to for m in mail.outbox] == [["koordynator@example.org"]] * 2
    assert mail.outbox[0].subject == "Złożono wniosek klastra Klaster Alfa"
    assert "Brak podpisów" in mail.outbox[1].body


def test_formal_failure_keeps_the_reasons(call, cluster, coordinator, operator):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call())
    with pytest.raises(services.CompetitionError):
        services.fail_formal(application=application, reasons=["  "], by=operator)
    services.fail_formal(application=application, reasons=["Brak strategii"], by=operator)
    application.refresh_from_db()
    assert application.state == "rejected"
    assert application.outcome_reasons == ["Brak strategii"]
    result = StageResult.objects.get(application=application, stage="formal")
    assert (result.result, result.decided_by) == ("failed", operator)
    event = application.events.last()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "fail-formal",
        "submitted",
        "rejected",
        operator,
    )


def test_an_ineligible_application_cannot_pass(call, cluster, coordinator, operator):
    Membership.objects.filter(cluster=cluster, role="member").delete()
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call())
    assessment = services.formal_assessment(application)
    assert not assessment.passed
    assert [o.rule_id for o in assessment.failed] == ["min_members"]
    with pytest.raises(services.CompetitionError):
        services.pass_formal(application=application, by=operator)
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_a_parametric_gate_stops_the_application(call, cluster, coordinator, operator):
    Membership.objects.filter(cluster=cluster, role="member").first().delete()
    MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))  # still 6 in total
    application = _draft(call, cluster, coordinator, rd_projects=0)
    services.submit_application(application=application, by=coordinator, now=in_call())
    Membership.objects.filter(cluster=cluster).update(left_on=None)
    services.pass_formal(application=application, by=operator)
    application.refresh_from_db()
    # 4 points for the members, 0 for R&D: the gate (>= 4) is met exactly
    assert (application.state, application.stage) == ("in-evaluation", "merit")


def test_a_gate_below_the_threshold_rejects(rulebook, cluster, coordinator, operator):
    source = SMALL_RULEBOOK.replace("version: 1", "version: 2").replace(
        'gate: {op: ">=", value: 4}', 'gate: {op: ">", value: 4}'
    )
    strict = services.store_rulebook(source=source)
    call = services.create_call(
        name="Runda ostra", rulebook=strict, opens_at=in_call(1, 5), closes_at=in_call(30, 6)
    )
    services.change_call_state(call=call, action="open")
    application = _draft(call, cluster, coordinator, rd_projects=0)
    services.submit_application(application=application, by=coordinator, now=in_call())
    services.pass_formal(application=application, by=operator)
    application.refresh_from_db()
    assert (application.state, application.stage) == ("rejected", "parametric")
    result = StageResult.objects.get(application=application, stage="parametric")
    assert (result.result, result.points) == ("failed", Decimal("4"))
    assert result.details["gate"] == {"op": ">", "value": "4"}
    # the coordinator's e-mail names the stage in words, not by its id
    with translation.override("en"):
        body = render_to_string("competitions/email/gate_failed.txt", {"application": application})
    assert body == (
        "The application of Klaster Alfa did not reach the points needed to go on after the "
        "stage Parametric evaluation.\n"
    )


def test_the_completion_flow_and_its_deadline(call, cluster, coordinator, operator):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call(10))
    services.request_completion(
        application=application,
        items=["strategy"],
        note="Strategia bez podpisu",
        by=operator,
        now=in_call(12),
    )
    application.refresh_from_db()
    assert application.state == "completion-requested"
    # 7 days from 12 June, to the end of that day in Warsaw
    assert application.completion_deadline == dt.datetime(2026, 6, 19, 23, 59, 59, tzinfo=WARSAW)
    # only the named items may change
    with pytest.raises(services.CompetitionError) as info:
        services.save_application_data(
            application=application, values={"rd_projects": 9}, by=coordinator, now=in_call(13)
        )
    assert info.value.message_dict == {"rd_projects": ["This item cannot be changed now."]}
    services.save_application_data(
        application=application,
        values={},
        files={"strategy": ("nowa.pdf", PDF + b"%signed")},
        by=coordinator,
        now=in_call(13),
    )
    # a second request is not allowed by the rules
    with time_machine.travel(in_call(14), tick=False):
        services.submit_application(application=application, by=coordinator)
    application.refresh_from_db()
    assert application.state == "submitted"
    assert application.revisions.count() == 2
    assert application.revisions.last().data["strategy"]["document"] == "nowa.pdf"
    with pytest.raises(services.CompetitionError):
        services.request_completion(
            application=application,
            items=["strategy"],
            note="again",
            by=operator,
            now=in_call(15),
        )


def test_completion_after_the_deadline_fails(call, cluster, coordinator, operator):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call(10))
    services.request_completion(
        application=application,
        items=["strategy"],
        note="Brak podpisu",
        by=operator,
        now=in_call(12),
    )
    too_late = dt.datetime(2026, 6, 20, 0, 0, 0, tzinfo=WARSAW)
    with pytest.raises(services.CompetitionError):
        services.submit_application(application=application, by=coordinator, now=too_late)
    assert services.expire_completions(now=dt.datetime(2026, 6, 19, 23, 0, tzinfo=WARSAW)) == 0
    assert services.expire_completions(now=too_late) == 1
    application.refresh_from_db()
    assert application.state == "rejected"
    assert application.outcome_reasons == ["The application was not completed by the deadline."]


def test_a_rulebook_is_frozen_when_its_call_opens(rulebook, call):
    rulebook.refresh_from_db()
    assert rulebook.frozen_at is not None
    changed = SMALL_RULEBOOK.replace("value: 10}", "value: 11}")
    with pytest.raises(services.CompetitionError) as info:
        services.store_rulebook(source=changed)
    assert "new version" in info.value.messages[0]
    # the same text again is simply the stored rulebook
    assert services.store_rulebook(source=SMALL_RULEBOOK).pk == rulebook.pk


def test_an_unfrozen_rulebook_can_be_corrected(db):
    first = services.store_rulebook(source=SMALL_RULEBOOK)
    changed = services.store_rulebook(source=SMALL_RULEBOOK.replace("value: 10}", "value: 11}"))
    assert changed.pk == first.pk
    assert changed.sha256 != services.store_rulebook.__name__
    assert "value: 11}" in changed.source


def test_a_registry_field_the_system_cannot_compute_is_refused(db):
    source = SMALL_RULEBOOK.replace(
        "- {id: members_total, type: integer, source: registry}",
        "- {id: members_total, type: integer, source: registry}\n"
        "  - {id: turnover, type: money, source: registry}",
    )
    with pytest.raises(services.CompetitionError) as info:
        services.store_rulebook(source=source)
    assert info.value.messages == ["fields[2].id: the registry cannot compute turnover"]


def test_one_application_per_cluster_and_call(call, cluster, coordinator):
    services.start_application(call=call, cluster=cluster, by=coordinator, now=in_call())
    with pytest.raises(services.CompetitionError):
        services.start_application(call=call, cluster=cluster, by=coordinator, now=in_call())
    assert ApplicationEvent.objects.count() == 1
