"""Two experts score, a divergence brings in a third, the panel scores, the decision maker
approves, and the status shows on the cluster's page."""

import datetime as dt

import pytest
from django.utils import timezone

from keyclusters.competitions import services
from keyclusters.competitions.models import Application, DocumentAccess
from keyclusters.domain.evaluation import anniversary
from keyclusters.evaluation import services as evaluation_services
from keyclusters.evaluation.models import ScoreSheet
from keyclusters.statuses.models import StatusGrant
from tests.browser.conftest import log_in, log_out, screenshot
from tests.browser.test_accessibility import axe  # noqa: F401 (the axe-core fixture)
from tests.evaluation.conftest import RULEBOOK, make_expert
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def score_in_browser(page, base, username, criterion, points, why, shot=None):
    log_in(page, base, username)
    page.goto(f"{base}/evaluation/")
    page.click("table a")
    page.click("button[value=no-conflict]")
    page.fill(f"#points-{criterion}", points)
    page.fill(f"#why-{criterion}", why)
    # leaving the field saves the draft (htmx); submitting waits for it, as a user would see it
    page.locator(f"#why-{criterion}").blur()
    # longer than the default: the suite's three runs share two cores, and the one-at-a-time
    # live server of the SQLite run answers the page's other requests first
    page.wait_for_selector("#autosave-status [data-saved-at]", timeout=45_000)
    if shot:
        screenshot(page, shot)
    page.click("button[value=submit]")
    # the confirmation states the total; the sheet is submitted only once it is confirmed
    page.wait_for_selector(".confirmation-facts")
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    log_out(page)


def application_at_merit(cluster, operator, call_name):
    """An open call of the test rulebook and ``cluster``'s application past the formal stage."""
    rulebook = services.store_rulebook(source=RULEBOOK)
    now = timezone.now()
    call = services.create_call(
        name=call_name,
        rulebook=rulebook,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
    )
    services.change_call_state(call=call, action="open")
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    application = services.start_application(call=call, cluster=cluster, by=coordinator)
    services.save_application_data(
        application=application,
        values={},
        files={"strategy": ("s.pdf", b"%PDF-1.4\n%%EOF\n")},
        by=coordinator,
    )
    services.submit_application(application=application, by=coordinator)
    services.pass_formal(application=application, by=operator)
    return application


def test_experts_panel_and_decision_maker(page, live_server):
    cluster = ClusterFactory(
        name="Klaster Ocenianych", founded_on=dt.date(2015, 1, 1), specialisation="ICT"
    )
    for _ in range(6):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    operator = UserFactory(username="operatorka", roles=["operator"])
    UserFactory(username="minister", roles=["decision-maker"])
    for name in ("anna", "bartek", "celina"):
        make_expert(name)
    for name in ("pawel", "piotr", "patrycja"):
        make_expert(name, role="panel-member")
    application = application_at_merit(cluster, operator, "Runda ekspercka")
    call = application.call
    base = live_server.url

    log_in(page, base, "operatorka")
    page.goto(f"{base}/evaluation/calls/{call.pk}/")
    page.click("button[value=auto-assign]")
    screenshot(page, "operator-assigns-experts")
    log_out(page)
    assigned = list(application.assignments.values_list("expert__user__username", flat=True))
    assert sorted(assigned) == ["anna", "bartek"]

    score_in_browser(page, base, "anna", "team", "9", "Zespół z dużym doświadczeniem.")
    score_in_browser(page, base, "bartek", "team", "5", "Zespół dopiero się buduje.")
    # 9 and 5 differ by more than 30 % of 10 points: a third expert is assigned
    third = application.assignments.exclude(expert__user__username__in=["anna", "bartek"]).get()
    assert third.expert.user.username == "celina"
    log_in(page, base, "celina")
    page.goto(f"{base}/evaluation/")
    screenshot(page, "expert-assignments")
    log_out(page)
    score_in_browser(page, base, "celina", "team", "7", "Zespół stabilny.")
    application.refresh_from_db()
    assert application.stage == "panel"

    log_in(page, base, "operatorka")
    page.goto(f"{base}/evaluation/calls/{call.pk}/")
    page.click("button[value=auto-assign]")
    log_out(page)
    for name, points in (("pawel", "6"), ("piotr", "8"), ("patrycja", "7")):
        shot = "panel-member-scores" if name == "pawel" else None
        score_in_browser(page, base, name, "presentation", points, "Dobra prezentacja.", shot)
    application.refresh_from_db()
    assert application.state == "evaluated"

    services.change_call_state(call=call, action="close")
    log_in(page, base, "operatorka")
    page.goto(f"{base}/evaluation/calls/{call.pk}/")
    page.click("button[value=recommend]")
    page.wait_for_selector(".confirmation")
    page.click(".confirm-action")
    page.wait_for_url(f"**/evaluation/calls/{call.pk}/recommendation/")
    log_out(page)

    log_in(page, base, "minister")
    page.goto(f"{base}/evaluation/calls/{call.pk}/recommendation/")
    decided = timezone.localdate() - dt.timedelta(days=1)
    page.fill("input[name=approved_on]", decided.isoformat())
    screenshot(page, "decision-maker-approves")
    page.click("form button[type=submit].btn-success")
    # the binding approval is confirmed on a page that states what it grants
    page.wait_for_selector(".confirmation-consequences")
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    log_out(page)
    grant = StatusGrant.objects.get()
    assert (grant.valid_from, grant.valid_to) == (
        decided,
        anniversary(decided, 3) - dt.timedelta(days=1),
    )
    assert Application.objects.get(pk=application.pk).state == "granted"

    page.goto(f"{base}/clusters/{cluster.pk}/")
    badge = page.locator("[data-key-status]")
    assert badge.count() == 1
    screenshot(page, "cluster-with-key-status")
    page.goto(f"{base}/evaluation/applications/{application.pk}/why/")
    assert "/accounts/login/" in page.url  # the scores are not public


def test_the_score_sheet_saves_a_draft_as_the_expert_types(page, live_server):
    cluster = ClusterFactory(
        name="Klaster Autozapisu", founded_on=dt.date(2015, 1, 1), specialisation="ICT"
    )
    for _ in range(6):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    operator = UserFactory(username="operatorka", roles=["operator"])
    expert = make_expert("dorota")
    application = application_at_merit(cluster, operator, "Runda z autozapisem")
    assignment = evaluation_services.assign_expert(
        application=application, stage="merit", expert=expert, by=operator
    )
    base = live_server.url

    log_in(page, base, "dorota")
    page.goto(f"{base}/evaluation/assignments/{assignment.pk}/")
    page.click("button[value=no-conflict]")
    page.wait_for_selector("#points-team")
    # a value out of range is reported next to the field and not stored
    page.locator("#points-team").press_sequentially("12")
    page.wait_for_selector("#points-team-error:not(:empty)")
    assert page.locator("#autosave-status a[href='#points-team']").count() == 1
    assert not ScoreSheet.objects.filter(assignment=assignment, points__has_key="team").exists()
    # a valid one is saved a moment after the typing stops, without any button
    page.fill("#points-team", "")
    page.locator("#points-team").press_sequentially("8.5")
    page.locator("#why-team").press_sequentially("Zespół z doświadczeniem.")
    page.wait_for_function(  # a function, not an expression: the page allows no eval
        "() => document.querySelector('#autosave-status [data-saved-at]') !== null"
        " && document.querySelector('#points-team-error').textContent === ''"
        " && !document.querySelector('#autosave-status .text-danger')"
    )
    page.wait_for_timeout(2000)  # the justification's own save (1.5 s after the last key)
    page.wait_for_load_state("networkidle")
    screenshot(page, "expert-sheet-autosave")
    page.reload()
    assert page.input_value("#points-team") == "8.5"
    assert page.input_value("#why-team") == "Zespół z doświadczeniem."
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert (sheet.state, sheet.points, sheet.justifications) == (
        "draft",
        {"team": "8.5"},
        {"team": "Zespół z doświadczeniem."},
    )


def test_an_expert_reads_a_document_and_submits_with_the_confirmation(
    page,
    live_server,
    axe,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    cluster = ClusterFactory(
        name="Klaster Potwierdzeń", founded_on=dt.date(2015, 1, 1), specialisation="ICT"
    )
    for _ in range(6):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    operator = UserFactory(username="operatorka", roles=["operator"])
    expert = make_expert("ewa")
    application = application_at_merit(cluster, operator, "Runda z potwierdzeniem")
    assignment = evaluation_services.assign_expert(
        application=application, stage="merit", expert=expert, by=operator
    )
    base = live_server.url
    sheet_url = f"{base}/evaluation/assignments/{assignment.pk}/"

    log_in(page, base, "ewa")
    axe(sheet_url)  # the declaration, before the application is shown
    page.click("button[value=no-conflict]")
    page.wait_for_selector("#points-team")
    assert page.locator(".alert-success").count() == 1  # the declaration is acknowledged

    # the application's document: opened from the sheet, and the download is recorded
    page.click("main details > summary")
    with page.expect_download() as download_info:
        page.click("main details a[href*='/documents/strategy/']")
    assert download_info.value.suggested_filename == "s.pdf"
    access = DocumentAccess.objects.get(application=application)
    assert (access.user.username, access.field_id) == ("ewa", "strategy")

    page.fill("#points-team", "7.5")
    page.fill("#why-team", "Zespół z doświadczeniem we wdrożeniach.")
    page.locator("#why-team").blur()
    page.wait_for_selector("#autosave-status [data-saved-at]", timeout=45_000)
    axe()  # the sheet, filled in
    page.click("button[value=submit]")

    # the confirmation: each criterion's points and the total, in the Polish format
    page.wait_for_selector(".confirmation-facts")
    facts = page.locator(".confirmation-facts dd").all_inner_texts()
    assert facts[0] == "Klaster Potwierdzeń"
    assert facts[-1].startswith("7,5") and facts[-1].endswith("10")
    assert ScoreSheet.objects.get(assignment=assignment).state == "draft"  # nothing yet
    axe()
    screenshot(page, "expert-confirms-the-score-sheet")
    page.click(".confirm-action")
    page.wait_for_url(sheet_url)
    message = page.locator(".alert-success").first.inner_text()
    assert "7,5" in message
    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert (sheet.state, sheet.points) == ("submitted", {"team": "7.5"})
    assert sheet.history.order_by("-history_date").first().history_user.username == "ewa"
