"""schemathesis against /api/v1/openapi.json, in process through Django's WSGI application.

Bounded: a fixed number of examples per operation of the statuses router. Every response must
be no server error and must match the documented status codes, content types and schemas.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from keyclusters.statuses import services

MAX_EXAMPLES = 30
OPERATIONS = r"^/api/v1/(verification|certificates|health|clusters|feed\.json)"


def _schema():
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return schema.include(path_regex=OPERATIONS)


schema = _schema()


@pytest.fixture(autouse=True)
def _generous_rate(settings):
    settings.VERIFICATION_API_RATE = "100000/m"


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI requests must not close the test's database connection (Django's test client
    does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_statuses_api_matches_its_schema(case, world):
    key = services.issue_api_key(name="fuzz", organisation="PARP", by=None).key
    case.call_and_validate(
        headers={"X-API-Key": key},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def test_the_fuzzed_operations():
    operations = sorted(
        f"{result.ok().method.upper()} {result.ok().path}" for result in schema.get_all_operations()
    )
    assert operations == [
        "GET /api/v1/certificates/{code}",
        "GET /api/v1/clusters",
        "GET /api/v1/clusters/{cluster_id}",
        "GET /api/v1/feed.json",
        "GET /api/v1/health",
        "GET /api/v1/verification",
        "POST /api/v1/verification/bulk",
    ]
