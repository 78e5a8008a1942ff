"""The confirmation step before an irreversible action reposts the form with confirmed=yes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed

pytestmark = pytest.mark.django_db


def test_the_page_states_the_consequence_and_reposts_the_fields():
    request = RequestFactory().post("/x/?next=1", {"action": "close", "ids": ["3", "4"]})
    request.user = AnonymousUser()
    assert confirmation_needed(request)
    response = ask_to_confirm(
        request,
        title="Zamknąć nabór?",
        consequences=["Nie można tego cofnąć."],
        warnings=["Termin mija za 2 miesiące."],
        facts=[("Suma", "18,50")],
        button="Zamknij nabór",
        cancel_url="/back/",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nie można tego cofnąć." in html and "Termin mija za 2 miesiące." in html
    assert '<input type="hidden" name="action" value="close">' in html
    assert html.count('name="ids"') == 2
    assert '<input type="hidden" name="confirmed" value="yes">' in html
    assert 'action="/x/?next=1"' in html
    assert 'href="/back/"' in html


def test_a_confirmed_post_needs_no_confirmation():
    assert not confirmation_needed(RequestFactory().post("/x/", {"confirmed": "yes"}))
    assert confirmation_needed(RequestFactory().post("/x/", {"confirmed": "no"}))
    assert not confirmation_needed(RequestFactory().get("/x/"))
