"""The password reset e-mail: a plain text and an HTML part, in the language of the page it was
asked from (or the account's preferred language), with a link that works and how long it does."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the requests per address are counted in the cache


LINK = re.compile(r"http://testserver/accounts/reset/[^/\s]+/[^/\s]+/")


def ask(client, language: str, email: str = "ola@example.org"):
    response = client.post(
        reverse("password_reset"), {"email": email}, headers={"accept-language": language}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def html_part(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_the_english_message(client):
    UserFactory(username="ola", email="ola@example.org")
    message = ask(client, "en")
    assert message.subject == "keyclusters: password reset"
    link = LINK.search(message.body).group(0)
    assert message.body == (
        "You asked to reset your keyclusters password for the user ola.\n"
        "\n"
        "Set a new password here:\n"
        f"{link}\n"
        "\n"
        "The link works once, for 3 days.\n"
        "If you did not ask for it, ignore this message.\n"
        "\n"
        "-- \n"
        "keyclusters\n"
    )
    html = html_part(message)
    assert '<html lang="en">' in html
    assert '<h1 style="margin:0 0 16px;font-size:20px">Password reset</h1>' in html
    assert "You asked to reset your keyclusters password for the user ola." in html
    assert html.count(f'href="{link}"') == 2  # the button and the address written out
    assert ">Set a new password</a>" in html
    assert "If the button does not work, copy this address into your browser:" in html
    assert "The link works once, for 3 days." in html


def test_the_polish_message(client):
    UserFactory(username="ola", email="ola@example.org")
    message = ask(client, "pl")
    assert message.subject == "keyclusters: resetowanie hasła"
    lines = message.body.splitlines()
    assert lines[:3] == [
        "Otrzymaliśmy prośbę o zresetowanie hasła w keyclusters dla użytkownika ola.",
        "",
        "Nowe hasło można ustawić tutaj:",
    ]
    assert LINK.fullmatch(lines[3])
    assert lines[6:] == [
        "Jeśli ta prośba nie pochodzi od Ciebie, zignoruj tę wiadomość.",
        "",
        "-- ",
        "keyclusters",
    ]
    html = html_part(message)
    assert '<html lang="pl">' in html
    assert "Otrzymaliśmy prośbę o zresetowanie hasła w keyclusters dla użytkownika ola." in html
    assert "Jeśli ta prośba nie pochodzi od Ciebie, zignoruj tę wiadomość." in html


def test_the_accounts_preferred_language_wins(client):
    UserFactory(username="ola", email="ola@example.org", preferred_language="en")
    message = ask(client, "pl")
    assert message.subject == "keyclusters: password reset"
    assert '<html lang="en">' in html_part(message)


def test_the_validity_follows_the_setting(client, settings):
    settings.PASSWORD_RESET_TIMEOUT = 86400
    UserFactory(username="ola", email="ola@example.org")
    message = ask(client, "en")
    assert "The link works once, for 1 day.\n" in message.body


def test_the_link_of_the_html_part_works(client):
    UserFactory(username="ola", email="ola@example.org")
    message = ask(client, "en")
    link = re.search(r'href="(http://testserver/accounts/reset/[^"]+)"', html_part(message))
    path = link.group(1).split("testserver", 1)[1]
    response = client.get(path, follow=True, headers={"accept-language": "en"})
    assert response.context["validlink"] is True
    assert "<title>Set a new password · keyclusters</title>" in response.content.decode()
