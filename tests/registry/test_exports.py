import datetime as dt
import io

import openpyxl
import pytest

from keyclusters.registry import exports, importing
from keyclusters.registry.models import Membership, Organisation
from tests.factories import ClusterFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster():
    cluster = ClusterFactory(
        name="Klaster Śląski",
        founded_on=dt.date(2012, 3, 1),
        coordinator=OrganisationFactory(
            name="Fundacja Koordynator", nip="5260250274", regon="012100784",
            kind="business-support", size="", voivodeship="slaskie", city="Katowice",
        ),
    )  # fmt: skip
    zaklad = OrganisationFactory(
        name="Zakład Łódzki Sp. z o.o.", nip="5261040828", regon="123456785", krs="0000012345",
        kind="enterprise", size="small", voivodeship="lodzkie", city="Łódź",
    )  # fmt: skip
    MembershipFactory(cluster=cluster, organisation=zaklad, joined_on=dt.date(2015, 2, 1),
                      left_on=dt.date(2020, 12, 31))  # fmt: skip
    foreign = OrganisationFactory(name="Werke GmbH", nip=None, regon="", kind="research", size="",
                                  voivodeship="", city="Dresden", country="DE")  # fmt: skip
    MembershipFactory(cluster=cluster, organisation=foreign, role="strategic-partner",
                      joined_on=dt.date(2019, 1, 1))  # fmt: skip
    return cluster


def test_members_csv(cluster):
    data = exports.members_csv(cluster)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "name,nip,regon,krs,kind,size,voivodeship,city,country,joined_on,left_on,role",
        "Fundacja Koordynator,5260250274,012100784,,business-support,,slaskie,Katowice,PL,"
        "2012-03-01,,coordinator",
        "Werke GmbH,,,,research,,,Dresden,DE,2019-01-01,,strategic-partner",
        "Zakład Łódzki Sp. z o.o.,5261040828,123456785,0000012345,enterprise,small,lodzkie,Łódź,PL,"
        "2015-02-01,2020-12-31,member",
    ]


def test_members_csv_on_a_date_lists_only_active_memberships(cluster):
    lines = exports.members_csv(cluster, on=dt.date(2021, 6, 1)).decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["Fundacja Koordynator", "Werke GmbH"]


def test_members_xlsx(cluster):
    sheet = openpyxl.load_workbook(io.BytesIO(exports.members_xlsx(cluster))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("name", "nip", "regon")
    assert rows[3][0:2] == ("Zakład Łódzki Sp. z o.o.", "5261040828")
    assert rows[3][9:] == (dt.datetime(2015, 2, 1), dt.datetime(2020, 12, 31), "member")


@pytest.mark.parametrize("export", [exports.members_csv, exports.members_xlsx])
def test_an_export_reimports_cleanly(cluster, export):
    data = export(cluster)
    same = importing.import_members(cluster=cluster, source=data, filename="export")
    assert same == importing.ImportReport(rows=3, created=0, updated=0, unchanged=3)
    other = ClusterFactory(coordinator=cluster.coordinator)
    copied = importing.import_members(cluster=other, source=data, filename="export")
    assert (copied.rows, copied.created, copied.unchanged) == (3, 2, 1)  # the coordinator is there
    assert Organisation.objects.count() == 3

    def memberships(c):
        return set(
            Membership.objects.filter(cluster=c).values_list(
                "organisation__name", "role", "joined_on", "left_on"
            )
        )

    assert memberships(other) == memberships(cluster)
