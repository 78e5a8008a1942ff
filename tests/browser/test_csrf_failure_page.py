"""A form sent without its one-time check (a login page left open while the cookies were cleared)
gets the site's own page in plain words, which passes axe-core, and the way back works."""

import pytest

from tests.browser.test_accessibility import axe  # noqa: F401  (axe-core on every page)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stale_form_gets_the_plain_words_page_and_the_way_back(page, live_server, axe):  # noqa: F811
    UserFactory(username="operatorka", roles=["operator"])
    base = live_server.url
    login = f"{base}/accounts/login/"
    axe(login)
    page.fill("#id_username", "operatorka")
    page.fill("#id_password", "correct horse battery staple")
    page.context.clear_cookies()  # the check's cookie is gone, as after a long pause
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-csrf")
    assert page.locator("h1").inner_text() == "Nie udało się wysłać formularza"
    assert "CSRF" not in page.locator("main").inner_text()
    axe()
    # back to the form: reloaded, it carries a fresh check and logs in
    page.click("#error-csrf a.btn-primary")
    page.wait_for_url(login)
    page.fill("#id_username", "operatorka")
    page.fill("#id_password", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#user-menu").count() == 1
