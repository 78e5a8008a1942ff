"""The scenarios of the rounds as they ran (scenarios/round-*.yaml) through `keyclusters
simulate --json`, compared exactly with the results their generators computed; and the
scenario format's additions refused with the place named."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from keyclusters.evaluation.models import Recommendation
from keyclusters.evaluation.simulation import ScenarioError, load_scenario, run

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def simulate(path: Path, tmp_path: Path) -> dict:
    """The command's JSON document, run in its own throw-away database (SQLite, or a new
    database on the PostgreSQL server the suite uses)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KEYCLUSTERS_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "keyclusters.cli", "simulate", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def expected_of(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["expected"]


@pytest.mark.parametrize(
    "name", ["round-2015.yaml", "round-2018.yaml", "round-2019.yaml", "round-2021.yaml"]
)
def test_the_scenario_reproduces_its_expected_report(name, tmp_path):
    path = SCENARIOS / name
    expected = expected_of(path)
    document = simulate(path, tmp_path)
    assert document["funnel"] == expected["funnel"]
    assert document["applications"] == expected["applications"]
    granted = [a for a in document["applications"] if a["decision"] == "granted"]
    assert len(granted) == expected["granted"]


@pytest.mark.django_db
def test_round_2019_in_the_suites_database_is_signed_by_the_chair_before_approval():
    path = SCENARIOS / "round-2019.yaml"
    result = run(load_scenario(path))
    assert result["applications"] == expected_of(path)["applications"]
    recommendation = Recommendation.objects.get(state="approved")
    assert recommendation.signed_by.username == "scenario-chair"
    assert recommendation.signed_at is not None
    assert recommendation.approved_on.isoformat() == "2019-08-28"


@pytest.mark.django_db
def test_round_2021_in_the_suites_database_links_the_continuing_renewal_only():
    from keyclusters.statuses.models import StatusGrant

    path = SCENARIOS / "round-2021.yaml"
    result = run(load_scenario(path))
    assert result["applications"] == expected_of(path)["applications"]
    decided = StatusGrant.objects.filter(call__isnull=False).select_related("renewal_of")
    links = {g.cluster.name: g.renewal_of and g.renewal_of.round_label for g in decided}
    assert links == {
        "Klaster Inteligentnych Sieci Energetycznych": None,
        "Klaster Kolejowy Wielkopolski": "IV",
        "Klaster Gospodarki Wodorowej": None,
    }
    # the holders' clusters were made once, for their statuses, and the applications reused them
    held = StatusGrant.objects.filter(call__isnull=True)
    assert sorted(g.cluster.applications.count() for g in held) == [1, 1]


@pytest.mark.django_db
def test_round_2018_in_the_suites_database_renews_four_and_refuses_the_non_holder():
    from keyclusters.competitions.models import StageResult
    from keyclusters.statuses.models import StatusGrant

    path = SCENARIOS / "round-2018.yaml"
    result = run(load_scenario(path))
    assert result["applications"] == expected_of(path)["applications"]
    renewals = StatusGrant.objects.filter(call__isnull=False).select_related("renewal_of")
    assert (
        sorted((g.renewal_of.round_label, g.renewal_of.valid_to.isoformat()) for g in renewals)
        == [("I", "2018-09-22")] * 4
    )
    # the status entered in error was withdrawn from its first day, after the submission
    refused = StageResult.objects.get(
        application__cluster__name="Klaster Aplikacji Mobilnych", stage="formal"
    )
    assert (refused.result, refused.details["reason_ids"]) == ("failed", ["not-a-holder"])
    withdrawn = StatusGrant.objects.get(cluster__name="Klaster Aplikacji Mobilnych")
    assert withdrawn.withdrawn_on == withdrawn.valid_from


MINIMAL = {
    "rulebook": "kkk-2019",
    "call": {"opens": "2019-04-01", "closes": "2019-05-31", "decision_on": "2019-08-28"},
    "applications": [],
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statuses", "message"),
    [
        ({"type": "kkk", "valid_from": "2016-01-01", "valid_to": "2019-01-01"},
         "statuses[1].cluster: is required"),
        ({"cluster": "B", "type": "regional", "valid_from": "2016-01-01",
          "valid_to": "2019-01-01"},
         "statuses[1].type: 'regional' is not a status type the registry records (the types "
         "are: 'kkk', 'pkw')"),
        ({"cluster": "B", "type": "kkk", "valid_from": "2016-01-01"},
         "statuses[1].valid_to: is required"),
        ({"cluster": "B", "type": "kkk", "valid_from": "2016-01-01", "valid_to": "31.12.2018"},
         "statuses[1].valid_to: '31.12.2018' is not a date (YYYY-MM-DD)"),
        ({"cluster": "B", "type": "kkk", "valid_from": "2016-01-01", "valid_to": "2015-12-31"},
         "statuses[1].valid_to: 2015-12-31 is before valid_from (2016-01-01)"),
        ({"cluster": "B", "type": "kkk", "valid_from": "2016-01-01", "valid_to": "2019-01-01",
          "ends": "2019-01-01"},
         "statuses[1].ends: not a key of a status (the keys are: cluster, type, valid_from, "
         "valid_to, round, withdrawn_on, reason)"),
        ({"cluster": "B", "type": "kkk", "valid_from": "2016-01-01", "valid_to": "2019-01-01",
          "round": "a round of seventeen"},
         "statuses[1].round: at most 16 characters"),
        ("B 2016-2019", "statuses[1]: a mapping {cluster, type, valid_from, valid_to}"),
    ],
)  # fmt: skip
def test_a_bad_status_entry_is_refused_with_its_place_and_nothing_is_written(statuses, message):
    from keyclusters.competitions.models import Call
    from keyclusters.statuses.models import StatusGrant

    good = {"cluster": "A", "type": "kkk", "valid_from": "2016-01-01", "valid_to": "2019-01-01"}
    with pytest.raises(ScenarioError) as info:
        run({**MINIMAL, "statuses": [good, statuses]})
    assert str(info.value) == message
    assert (StatusGrant.objects.count(), Call.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_status_of_another_type_is_granted_of_that_type():
    from keyclusters.statuses.models import StatusGrant

    growth = {"cluster": "A", "type": "pkw", "valid_from": "2016-01-01", "valid_to": "2019-01-01"}
    run({**MINIMAL, "statuses": [growth]})
    grant = StatusGrant.objects.get()
    assert (grant.cluster.name, grant.status_type_id, grant.valid_to) == (
        "A",
        "pkw",
        dt.date(2019, 1, 1),
    )


@pytest.mark.django_db
def test_statuses_must_be_a_list():
    with pytest.raises(ScenarioError) as info:
        run({**MINIMAL, "statuses": {"cluster": "A"}})
    assert str(info.value) == "statuses: a list of {cluster, type, valid_from, valid_to}"


@pytest.mark.django_db
def test_a_rulebook_counting_from_the_document_needs_the_documents_date():
    from keyclusters.competitions.models import Call

    data = load_scenario(SCENARIOS / "round-2015.yaml")
    del data["call"]["document_on"]
    with pytest.raises(ScenarioError) as info:
        run(data)
    assert str(info.value) == (
        "call.document_on: required by the rulebook (the status runs from the document's issue "
        "date)"
    )
    assert Call.objects.count() == 0


@pytest.mark.django_db
def test_the_status_runs_from_the_documents_issue_date_not_the_approval():
    from keyclusters.statuses.models import StatusGrant

    data = load_scenario(SCENARIOS / "round-2015.yaml")
    data["call"] = {**data["call"], "document_on": "2015-10-05", "document_number": "DM/7/2015"}
    result = run(data)
    granted = [a for a in result["applications"] if a["decision"] == "granted"]
    assert len(granted) == 7
    assert {(a["status"]["valid_from"], a["status"]["valid_to"]) for a in granted} == {
        ("2015-10-05", "2018-10-04")
    }
    grants = StatusGrant.objects.all()
    assert {
        (g.decision_on.isoformat(), g.document_number, g.document_issued_on.isoformat())
        for g in grants
    } == {("2015-09-23", "DM/7/2015", "2015-10-05")}
