import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from keyclusters.accounts.roles import ROLE_PERMISSIONS, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_every_role_has_a_group_with_its_declared_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    operator = Group.objects.get(name="operator")
    codes = {f"{p.content_type.app_label}.{p.codename}" for p in operator.permissions.all()}
    assert codes == set(ROLE_PERMISSIONS[Role.OPERATOR])


def test_user_roles_come_from_groups():
    user = UserFactory(roles=["coordinator", "expert"])
    assert user.roles == ["expert", "coordinator"]
    assert user.has_role(Role.COORDINATOR)
    assert not user.has_role(Role.OPERATOR)


def test_login_and_logout(client):
    UserFactory(username="ola")
    response = client.post(reverse("login"), {"username": "ola", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:home")).context["user"].username == "ola"
    client.post(reverse("logout"))
    assert not client.get(reverse("web:home")).context["user"].is_authenticated


def test_wrong_password_is_refused(client):
    UserFactory(username="ola")
    response = client.post(reverse("login"), {"username": "ola", "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_five_failed_logins_lock_the_account(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="ola")
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "ola", "password": "nope"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "ola", "password": "nope"})
    assert response.status_code == 429
    # Even the right password is refused while the lock lasts.
    response = client.post(reverse("login"), {"username": "ola", "password": PASSWORD})
    assert response.status_code == 429
    assert not client.get(reverse("web:home")).context["user"].is_authenticated


def test_password_reset_sends_a_working_link(client):
    user = UserFactory(username="ola", email="ola@example.org")
    response = client.post(reverse("password_reset"), {"email": "ola@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ola@example.org"]
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.context["validlink"] is True
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a new Secret 2026", "new_password2": "a new Secret 2026"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a new Secret 2026")


def test_unknown_address_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
