import datetime as dt

import pytest
from django.urls import reverse

from keyclusters.statuses.models import StatusGrant
from tests.factories import ClusterFactory

pytestmark = pytest.mark.django_db


def test_the_landing_page_counts_key_clusters_and_shows_a_way_in_per_role(client):
    today = dt.date.today()
    current, expired, _plain = ClusterFactory(), ClusterFactory(), ClusterFactory()
    StatusGrant.objects.create(
        cluster=current,
        round_label="VII",
        decision_on=today,
        valid_from=today,
        valid_to=today + dt.timedelta(days=30),
    )
    StatusGrant.objects.create(
        cluster=expired,
        round_label="I",
        decision_on=dt.date(2015, 9, 23),
        valid_from=dt.date(2015, 9, 23),
        valid_to=dt.date(2018, 9, 22),
    )
    page = client.get(reverse("web:home"), headers={"accept-language": "en"})
    assert page.status_code == 200
    assert (page.context["key_cluster_count"], page.context["cluster_count"]) == (1, 3)
    body = page.content.decode()
    for way_in in (
        "Cluster coordinators",
        "Experts and panel members",
        "Funding agencies",
        "Benchmarking analysts",
        "Decision maker",
        "Ministry and agency staff",
    ):
        assert way_in in body
    polish = client.get(reverse("web:home"), headers={"accept-language": "pl"}).content.decode()
    assert "Koordynatorzy klastrów" in polish
