"""Journeys of the funding agency, the benchmarking analyst, the coordinator managing members
and the public reading the key cluster registry."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone, translation

from keyclusters.benchmarking import services as benchmarking
from keyclusters.benchmarking.models import ClusterReport, Edition
from keyclusters.registry.models import Membership, Organisation
from keyclusters.statuses.services import grant_status
from tests.benchmarking.conftest import SMALL_FRAMEWORK, make_edition
from tests.browser.conftest import log_in, log_out, screenshot
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    valid_nip,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _grant(cluster, round_label, valid_from, valid_to, by=None):
    return grant_status(
        cluster=cluster,
        round_label=round_label,
        decision_on=valid_from,
        valid_from=valid_from,
        valid_to=valid_to,
        by=by,
    )


def test_funding_agency_verifies_one_nip_and_a_file(page, live_server, tmp_path):
    cluster = ClusterFactory(name="Klaster Weryfikowany", founded_on=dt.date(2015, 1, 1))
    member = OrganisationFactory(name="Spółka Członkowska", nip="5260250995")
    MembershipFactory(cluster=cluster, organisation=member, joined_on=dt.date(2019, 1, 1))
    outsider = OrganisationFactory(name="Spółka Spoza", nip="7740001454")
    _grant(cluster, "2024", dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    UserFactory(username="agencja", roles=["funding-agency"])

    base = live_server.url
    log_in(page, base, "agencja")
    page.goto(f"{base}/statuses/verify/")
    one = page.locator("form:has(input[name=action][value=one])")
    one.locator("input[name=nip]").fill("526-025-09-95")
    one.locator("input[name=on]").fill("2025-06-30")
    one.locator("button[type=submit]").click()
    page.wait_for_selector("#verification-answer")
    answer = page.inner_text("#verification-answer .alert-success")
    assert (
        answer.strip()
        == "5260250995 jest członkiem Krajowego Klastra Kluczowego w dniu 30.06.2025."
    )
    assert "Klaster Weryfikowany" in page.inner_text("#verification-answer ul")
    screenshot(page, "funding-agency-verifies-nip")

    nips = tmp_path / "nipy.csv"
    coordinator_nip = cluster.coordinator.nip
    nips.write_text(f"nip\n{member.nip}\n{outsider.nip}\n{coordinator_nip}\n", encoding="utf-8")
    upload = page.locator("form:has(input[name=action][value=file])")
    upload.locator("input[name=file]").set_input_files(str(nips))
    upload.locator("input[name=on]").fill("2025-06-30")
    upload.locator("select[name=format]").select_option("csv")
    screenshot(page, "funding-agency-uploads-nips")
    with page.expect_download() as info:
        upload.locator("button[type=submit]").click()
    download = info.value
    assert download.suggested_filename == "verification-2025-06-30.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == [
        "nip", "on", "key_cluster_member", "key_cluster_coordinator", "clusters", "member_since",
        "member_since_basis", "contested", "organisation", "valid", "error",
    ]  # fmt: skip
    assert [row[:6] for row in rows[1:]] == [
        ["5260250995", "2025-06-30", "yes", "no", "Klaster Weryfikowany", "2019-01-01"],
        ["7740001454", "2025-06-30", "no", "no", "", ""],
        [coordinator_nip, "2025-06-30", "yes", "yes", "Klaster Weryfikowany", "2015-01-01"],
    ]
    assert [row[8:] for row in rows[1:]] == [
        [member.name, "yes", ""],
        [outsider.name, "yes", ""],
        [cluster.coordinator.name, "yes", ""],
    ]


def test_analyst_publishes_an_edition_and_writes_good_practices(page, live_server):
    clusters = {name: ClusterFactory(name=f"Klaster {name}") for name in "ABC"}
    framework = benchmarking.store_framework(source=SMALL_FRAMEWORK)
    edition = make_edition(framework, 2020)
    assert edition.state == "computed"
    UserFactory(username="analityk", roles=["analyst"])

    base = live_server.url
    log_in(page, base, "analityk")
    page.goto(f"{base}/benchmarking/")
    page.click(f"a[href='/benchmarking/{edition.pk}/']")
    page.wait_for_selector(f"form[action$='/benchmarking/{edition.pk}/action/publish/']")
    screenshot(page, "analyst-edition")
    page.click(f"form[action$='/benchmarking/{edition.pk}/action/publish/'] button")
    page.wait_for_selector(f"form[action$='/benchmarking/{edition.pk}/action/withdraw/']")
    assert Edition.objects.get(pk=edition.pk).state == "published"

    cluster = clusters["A"]
    page.click(f"a[href='/benchmarking/{edition.pk}/clusters/{cluster.pk}/texts/']")
    page.fill("#id_good_practices", "Wspólne laboratorium członków.\n\nMentoring start-upów.")
    page.fill("#id_recommendations", "Więcej projektów eksportowych.")
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector(".alert-success")
    assert page.url == f"{base}/benchmarking/{edition.pk}/clusters/{cluster.pk}/"
    report = ClusterReport.objects.get(edition=edition, cluster=cluster)
    assert report.good_practices == "Wspólne laboratorium członków.\r\n\r\nMentoring start-upów."
    assert report.recommendations == "Więcej projektów eksportowych."
    content = page.content()
    assert "<p>Wspólne laboratorium członków.</p>" in content
    assert "<p>Mentoring start-upów.</p>" in content
    screenshot(page, "analyst-cluster-report")


def test_coordinator_adds_a_member_and_ends_a_membership(page, live_server):
    cluster = ClusterFactory(name="Klaster Zarządzany", founded_on=dt.date(2016, 1, 1))
    leaving = MembershipFactory(
        cluster=cluster,
        organisation=OrganisationFactory(name="Spółka Odchodząca"),
        joined_on=dt.date(2018, 5, 1),
    )
    UserFactory(username="koordynator", roles=["coordinator"], organisation=cluster.coordinator)
    new_nip = valid_nip()
    today = timezone.localdate()

    base = live_server.url
    log_in(page, base, "koordynator")
    page.goto(f"{base}/clusters/{cluster.pk}/manage/")
    page.click(f"a[href='/clusters/{cluster.pk}/manage/members/add/']")
    page.fill("#id_nip", new_nip)
    page.fill("#id_name", "Nowa Spółka Badawcza")
    page.select_option("#id_kind", "enterprise")
    page.select_option("#id_size", "micro")
    page.select_option("#id_voivodeship", "pomorskie")
    page.fill("#id_city", "Gdańsk")
    page.select_option("#id_role", "member")
    joined = today - dt.timedelta(days=10)  # recent: no evidence needed (docs/registry.md)
    page.fill("#id_joined_on", joined.isoformat())
    screenshot(page, "coordinator-adds-member")
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector(".alert-success")
    assert page.inner_text(".alert-success").strip() == (
        "Organizacja Nowa Spółka Badawcza została dodana do klastra Klaster Zarządzany."
    )
    added = Membership.objects.get(cluster=cluster, organisation__nip=new_nip)
    assert (added.role, added.joined_on, added.left_on) == ("member", joined, None)
    organisation = Organisation.objects.get(nip=new_nip)
    assert (organisation.name, organisation.size, organisation.city) == (
        "Nowa Spółka Badawcza",
        "micro",
        "Gdańsk",
    )
    assert page.locator(f"#current-members tr[data-membership='{added.pk}']").count() == 1

    row = page.locator(f"tr[data-membership='{leaving.pk}']")
    row.locator("input[name=left_on]").fill(today.isoformat())
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".confirmation-consequences")
    assert "Spółka Odchodząca" in page.inner_text(".confirmation")
    leaving.refresh_from_db()
    assert leaving.left_on is None  # nothing changes before the confirmation
    page.click(".confirm-action")
    page.wait_for_selector(".alert-success")
    assert page.inner_text(".alert-success").strip() == (
        f"Członkostwo organizacji Spółka Odchodząca kończy się {today:%d.%m.%Y}."
    )
    leaving.refresh_from_db()
    assert leaving.left_on == today
    assert page.locator(f"tr[data-membership='{leaving.pk}'] form").count() == 0
    screenshot(page, "coordinator-ends-membership")
    log_out(page)


def test_public_reads_the_registry_on_a_date_and_a_timeline(page, live_server):
    early = ClusterFactory(name="Klaster Wczesny", voivodeship="slaskie", specialisation="Energia")
    for _ in range(3):
        MembershipFactory(cluster=early, joined_on=dt.date(2019, 1, 1))
    late = ClusterFactory(name="Klaster Późny")
    first = _grant(early, "2019", dt.date(2019, 7, 1), dt.date(2022, 6, 30))
    _grant(late, "2023", dt.date(2023, 3, 1), dt.date(2026, 2, 28))
    grant_status(
        cluster=early,
        round_label="2022",
        decision_on=dt.date(2022, 6, 15),
        valid_from=dt.date(2022, 7, 1),
        valid_to=dt.date(2025, 6, 30),
        by=None,
        renewal_of=first,
    )

    base = live_server.url
    page.goto(f"{base}/statuses/")
    page.fill("#id_on", "2021-01-15")
    page.click("form[aria-label] button[type=submit]")
    page.wait_for_url("**/statuses/?on=2021-01-15**")
    rows = page.locator("#key-clusters tbody tr")
    assert rows.count() == 1
    cells = [c.strip() for c in rows.first.locator("td").all_inner_texts()]
    assert cells == [
        "Klaster Wczesny",
        early.coordinator.name,
        "śląskie",
        "Energia",
        "2019",
        "01.07.2019 – 30.06.2022",
        "4",
    ]
    screenshot(page, "public-key-cluster-registry")

    page.goto(f"{base}/statuses/?on=2023-06-01")
    names = page.locator("#key-clusters tbody tr td:first-child a").all_inner_texts()
    assert sorted(names) == ["Klaster Późny", "Klaster Wczesny"]

    page.click(f"a[href='/statuses/clusters/{early.pk}/']")
    page.wait_for_selector("#status-timeline")
    items = page.locator("#status-timeline > li")
    assert items.count() == 2
    texts = [" ".join(text.split()) for text in items.all_inner_texts()]
    with translation.override("pl"):
        continuity = translation.gettext("Without a break.")
    kkk = "Status Krajowego Klastra Kluczowego · "  # each grant names its status type
    assert texts == [
        kkk + "Runda 2019 wygasły Rozstrzygnięcie: 01.07.2019 · ważny 01.07.2019 – 30.06.2022",
        kkk + "Runda 2022 wygasły Rozstrzygnięcie: 15.06.2022 · ważny 01.07.2022 – 30.06.2025"
        f" · przedłużenie statusu z rundy 2019 {continuity}",
    ]
    screenshot(page, "public-status-timeline")

    # the cluster's applications in every round: none in a decided call
    page.click(f"a[href='/clusters/{early.pk}/rounds/']")
    page.wait_for_selector("h1")
    with translation.override("pl"):
        nothing = translation.gettext("The cluster has no application in a decided call.")
    assert nothing in " ".join(page.locator("main").inner_text().split())


def test_operator_lands_on_the_dashboard_and_follows_an_attention_item(page, live_server):
    from keyclusters.competitions import services as competitions
    from keyclusters.evaluation import services as evaluation
    from keyclusters.statuses.services import status_certificate
    from tests.competitions.conftest import PDF, SMALL_RULEBOOK
    from tests.evaluation.conftest import make_expert

    now = timezone.now()
    call = competitions.create_call(
        name="Runda z pulpitem",
        rulebook=competitions.store_rulebook(source=SMALL_RULEBOOK),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    call = competitions.change_call_state(call=call, action="open")
    operator = UserFactory(username="operatorka", roles=["operator"])
    applications = {}
    for name in ("Klaster Oczekujący", "Klaster Oceniany"):
        cluster = ClusterFactory(name=name, founded_on=dt.date(2015, 1, 1), specialisation="ICT")
        for _ in range(6):
            MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
        coordinator = UserFactory(
            username=f"koordynator-{len(applications)}",
            roles=["coordinator"],
            organisation=cluster.coordinator,
        )
        application = competitions.start_application(call=call, cluster=cluster, by=coordinator)
        competitions.save_application_data(
            application=application,
            values={"rd_projects": 3},
            files={"strategy": ("strategia.pdf", PDF)},
            by=coordinator,
        )
        competitions.submit_application(application=application, by=coordinator)
        applications[name] = application
    waiting = applications["Klaster Oczekujący"]
    status_certificate(
        grant=_grant(waiting.cluster, "2024", dt.date(2024, 1, 1), dt.date(2027, 12, 31)), by=None
    )
    competitions.pass_formal(application=applications["Klaster Oceniany"], by=operator)
    for name in ("anna", "bartek"):
        make_expert(name)
    evaluation.auto_assign(application=applications["Klaster Oceniany"], stage="merit", by=operator)

    base = live_server.url
    log_in(page, base, "operatorka")
    page.wait_for_url(f"{base}/dashboard/")
    formal_items = page.locator("ul[data-attention=formal] a")
    assert formal_items.all_inner_texts() == ["Klaster Oczekujący"]
    funnel = page.locator(f"[data-call='{call.pk}'] table[data-table=funnel] tbody tr")
    assert [row.split("\t") for row in funnel.all_inner_texts()][0][1:] == ["2", "–"]
    screenshot(page, "dashboard-operator")
    formal_items.first.click()
    page.wait_for_url(f"{base}/competitions/applications/{waiting.pk}/formal/")
    assert "Klaster Oczekujący" in page.inner_text("h1")
    log_out(page)

    log_in(page, base, "koordynator-0")
    page.wait_for_url(f"{base}/dashboard/")
    assert page.locator(
        "table[data-table=applications] tbody tr td:first-child"
    ).all_inner_texts() == ["Klaster Oczekujący"]
    assert page.locator("table[data-table=grants] tbody a[href$='/pdf/']").count() == 1
    assert "Klaster Oceniany" not in page.inner_text("main")
    screenshot(page, "dashboard-coordinator")
    log_out(page)

    log_in(page, base, "anna")
    page.wait_for_url(f"{base}/dashboard/")
    rows = page.locator("table[data-table=assignments] tbody tr[data-assignment]")
    assert rows.count() == 1
    screenshot(page, "dashboard-expert")
    rows.first.locator("a.badge").click()
    page.wait_for_url("**/evaluation/assignments/*/")
    assert page.locator("button[name=action][value=no-conflict]").count() == 1
