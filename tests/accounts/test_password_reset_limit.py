"""Password reset requests are limited per client address and per e-mail address, and the
limit tells nothing about which addresses have an account."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.translation import ngettext, override

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

A, B = "198.51.100.7", "203.0.113.9"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_RESET_LIMIT = 5
    settings.PASSWORD_RESET_WINDOW = 3600
    settings.TRUSTED_PROXY_HEADER = ""
    cache.clear()
    yield
    cache.clear()


def _refusal(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def _ask(email: str, address: str):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_five_requests_per_address_then_429_with_a_message():
    codes = [_ask(f"osoba{n}@example.org", A).status_code for n in range(5)]
    assert codes == [302] * 5
    refused = _ask("osoba6@example.org", A)
    assert refused.status_code == 429
    with override("pl"):
        expected = ngettext(
            "Too many password reset requests. Please wait %(minutes)s minute and try again; "
            "a link already sent stays valid.",
            "Too many password reset requests. Please wait %(minutes)s minutes and try again; "
            "a link already sent stays valid.",
            60,
        ) % {"minutes": 60}
    assert _refusal(refused) == [expected]
    assert _refusal(refused)[0] in refused.content.decode()
    # another address is not affected
    assert _ask("osoba7@example.org", B).status_code == 302


def test_five_requests_per_email_address_from_anywhere():
    UserFactory(username="ola", email="ola@example.org")
    for n in range(5):
        assert _ask("ola@example.org", f"192.0.2.{n}").status_code == 302
    assert len(mail.outbox) == 5
    assert _ask("OLA@example.org ", "192.0.2.50").status_code == 429
    assert len(mail.outbox) == 5  # nothing more is sent


def test_the_limit_reads_the_same_for_an_account_and_for_nobody():
    UserFactory(username="ola", email="ola@example.org")
    answers = {}
    for email in ("ola@example.org", "nikt@example.org"):
        for _ in range(5):
            assert _ask(email, f"192.0.2.{len(email)}").status_code == 302
        refused = _ask(email, "192.0.2.200")
        answers[email] = (refused.status_code, _refusal(refused))
    assert answers["ola@example.org"] == answers["nikt@example.org"]


def test_the_limit_counts_the_client_behind_a_configured_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    client = Client()
    url = reverse("password_reset")
    for n in range(5):
        response = client.post(
            url, {"email": f"a{n}@example.org"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=A
        )
        assert response.status_code == 302
    refused = client.post(
        url, {"email": "a9@example.org"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=A
    )
    assert refused.status_code == 429
    other = client.post(
        url, {"email": "b@example.org"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=B
    )
    assert other.status_code == 302


def test_the_reset_pages_are_the_sites_own():
    """Not the admin's templates of the same name: the site's layout and translations."""
    page = Client().get(reverse("password_reset")).content.decode()
    assert 'class="navbar' in page
    assert "wyślemy na niego link do ustawienia nowego hasła" in page
