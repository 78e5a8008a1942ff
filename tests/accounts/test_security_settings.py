"""Production settings: HTTPS, HSTS, secure cookies, the proxy's HTTPS header, the security
headers and the Content-Security-Policy; ``check --deploy`` has nothing to say about them."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from keyclusters.statuses.certificates import verification_url
from keyclusters.statuses.models import Certificate

ROOT = Path(__file__).resolve().parents[2]
HOST = "keyclusters.example.org"


def _production_env(tmp_path, **extra) -> dict[str, str]:
    """The environment of a production server: no development switch, a long secret key, a
    host name, a database and var/ of its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        # (the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE included: no production server has it)
        if not k.startswith(("KEYCLUSTERS_", "SECURE_", "CSP_", "TRUSTED_", "AXES_", "DJANGO_"))
        and k not in ("DATABASE_URL", "ALLOWED_HOSTS", "SECRET_KEY")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "keyclusters.settings",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
            "KEYCLUSTERS_VAR_DIR": str(tmp_path / "var"),
        }
    )
    env.update(extra)
    return env


def _settings(tmp_path, **extra) -> dict:
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ('DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS',"
        " 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER',"
        " 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
        " 'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_REFERRER_POLICY', 'TRUSTED_PROXY_HEADER',"
        " 'TRUSTED_PROXIES', 'AXES_CLIENT_IP_CALLABLE', 'AXES_LOCKOUT_PARAMETERS')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_production_env(tmp_path, **extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_defaults(tmp_path):
    values = _settings(tmp_path)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    # the lockout counts per user name and client address, the address from REMOTE_ADDR only
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert values["AXES_CLIENT_IP_CALLABLE"].endswith("client_address.client_address")
    assert values["TRUSTED_PROXY_HEADER"] == ""


def test_development_turns_https_off(tmp_path):
    values = _settings(tmp_path, KEYCLUSTERS_DEV="1")
    assert values["DEBUG"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False


def test_settings_from_the_environment(tmp_path):
    values = _settings(
        tmp_path,
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="1",
        TRUSTED_PROXY_HEADER="X-Forwarded-For",
        TRUSTED_PROXIES="10.0.0.0/8,::1",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["TRUSTED_PROXY_HEADER"] == "X-Forwarded-For"
    assert values["TRUSTED_PROXIES"] == ["10.0.0.0/8", "::1"]
    meta_form = _settings(tmp_path, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https")
    assert meta_form["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_malformed_proxy_ssl_header_stops_the_start(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.DEBUG"],
        env=_production_env(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must look like" in done.stderr


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "keyclusters.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr
    assert "WARNINGS" not in done.stdout + done.stderr


PRODUCTION = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "ALLOWED_HOSTS": [HOST],
}


@pytest.fixture
def production(settings):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production):
    response = Client().get("/clusters/?q=a", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/clusters/?q=a"
    # a load balancer's health check is answered over plain HTTP
    assert Client().get("/api/v1/health", HTTP_HOST=HOST).status_code == 200


@pytest.mark.django_db
def test_the_security_headers_over_https(production):
    response = Client().get("/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"


@pytest.mark.django_db
def test_the_session_and_csrf_cookies_are_secure(production, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = Client().get("/accounts/login/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    assert response.cookies["csrftoken"]["secure"] is True


def test_certificate_links_are_https_behind_a_tls_proxy(production):
    certificate = Certificate(code="KC-2026-0001")
    behind_tls = RequestFactory().get("/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    url = verification_url(certificate, behind_tls)
    assert url == f"https://{HOST}/statuses/certificates/KC-2026-0001/"


def test_a_forwarded_https_header_is_ignored_unless_configured(production, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    request = RequestFactory().get("/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    assert not request.is_secure()
