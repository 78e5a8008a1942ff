import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from keyclusters.evaluation.models import Assignment
from keyclusters.evaluation.simulation import ScenarioError, load_scenario, run

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "round-2015.yaml"


@pytest.mark.django_db
def test_round_2015_reproduces_the_funnel_and_the_expected_scores():
    expected = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))["expected"]
    result = run(load_scenario(SCENARIO))
    assert result["funnel"] == expected["funnel"]
    assert result["applications"] == expected["applications"]
    assert sum(1 for a in result["applications"] if a["decision"] == "granted") == 7
    winner = result["applications"][0]
    assert (winner["total"], winner["rank"], winner["status"]) == (
        "113.00",
        1,
        {"valid_from": "2015-09-23", "valid_to": "2018-09-22"},
    )
    # the diverging application was scored by a third expert, in the aggregation
    diverging = Assignment.objects.filter(
        application__cluster__name="Klaster Energii Odnawialnej",
        stage="merit_first",
        state="active",
    )
    assert diverging.count() == 3


@pytest.mark.django_db
def test_a_broken_scenario_names_the_place(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "rulebook: kkk-2015\ncall: {opens: 2015-03-02, closes: 2015-04-30,"
        " document_on: 2015-05-04}\n"
        "applications:\n  - cluster: X\n    data: {members_total: 3, history: present,"
        " strategy: present, action_plan: present, critical_mass: present,"
        " geographic_concentration: present}\n    scores:\n"
        "      merit_first: [{expert: e1, criteria: {strategy: 99}}]\n"
    )
    with pytest.raises(ScenarioError) as info:
        run(load_scenario(bad))
    assert str(info.value).startswith("applications[0].scores.merit_first[0]: ")
    with pytest.raises(ScenarioError):
        load_scenario(tmp_path / "missing.yaml")


def test_the_command_prints_one_json_document_from_a_throwaway_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KEYCLUSTERS_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "keyclusters.cli", "simulate", str(SCENARIO), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["rulebook"]["id"] == "kkk-2015"
    assert [row["passed"] for row in document["funnel"]] == [10, 8, 8]
    missing = subprocess.run(
        [sys.executable, "-m", "keyclusters.cli", "simulate", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


@pytest.mark.django_db
def test_a_round_whose_rulebook_asks_the_chairs_signature_is_signed_before_approval():
    from keyclusters.evaluation.models import CommissionMember, Recommendation
    from keyclusters.evaluation.simulation import shipped_rulebook_path

    data = load_scenario(SCENARIO)
    source = shipped_rulebook_path("kkk-2015").read_text(encoding="utf-8")
    rulebook = yaml.safe_load(source)
    rulebook["decision"]["signed_by"] = "chair"
    data["rulebook"] = rulebook
    result = run(data)
    assert sum(1 for a in result["applications"] if a["decision"] == "granted") == 7
    recommendation = Recommendation.objects.get(state="approved")
    assert (recommendation.signed_by.username, recommendation.signed_by_name) == (
        "scenario-chair",
        "scenario-chair",
    )
    chair = CommissionMember.objects.get(call=recommendation.call)
    assert (chair.is_chair, chair.kind) == (True, "ministry")
    assert recommendation.decision_record.signed_by_name == "scenario-chair"
