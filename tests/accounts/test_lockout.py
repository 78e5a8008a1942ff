"""The log-in lockout counts per user name and client address, with the client address taken
from a proxy's header only when one is configured."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from keyclusters.accounts.client_address import client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
A, B = "198.51.100.7", "203.0.113.9"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _five_tries(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXY_HEADER = ""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []


def _log_in(username: str, password: str, **meta) -> int:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password}, **meta)
    return response.status_code


def _fail_five_times(username: str, **meta) -> None:
    codes = [_log_in(username, "nope", **meta) for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]


def test_five_failures_from_one_address_lock_the_user_there_only():
    UserFactory(username="ola")
    UserFactory(username="jan")
    _fail_five_times("ola", REMOTE_ADDR=A)
    # locked from A, even with the right password
    assert _log_in("ola", PASSWORD, REMOTE_ADDR=A) == 429
    # the owner, from another address, logs in
    assert _log_in("ola", PASSWORD, REMOTE_ADDR=B) == 302
    # another user from the same address is not affected
    assert _log_in("jan", PASSWORD, REMOTE_ADDR=A) == 302


def test_without_a_configured_header_a_forwarded_address_is_not_believed():
    UserFactory(username="ola")
    # an attacker writing a new X-Forwarded-For each time is still counted at their own address
    for n in range(4):
        assert _log_in("ola", "nope", REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}") == 200
    assert _log_in("ola", "nope", REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR="192.0.2.99") == 429
    # and a header naming the attacker's address does not lock the owner elsewhere
    assert _log_in("ola", PASSWORD, REMOTE_ADDR=B, HTTP_X_FORWARDED_FOR=A) == 302


def test_behind_a_proxy_one_client_cannot_lock_the_others(settings):
    """All requests come from the proxy's address; the lock follows the client's."""
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    UserFactory(username="ola")
    _fail_five_times("ola", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=A)
    assert _log_in("ola", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=A) == 429
    assert _log_in("ola", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=B) == 302


def test_behind_a_proxy_a_forged_left_entry_does_not_escape_the_lock(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    UserFactory(username="ola")
    for n in range(4):
        forged = f"192.0.2.{n}, {A}"  # the client wrote the first entry, the proxy the last
        assert _log_in("ola", "nope", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged) == 200
    assert _log_in("ola", "nope", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.1.1.1, {A}") == 429


def _request(**meta):
    return RequestFactory().get("/", **meta)


def test_client_address_is_the_peer_unless_a_header_is_configured(settings):
    request = _request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=A, HTTP_X_REAL_IP=B)
    assert client_address(request) == PROXY
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    assert client_address(request) == B
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_address(request) == A


def test_client_address_counts_the_proxies_from_the_right(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    request = _request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {A}, 10.0.0.9")
    assert client_address(request) == "10.0.0.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == A
    settings.TRUSTED_PROXY_COUNT = 4  # more proxies than entries: the header is not enough
    assert client_address(request) == PROXY


def test_client_address_reads_the_header_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]
    assert client_address(_request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=A)) == A
    assert client_address(_request(REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR=A)) == A
    assert client_address(_request(REMOTE_ADDR=B, HTTP_X_FORWARDED_FOR=A)) == B


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("198.51.100.7:5123", A),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("not-an-address", PROXY),
        ("", PROXY),
        ("unknown, ", PROXY),
    ],
)
def test_client_address_normalises_or_falls_back_to_the_peer(settings, header, expected):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    assert client_address(_request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)) == expected
