"""The site's 404 and 403 pages: the normal layout in the user's language, JSON under /api/,
and the 404 page in development mode (DEBUG) too unless KEYCLUSTERS_TECHNICAL_404 asks for
Django's debug page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation

from keyclusters.web import errors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def main_text(response) -> str:
    """The text of <main>, tags removed and white space collapsed."""
    html = response.content.decode()
    main = html[html.index('<main id="main"') : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_address_shows_the_sites_404_page(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/no-such-page/", headers={"accept-language": "en"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found · keyclusters</title>" in html
    assert '<nav class="navbar' in html  # the site's layout
    assert main_text(response) == (
        "Error 404 Page not found There is no page at this address, or it is not open to your "
        "account. Check the address, or go on from one of these pages: Home page Clusters "
        "Key clusters Log in"
    )
    assert 'href="/accounts/login/?next=/no-such-page/"' in html
    assert "URLconf" not in html and "Using the URLconf" not in html


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_object_shows_the_sites_404_page(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/clusters/999999/", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert main_text(response).startswith("Error 404 Page not found")
    assert "999999" not in main_text(response)


def test_a_signed_in_user_is_offered_the_dashboard(client):
    client.force_login(UserFactory(username="ola"))
    response = client.get("/no-such-page/", headers={"accept-language": "en"})
    assert main_text(response).endswith(
        "go on from one of these pages: Dashboard Home page Clusters Key clusters"
    )


def test_the_404_page_in_polish(client):
    response = client.get("/no-such-page/", headers={"accept-language": "pl"})
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="pl">' in html
    assert '<h1 class="h3">Nie znaleziono strony</h1>' in html
    assert '<a class="nav-link" href="/clusters/">Klastry</a>' in html


def test_the_technical_404_page_on_request(client, settings):
    settings.DEBUG = True
    settings.TECHNICAL_404 = True
    response = client.get("/no-such-page/", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert "Using the URLconf defined in" in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_the_api_answers_json(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_a_refused_page_explains_the_role(client):
    client.force_login(UserFactory(username="ola"))
    response = client.get("/evaluation/experts/", headers={"accept-language": "en"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>Access denied · keyclusters</title>" in html
    assert main_text(response) == (
        "Error 403 Access denied Your account's roles do not allow this page or action. If "
        "your work needs it, ask the programme operator for the role. Dashboard · Home page"
    )


def test_a_refused_page_offers_the_log_in_to_an_anonymous_visitor(rf):
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    with translation.override("en"):
        response = errors.forbidden(request, PermissionDenied())
    assert response.status_code == 403
    assert main_text(response) == (
        "Error 403 Access denied This page is for signed-in users with the right role. "
        "Log in Home page"
    )
    assert 'href="/accounts/login/?next=/somewhere/"' in response.content.decode()


def test_the_403_page_in_polish(client):
    client.force_login(UserFactory(username="ola"))
    response = client.get("/evaluation/experts/", headers={"accept-language": "pl"})
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="pl">' in html
    assert '<a href="/dashboard/">Pulpit</a>' in html
