import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from keyclusters.competitions.models import Call, StoredRulebook
from tests.competitions.conftest import SMALL_RULEBOOK, WARSAW

pytestmark = pytest.mark.django_db


def test_validate_a_shipped_rulebook(capsys):
    call_command("rulebook", "validate", "rulebooks/kkk-2021.yaml")
    out = capsys.readouterr().out
    assert out.startswith("rulebooks/kkk-2021.yaml: ")
    assert "kkk-2021" in out
    assert out.rstrip().endswith("max 140")


def test_validate_reports_every_error_with_its_path_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_RULEBOOK.replace("max: 7,", "max: 3,").replace("version: 1", "version: 0"))
    with pytest.raises(SystemExit) as info:
        call_command("rulebook", "validate", str(bad))
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert f"{bad}: version: must be at least 1" in err
    assert any("areas[0].criteria[0].brackets[1].points" in line for line in err)


def test_validate_a_missing_file_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        call_command("rulebook", "validate", "/nonexistent/rulebook.yaml")
    assert info.value.code == 2


def test_load_then_show_as_json(capsys):
    call_command("rulebook", "load", "kkk-2022")
    capsys.readouterr()
    call_command("rulebook", "show", "kkk-2022", "--json")
    document = json.loads(capsys.readouterr().out)
    stored = StoredRulebook.objects.get(rulebook_id="kkk-2022")
    assert document["sha256"] == stored.sha256
    assert (document["id"], document["version"], document["stored"]) == ("kkk-2022", 1, "database")
    assert document["maximum"] == "150"
    assert document["rulebook"]["decision"]["pass"] == {"op": ">", "value": "100"}


def test_operator_uploads_an_invalid_rulebook_and_sees_the_paths(client, operator):
    client.force_login(operator)
    upload = SimpleUploadedFile(
        "r.yaml", SMALL_RULEBOOK.replace("op: present", "op: exists").encode()
    )
    response = client.post(reverse("competitions:rulebook-list"), {"file": upload})
    assert response.status_code == 200
    assert any(e.startswith("eligibility[2].op: ") for e in response.context["errors"])
    assert StoredRulebook.objects.count() == 0


def test_operator_uploads_a_rulebook_and_creates_a_call(client, operator):
    client.force_login(operator)
    upload = SimpleUploadedFile("r.yaml", SMALL_RULEBOOK.encode())
    response = client.post(reverse("competitions:rulebook-list"), {"file": upload})
    stored = StoredRulebook.objects.get()
    assert response["Location"] == reverse("competitions:rulebook-detail", args=[stored.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    response = client.post(
        reverse("competitions:call-create"),
        {
            "name": "Runda VIII",
            "rulebook": stored.pk,
            "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-04-15T16:00",
            "decision_on": "2027-06-30",
        },
    )
    call = Call.objects.get()
    assert response["Location"] == reverse("competitions:call-dashboard", args=[call.pk])
    assert call.opens_at == dt.datetime(2027, 3, 1, 9, 0, tzinfo=WARSAW)
    assert call.closes_at == dt.datetime(2027, 4, 15, 16, 0, tzinfo=WARSAW)
    assert call.state == "draft"


def test_a_call_must_close_after_it_opens(client, operator, rulebook):
    client.force_login(operator)
    response = client.post(
        reverse("competitions:call-create"),
        {
            "name": "X",
            "rulebook": rulebook.pk,
            "opens_at": "2027-03-01T09:00",
            "closes_at": "2027-03-01T08:00",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"closes_at": ["A call must close after it opens."]}
    assert Call.objects.count() == 0


def test_rulebook_pages_are_for_operators_but_the_rules_are_public(client, coordinator, rulebook):
    client.force_login(coordinator)
    assert client.get(reverse("competitions:rulebook-list")).status_code == 403
    assert client.get(reverse("competitions:call-create")).status_code == 403
    client.logout()
    assert (
        client.get(reverse("competitions:rulebook-detail", args=[rulebook.pk])).status_code == 200
    )


def test_a_rulebook_over_its_size_limit_is_refused_before_it_is_read(client, operator, settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "rulebooks": 2**20}
    client.force_login(operator)
    upload = SimpleUploadedFile("r.yaml", SMALL_RULEBOOK.encode() + b"#" * (3 * 2**20))
    response = client.post(reverse("competitions:rulebook-list"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["The file has 3.0 MB; at most 1 MB is accepted."]
    }
    assert StoredRulebook.objects.count() == 0


def test_the_command_refuses_a_rulebook_over_its_size_limit(tmp_path, capsys, settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "rulebooks": 2**20}
    big = tmp_path / "big.yaml"
    big.write_text(SMALL_RULEBOOK + "#" * (2 * 2**20))
    with pytest.raises(SystemExit) as info:
        call_command("rulebook", "load", str(big))
    assert info.value.code == 2
    assert capsys.readouterr().err.strip() == (
        f"{big}: The file has 2.0 MB; at most 1 MB is accepted."
    )
    assert StoredRulebook.objects.count() == 0
