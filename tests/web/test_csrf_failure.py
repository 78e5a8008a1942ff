"""A form refused by the CSRF check: the site's page (status 403, the layout, the user's
language) that says in plain words what happened and how to go on, not Django's stock page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index('<main id="main"') : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


EXPLANATION = (
    "Error 403 The form could not be sent For your safety every form carries a one-time check, "
    "and this one was missing or out of date. Usually the form was open for too long (or you "
    "signed in or out in another tab), or your browser blocks cookies for this site. Go back to "
    "the form, reload the page and send it again. Anything you typed may need to be entered "
    "again. If this keeps happening, allow cookies for this site in your browser."
)


def test_a_form_without_its_token_gets_the_sites_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"username": "ola", "password": "x"},
        headers={"accept-language": "en", "referer": "http://testserver/accounts/login/"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>The form could not be sent · keyclusters</title>" in html
    assert '<nav class="navbar' in html  # the site's layout
    assert main_text(response) == EXPLANATION + " Back to the form Home page"
    assert '<a class="btn btn-primary" href="http://testserver/accounts/login/">' in html
    # Django's reason (meant for developers) and its stock page are not shown
    text = main_text(response)
    assert "CSRF" not in text and "cookie not set" not in text
    assert "Forbidden" not in html and "CSRF verification failed" not in html
    # a fresh token comes with the page, so the reloaded form will pass
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_an_out_of_date_token_of_a_signed_in_user():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="ola"))
    client.get("/dashboard/")  # the CSRF cookie
    response = client.post(
        "/accounts/logout/",
        {"csrfmiddlewaretoken": "x" * 64},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 403
    # no referring page: the home page is the way on, and the dashboard for a signed-in user
    assert main_text(response) == EXPLANATION + " Home page · Dashboard"


def test_a_referer_of_another_site_is_not_linked():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"username": "ola", "password": "x"},
        headers={"accept-language": "en", "referer": "https://evil.example/form"},
    )
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
    assert main_text(response) == EXPLANATION + " Home page"


def test_the_page_in_polish():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {}, headers={"accept-language": "pl"})
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="pl">' in html
    assert '<a class="nav-link" href="/clusters/">Klastry</a>' in html


def test_the_same_form_with_its_token_passes():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = client.post(
        "/accounts/login/",
        {"username": "ola", "password": "x", "csrfmiddlewaretoken": token},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200  # the form again, with its error: not refused
    assert "The form could not be sent" not in response.content.decode()
