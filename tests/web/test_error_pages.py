"""A request that fails: a database that is away answers 503 with Retry-After, anything else
the 500 page; both pages render without asking the database anything."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, OperationalError, ProgrammingError
from django.test import Client, override_settings
from django.urls import path

from keyclusters import urls as site_urls


def database_away(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


def query_wrong(request):
    raise ProgrammingError("relation does not exist")


def other_failure(request):
    raise DatabaseError("something else")


urlpatterns = [
    path("away/", database_away),
    path("wrong/", query_wrong),
    path("other/", other_failure),
    *site_urls.urlpatterns,
]
handler500 = site_urls.handler500


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_database_that_is_away_answers_503_with_retry_after(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/away/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert '<h1 class="h3">Temporarily unavailable</h1>' in page
    assert "Please try again in 30 seconds." in page
    assert "OperationalError" not in page and "5432" not in page


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_the_503_page_reads_in_polish(client):
    response = client.get("/away/", HTTP_ACCEPT_LANGUAGE="pl")
    page = response.content.decode()
    assert '<html lang="pl">' in page
    assert "Usługa chwilowo niedostępna" in page


@pytest.mark.parametrize("url", ["/wrong/", "/other/"])
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_any_other_failure_is_the_500_page(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert '<h1 class="h3">Server error</h1>' in response.content.decode()
