"""Status types (issue #15, point 1): the key cluster status (kkk, the default) and the
supra-regional growth cluster status (pkw), each with its grants, registry page, open data,
import rows, certificate wording, the rulebook's type granted at the approval, and the
holders-only check of a call."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from keyclusters.competitions import services as competition_services
from keyclusters.evaluation import decisions
from keyclusters.evaluation.base import EvaluationError
from keyclusters.registry import holdings
from keyclusters.statuses import certificates, services
from keyclusters.statuses.models import StatusGrant
from tests.competitions.conftest import PDF, SMALL_RULEBOOK, WARSAW, in_call
from tests.evaluation.conftest import RULEBOOK
from tests.evaluation.test_lifecycle import through_merit
from tests.factories import ClusterFactory, MembershipFactory, UserFactory
from tests.statuses.test_commands import run

pytestmark = pytest.mark.django_db

D = dt.date
REGISTRY = reverse("statuses:registry")


def _grant(cluster, round_label="V", status_type=None, **changes):
    values = {
        "cluster": cluster, "round_label": round_label, "decision_on": D(2021, 12, 20),
        "valid_from": D(2021, 12, 20), "valid_to": D(2024, 12, 31), "by": None, **changes,
    }  # fmt: skip
    if status_type is not None:
        values["status_type"] = status_type
    return services.grant_status(**values)


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def two(db):
    """Klaster Kluczowy holds the key cluster status, Klaster Wzrostowy the supra-regional
    growth cluster status, both valid 2021-12-20..2024-12-31."""
    key = ClusterFactory(name="Klaster Kluczowy")
    growth = ClusterFactory(name="Klaster Wzrostowy")
    MembershipFactory(cluster=growth, joined_on=D(2016, 1, 1))
    return _grant(key), _grant(growth, round_label="PKW-1", status_type="pkw")


# --- grants ----------------------------------------------------------------------------------


def test_a_grant_is_of_the_key_cluster_status_unless_told(two):
    key, growth = two
    assert (key.status_type_id, key.status_type.name("en")) == ("kkk", "key cluster status")
    assert (growth.status_type_id, growth.status_type.name("pl")) == (
        "pkw",
        "status Ponadregionalnego Klastra Wzrostowego",
    )


def test_an_unknown_type_is_refused_naming_the_field_and_nothing_is_written(db, english):
    cluster = ClusterFactory(name="Klaster Regionalny")
    with pytest.raises(ValidationError) as refused:
        _grant(cluster, status_type="rkk")
    assert refused.value.message_dict == {
        "status_type": [
            'The registry knows no status type "rkk" (the status types are: kkk (key cluster '
            "status), pkw (supra-regional growth cluster status))."
        ]
    }
    assert not StatusGrant.objects.exists()


def test_a_renewal_continues_a_status_of_the_same_type(two, english):
    key, _growth = two
    with pytest.raises(ValidationError) as refused:
        _grant(
            key.cluster, round_label="PKW-2", status_type="pkw", renewal_of=key,
            valid_from=D(2025, 1, 1), valid_to=D(2027, 12, 31),
        )  # fmt: skip
    assert refused.value.message_dict == {
        "renewal_of": ["A renewal continues a status of the same type."]
    }
    # a status of another type is never found as the one a decision renews either
    assert services._renewed(key.cluster, "pkw", D(2025, 1, 1)) is None
    assert services._renewed(key.cluster, "kkk", D(2025, 1, 1)) == key


# --- the registry pages and open data --------------------------------------------------------


def test_each_type_has_its_registry_page(client, two, english):
    key, growth = two
    response = client.get(REGISTRY, {"on": "2022-06-01"})
    assert [c.name for c in response.context["clusters"]] == ["Klaster Kluczowy"]
    html = response.content.decode()
    assert "Key cluster status: the holders on 1 June 2022" in html
    assert (
        f'href="{REGISTRY}?type=pkw&amp;on=2022-06-01">Supra-regional growth cluster status</a>'
    ) in html
    response = client.get(REGISTRY, {"on": "2022-06-01", "type": "pkw"})
    assert [c.name for c in response.context["clusters"]] == ["Klaster Wzrostowy"]
    assert [c.grant_round for c in response.context["clusters"]] == ["PKW-1"]
    html = response.content.decode()
    assert "Supra-regional growth cluster status: the holders on 1 June 2022" in html
    assert f'href="{REGISTRY}?type=kkk&amp;on=2022-06-01">Key cluster status</a>' in html
    assert '<input type="hidden" name="type" value="pkw">' in html
    response = client.get(REGISTRY, {"on": "2014-01-01", "type": "pkw"})
    assert "No cluster held the supra-regional growth cluster status on this date." in (
        response.content.decode()
    )
    assert client.get(REGISTRY, {"type": "rkk"}).status_code == 404


def test_a_cluster_holding_both_types_is_on_both_pages(client, two):
    key, _growth = two
    _grant(key.cluster, round_label="PKW-1", status_type="pkw")
    for code, expected in (("kkk", ["Klaster Kluczowy"]),
                           ("pkw", ["Klaster Kluczowy", "Klaster Wzrostowy"])):  # fmt: skip
        response = client.get(REGISTRY, {"on": "2022-06-01", "type": code})
        assert sorted(c.name for c in response.context["clusters"]) == expected


@pytest.mark.parametrize("pkw_first", [True, False])
def test_a_member_of_a_cluster_holding_both_types_is_a_key_cluster_member_on_both_paths(
    two, pkw_first
):
    from keyclusters.statuses import index, selectors

    key, _growth = two
    key.delete()  # granted again below, in the order the case asks
    cluster = ClusterFactory(name="Klaster Podwójny")
    member = MembershipFactory(cluster=cluster, joined_on=D(2016, 1, 1)).organisation
    first, second = ("pkw", "kkk") if pkw_first else ("kkk", "pkw")
    _grant(cluster, round_label="A", status_type=first, valid_from=D(2021, 1, 1))
    _grant(cluster, round_label="B", status_type=second, valid_from=D(2022, 1, 1))
    on = D(2022, 6, 1)
    built = index.VerificationIndex.load()
    from_database = selectors.verify_nip_from_database(member.nip, on=on)
    assert from_database["key_cluster_member"] is True
    ((listed,),) = [from_database["memberships"]]
    assert listed["status_type"] == "kkk"
    assert listed["status"]["round"] == ("B" if pkw_first else "A")
    assert built.answer(member.nip, on=on) == from_database
    assert selectors.verify_nips_from_database([member.nip], on=on) == [from_database]
    assert built.answers([member.nip], on=on) == [from_database]


def test_the_open_data_of_a_type_names_it(client, two, english):
    key, growth = two
    url = reverse("statuses:registry-export", args=["csv"])
    response = client.get(url, {"on": "2022-06-01", "type": "pkw"})
    assert response["Content-Disposition"] == 'attachment; filename="pkw-clusters-2022-06-01.csv"'
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert (row["cluster_name"], row["status_type"], row["status_name"], row["round"]) == (
        "Klaster Wzrostowy", "pkw", "supra-regional growth cluster status", "PKW-1",
    )  # fmt: skip
    assert row["member_count"] == "2"  # the coordinator and the member
    response = client.get(reverse("statuses:registry-export", args=["json"]), {"on": "2022-06-01"})
    assert response["Content-Disposition"] == 'attachment; filename="key-clusters-2022-06-01.json"'
    document = json.loads(response.content)
    assert document["status_type"] == {"code": "kkk", "name": "key cluster status"}
    assert [(c["cluster_name"], c["status_type"]) for c in document["clusters"]] == [
        ("Klaster Kluczowy", "kkk")
    ]


# --- the import ------------------------------------------------------------------------------


@pytest.fixture
def importable(db):
    return ClusterFactory(name="Klaster Łódzki"), ClusterFactory(name="Dolina Lotnicza")


def test_the_import_reads_the_type_column(importable, tmp_path):
    path = tmp_path / "statuses.csv"
    path.write_text(
        "cluster;round;valid_from;valid_to;type\n"
        "Klaster Łódzki;I;2015-09-23;2018-09-22;\n"
        "Klaster Łódzki;I;2016-01-01;2018-12-31;pkw\n"
        "Klaster Łódzki;II;2018-09-23;2021-09-22;kkk\n"
        "Dolina Lotnicza;IV;2019-12-20;2022-12-19;PKW\n",
        encoding="utf-8",
    )
    code, out, err = run("import", "statuses", path)
    assert (code, err) == (0, "")
    assert out == "statuses: 4 rows, 4 created, 0 updated, 0 unchanged\n"
    grants = {
        (g.cluster.name, g.status_type_id, g.round_label): g
        for g in StatusGrant.objects.select_related("cluster")
    }
    assert sorted(grants) == [
        ("Dolina Lotnicza", "pkw", "IV"),
        ("Klaster Łódzki", "kkk", "I"),
        ("Klaster Łódzki", "kkk", "II"),
        ("Klaster Łódzki", "pkw", "I"),
    ]
    # the renewal is of the same type: round II renews the key cluster status of round I
    assert (
        grants[("Klaster Łódzki", "kkk", "II")].renewal_of == grants[("Klaster Łódzki", "kkk", "I")]
    )
    assert grants[("Klaster Łódzki", "pkw", "I")].renewal_of is None
    path.write_text(
        "cluster,round,valid_from,valid_to\nKlaster Łódzki,I,2015-09-23,2018-09-22\n",
        encoding="utf-8",
    )  # without the column: the key cluster status
    assert run("import", "statuses", path)[1] == (
        "statuses: 1 row, 0 created, 0 updated, 1 unchanged\n"
    )


def test_the_import_refuses_an_unknown_type_naming_the_row_and_column(importable, tmp_path):
    path = tmp_path / "statuses.csv"
    path.write_text(
        "cluster,round,valid_from,valid_to,type\n"
        "Klaster Łódzki,I,2015-09-23,2018-09-22,kkk\n"
        "Dolina Lotnicza,IV,2019-12-20,2022-12-19,regionalny\n",
        encoding="utf-8",
    )
    code, out, err = run("import", "statuses", path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        'row 3, column type: "regionalny" is not a status type of the registry (the status '
        "types are: kkk, pkw)",
        f"{path}: 1 error, nothing was imported.",
    ]
    assert not StatusGrant.objects.exists()


# --- certificates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "wording", "heading"),
    [
        ("en", "was granted the supra-regional growth cluster status in round PKW-1 by the "
               "decision of", "Certificate: Supra-regional growth cluster status"),
        ("pl", "status Ponadregionalnego Klastra Wzrostowego", None),
    ],
)  # fmt: skip
def test_the_certificate_names_the_type_granted(two, language, wording, heading):
    key, growth = two
    certificate = services.status_certificate(grant=growth, by=None)
    assert certificate.payload["status"]["type"] == {
        "code": "pkw",
        "name_pl": "status Ponadregionalnego Klastra Wzrostowego",
        "name_en": "supra-regional growth cluster status",
        "holder_pl": "Ponadregionalny Klaster Wzrostowy",
        "holder_en": "Supra-regional Growth Cluster",
    }
    with translation.override(language):
        html = " ".join(certificates.certificate_html(certificate).split())
        key_html = " ".join(
            certificates.certificate_html(services.status_certificate(grant=key, by=None)).split()
        )
    assert wording in html
    assert "Krajowego Klastra Kluczowego" not in html and "key cluster status" not in html
    if heading:
        assert f"<h1>{heading}</h1>" in html
        assert "National Key Clusters programme" not in html
        assert "was granted the key cluster status in round V by the decision of" in key_html
        assert "National Key Clusters programme" in key_html


def test_a_certificate_issued_before_types_keeps_the_key_cluster_words(two, english, client):
    key, _growth = two
    certificate = services.status_certificate(grant=key, by=None)
    del certificate.payload["status"]["type"]
    certificate.save(update_fields=["payload"])
    html = " ".join(certificates.certificate_html(certificate).split())
    assert "was granted the key cluster status in round V" in html
    page = client.get(reverse("statuses:certificate", args=[certificate.code])).content.decode()
    assert '<span id="certificate-status-type">Key cluster status</span>' in page


# --- the approval grants the rulebook's type -------------------------------------------------


def _decided(operator, minister, status_line: str):
    source = RULEBOOK.replace("rulebook: test-full", "rulebook: test-types").replace(
        "status:\n", f"status:\n  {status_line}\n"
    )
    call = competition_services.create_call(
        name="Nabór PKW",
        rulebook=competition_services.store_rulebook(source=source),
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    competition_services.change_call_state(call=call, action="open")
    through_merit(call, operator, ("8", "7"), name="Klaster Alfa")
    competition_services.change_call_state(call=call, action="close", by=operator)
    decisions.prepare_recommendation(call=call, by=operator)
    return call


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", roles=["operator"])


@pytest.fixture
def minister(db):
    return UserFactory(username="minister", roles=["decision-maker"])


def test_the_approval_grants_the_status_type_of_the_rulebook(operator, minister, english):
    call = _decided(operator, minister, "type: pkw")
    decisions.approve_recommendation(call=call, approved_on=D(2026, 11, 2), by=minister)
    grant = StatusGrant.objects.get()
    assert (grant.cluster.name, grant.status_type_id, grant.valid_from) == (
        "Klaster Alfa", "pkw", D(2026, 11, 2),
    )  # fmt: skip


def test_a_rulebook_naming_a_type_the_registry_does_not_keep_is_refused_when_stored(english):
    from keyclusters.competitions.models import StoredRulebook
    from keyclusters.competitions.services import CompetitionError

    source = RULEBOOK.replace("rulebook: test-full", "rulebook: test-types").replace(
        "status:\n", "status:\n  type: rkk\n"
    )
    with pytest.raises(CompetitionError) as refused:
        competition_services.store_rulebook(source=source)
    assert refused.value.messages == [
        'status.type: The registry knows no status type "rkk" (the status types are: kkk (key '
        "cluster status), pkw (supra-regional growth cluster status))."
    ]
    assert not StoredRulebook.objects.filter(rulebook_id="test-types").exists()


def test_the_approval_refuses_a_type_the_registry_no_longer_keeps(operator, minister, english):
    from keyclusters.statuses.models import StatusType

    StatusType.objects.create(
        code="rkk", name_pl="status RKK", name_en="RKK status", holder_pl="RKK", holder_en="RKK"
    )
    call = _decided(operator, minister, "type: rkk")
    StatusType.objects.filter(code="rkk").delete()  # removed by an administrator meanwhile
    call.refresh_from_db()
    before = call.state
    with pytest.raises(EvaluationError) as refused:
        decisions.approve_recommendation(call=call, approved_on=D(2026, 11, 2), by=minister)
    assert refused.value.messages == [
        "The list cannot be approved: the rulebook grants a status the registry does not keep. "
        'The registry knows no status type "rkk" (the status types are: kkk (key cluster '
        "status), pkw (supra-regional growth cluster status))."
    ]
    call.refresh_from_db()
    assert call.state == before
    assert not StatusGrant.objects.exists()


# --- holders only ----------------------------------------------------------------------------


def test_a_call_for_holders_of_a_type_refuses_a_holder_of_another(db, english):
    source = (
        SMALL_RULEBOOK.replace("rulebook: test-small", "rulebook: test-pkw-holders")
        + "applicants:\n  holders: {status_type: pkw}\n"
    )
    call = competition_services.create_call(
        name="Nabór dla klastrów wzrostowych",
        rulebook=competition_services.store_rulebook(source=source),
        opens_at=dt.datetime(2026, 5, 4, 9, 0, tzinfo=WARSAW),
        closes_at=dt.datetime(2026, 6, 30, 16, 0, tzinfo=WARSAW),
    )
    competition_services.change_call_state(call=call, action="open")
    cluster = ClusterFactory(name="Klaster Kluczowy", founded_on=D(2018, 3, 1))
    for _ in range(5):
        MembershipFactory(cluster=cluster, joined_on=D(2019, 1, 1))
    coordinator = UserFactory(roles=["coordinator"], organisation=cluster.coordinator)
    _grant(cluster, valid_from=D(2025, 1, 1), decision_on=D(2025, 1, 1), valid_to=D(2027, 12, 31))
    assert holdings.last_valid_days(cluster.pk, "kkk") == [D(2027, 12, 31)]
    assert holdings.last_valid_days(cluster.pk, "pkw") == []
    application = competition_services.start_application(
        call=call, cluster=cluster, by=coordinator, now=in_call()
    )
    application = competition_services.save_application_data(
        application=application, values={"rd_projects": 3},
        files={"strategy": ("strategia.pdf", PDF)}, by=coordinator, now=in_call(),
    )  # fmt: skip
    with pytest.raises(competition_services.CompetitionError) as refused:
        competition_services.submit_application(
            application=application, by=coordinator, now=in_call()
        )
    assert refused.value.messages == [
        "The call is open only to clusters holding the status; this cluster holds none."
    ]
    _grant(
        cluster, round_label="PKW-1", status_type="pkw", valid_from=D(2025, 1, 1),
        decision_on=D(2025, 1, 1), valid_to=D(2027, 12, 31),
    )  # fmt: skip
    submitted = competition_services.submit_application(
        application=application, by=coordinator, now=in_call()
    )
    assert submitted.state == "submitted"


# --- the cluster's pages ---------------------------------------------------------------------


def test_the_cluster_pages_name_the_type_of_each_status(client, db, english):
    from keyclusters.statuses.selectors import today

    cluster = ClusterFactory(name="Klaster Podwójny")
    day = today()
    _grant(cluster, decision_on=day, valid_from=day, valid_to=D(day.year + 2, 12, 31))
    _grant(
        cluster, round_label="PKW-1", status_type="pkw", decision_on=D(2020, 1, 1),
        valid_from=D(2020, 1, 1), valid_to=D(day.year + 1, 12, 31),
    )  # fmt: skip
    html = client.get(reverse("statuses:cluster-history", args=[cluster.pk])).content.decode()
    assert "Key cluster today" in html
    assert '<span class="badge text-bg-success" data-status-type="pkw">Supra-regional Growth ' in (
        html
    )
    assert (
        '<span class="status-type" data-status-type="pkw">Supra-regional growth cluster status'
        "</span> · Round PKW-1"
    ) in html
    assert '<span class="status-type" data-status-type="kkk">Key cluster status</span>' in html
    html = client.get(reverse("registry:cluster-detail", args=[cluster.pk])).content.decode()
    assert "data-key-status>Key cluster until" in html
    assert f"Supra-regional Growth Cluster until 31 Dec {day.year + 1}" in html
