import pytest
from django.core.management import call_command

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.competitions.models import Application
from keyclusters.domain.identifiers import normalise_nip, normalise_regon
from keyclusters.registry.models import Cluster, Membership, Organisation

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_loads_the_registry_and_prints_one_login_per_role(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert Cluster.objects.count() == 42
    assert Organisation.objects.count() == 3012
    polish = Organisation.objects.exclude(nip=None)
    assert polish.count() == 3000
    for org in polish.only("nip", "regon"):
        assert normalise_nip(org.nip) == org.nip
        assert normalise_regon(org.regon) == org.regon
    for cluster in Cluster.objects.all():
        assert Membership.objects.filter(cluster=cluster, role="coordinator").count() == 1
    assert Organisation.history.count() == 3012
    logins = {
        "operator": "operator",
        "expert": "expert",
        "panel-member": "panel",
        "decision-maker": "minister",
        "coordinator": "coordinator",
        "funding-agency": "agency",
        "analyst": "analyst",
    }
    assert set(logins) == {role.value for role in Role}
    for role, username in logins.items():
        user = User.objects.get(username=username)
        assert user.has_role(role)
        assert user.check_password("demo-keyclusters")
        assert f"  {username} " in out
    coordinator = User.objects.get(username="coordinator")
    assert Cluster.objects.filter(coordinator=coordinator.organisation).exists()

    # an open call with applications in several states
    states = sorted(Application.objects.values_list("state", flat=True))
    assert states == [
        "completion-requested",
        "draft",
        "in-evaluation",
        "in-evaluation",
        "rejected",
        "submitted",
        "submitted",
        "submitted",
    ]

    # Running it again keeps the data and still prints the logins.
    call_command("demo")
    assert Cluster.objects.count() == 42
    assert "operator" in capsys.readouterr().out
