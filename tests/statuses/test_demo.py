import pytest

from keyclusters.accounts.models import ApiKey
from keyclusters.statuses import public_registry, selectors
from keyclusters.statuses.models import StatusGrant
from keyclusters.web.demo.statuses import build_statuses
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_statuses():
    clusters = [ClusterFactory() for _ in range(20)]
    demo = build_statuses(clusters=clusters, operator=UserFactory(roles=["operator"]))
    assert len(demo.grants) == 2 + 5 + 1 + 3 + 4  # round II's cluster renewed in round IV
    renewals = StatusGrant.objects.exclude(renewal_of=None)
    # only within a year of the previous status (docs/verification.md): V without a break,
    # II after 49 days
    assert sorted((g.valid_from - g.renewal_of.valid_to).days for g in renewals) == [1, 50]
    assert StatusGrant.objects.count() == len(demo.grants) + 1  # and the growth cluster's
    today = selectors.today()
    holders = {c.pk for c in public_registry.holders_on(today)}
    assert clusters[0].pk in holders
    assert len(holders) == 1 + 3 + 3  # the coordinator's, three renewals, three of the four new
    assert StatusGrant.objects.filter(withdrawn_on__isnull=False).count() == 1
    assert ApiKey.objects.get().prefix == demo.api_key.split(".")[0]
    assert demo.certificate.subject == clusters[0].name
    growth = {c.pk for c in public_registry.holders_on(today, status_type="pkw")}
    assert growth == {clusters[0].pk} and demo.growth.status_type_id == "pkw"
    assert {c.pk for c in public_registry.holders_on(today)} == holders
