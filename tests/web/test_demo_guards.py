"""``keyclusters demo`` on a database that is not the demo's: refused unless forced, existing
accounts never changed, ``--reset`` only after a confirmation."""

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from keyclusters.accounts.models import User
from keyclusters.registry.models import Cluster
from keyclusters.web.demo.guard import is_demo_account, survey
from keyclusters.web.demo.users import DEMO_PASSWORD, LOGINS, create_users, demo_email
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db

REAL_PASSWORD = "a real Secret of 2026"


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture
def terminal(monkeypatch):
    def answer(text: str):
        stdin = io.StringIO(text)
        stdin.isatty = lambda: True
        monkeypatch.setattr(sys, "stdin", stdin)

    return answer


def _demo_login(username: str = "operator") -> User:
    user = User(username=username, email=demo_email(username))
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _real_admin() -> User:
    admin = UserFactory(
        username="admin", email="it@agency.example.org", is_staff=True, is_superuser=True
    )
    admin.set_password(REAL_PASSWORD)
    admin.save()
    return admin


def test_an_empty_database_and_the_demos_own_are_the_demos():
    assert survey().empty and survey().demo_only
    _demo_login()
    ClusterFactory()
    assert survey().demo_only


def test_demo_accounts_are_told_by_what_the_demo_gives_them():
    assert is_demo_account("operator", demo_email("operator"), True, "pbkdf2_sha256$…")
    assert not is_demo_account("admin", "it@agency.example.org", True, "pbkdf2_sha256$…")
    assert is_demo_account("ekspert-nowak", "", True, "!unusable")
    assert not is_demo_account("ekspert-nowak", "", True, "pbkdf2_sha256$…")
    assert is_demo_account("coordinator-17", "", False, "!x")
    assert not is_demo_account("coordinator-17", "", True, "!x")
    assert not is_demo_account("jan.kowalski", "", False, "!x")


def test_a_database_with_other_accounts_is_refused_with_what_was_found():
    UserFactory(username="jan.kowalski")
    _real_admin()
    with pytest.raises(CommandError) as refused:
        call_command("demo")
    assert refused.value.returncode == 2
    message = str(refused.value)
    assert "admin, jan.kowalski" in message
    assert "--force" in message
    assert not Cluster.objects.exists()
    assert set(User.objects.values_list("username", flat=True)) == {"admin", "jan.kowalski"}
    assert User.objects.get(username="admin").check_password(REAL_PASSWORD)


def test_clusters_without_the_demos_accounts_are_refused():
    ClusterFactory.create_batch(2)
    with pytest.raises(CommandError) as refused:
        call_command("demo")
    assert refused.value.returncode == 2
    assert (survey().clusters, survey().demo_only) == (2, False)
    assert not User.objects.exists()


def test_forced_it_creates_only_the_missing_logins_and_says_which(capsys):
    admin = _real_admin()
    ClusterFactory()  # the data "already loaded": only the logins are looked at
    call_command("demo", force=True)
    out = capsys.readouterr().out

    admin.refresh_from_db()
    assert admin.check_password(REAL_PASSWORD)
    assert not admin.check_password(DEMO_PASSWORD)
    assert admin.email == "it@agency.example.org"
    assert admin.is_superuser
    created, kept = out.strip("\n").split("\n\n")[:2]
    for username, *_ in LOGINS:
        if username == "admin":
            assert "  admin " not in created
            continue
        assert f"  {username} " in created
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert "  admin " in kept
    assert DEMO_PASSWORD not in kept


def test_create_users_never_touches_an_existing_account():
    coordinator = UserFactory(username="coordinator", email="anna@klaster.example.org")
    coordinator.set_password(REAL_PASSWORD)
    coordinator.save()
    logins = {login.username: login for login in create_users(coordinator_organisation=None)}
    assert logins["coordinator"].created is False
    assert logins["operator"].created is True
    coordinator.refresh_from_db()
    assert coordinator.check_password(REAL_PASSWORD)
    assert coordinator.email == "anna@klaster.example.org"
    assert coordinator.roles == []
    # a second run creates nothing and changes nothing
    assert not any(login.created for login in create_users(coordinator_organisation=None))
    assert coordinator.check_password(REAL_PASSWORD)


def test_reset_without_a_terminal_and_without_yes_is_refused(no_terminal):
    _demo_login()
    ClusterFactory()
    with pytest.raises(CommandError) as refused:
        call_command("demo", reset=True)
    assert refused.value.returncode == 2
    assert "--yes" in str(refused.value)
    assert Cluster.objects.count() == 1
    assert User.objects.filter(username="operator").exists()


def test_reset_asks_on_a_terminal_and_deletes_nothing_without_yes(terminal):
    _demo_login()
    ClusterFactory()
    terminal("no\n")
    with pytest.raises(CommandError) as refused:
        call_command("demo", reset=True)
    assert refused.value.returncode == 2
    assert Cluster.objects.count() == 1


def test_reset_of_someone_elses_database_needs_force_first(no_terminal):
    _real_admin()
    with pytest.raises(CommandError) as refused:
        call_command("demo", reset=True, yes=True)
    assert refused.value.returncode == 2
    assert "admin" in str(refused.value)
    assert User.objects.get(username="admin").check_password(REAL_PASSWORD)
