"""Shared fixtures. The database is the one DATABASE_URL names (SQLite in memory by default)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

# No per-example deadline (a busy two-core machine is not a bug); in CI the examples are
# derandomised so that a run is repeatable.
hypothesis_settings.register_profile("default", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _defaults(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "pl"
    settings.AXES_ENABLED = True


def pytest_configure(config):
    """The test client, the live server and the WSGI applications that tests build (also while
    collecting) speak plain HTTP: the production redirect to HTTPS is off for the whole run.
    tests/accounts/test_security_settings.py turns it on where it is tested."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False


def pytest_collection_modifyitems(config, items):
    """Tests marked ``concurrency`` need connections that wait for each other's locks: on a
    shared in-memory SQLite database threads fail at once, so there they are skipped (``make
    test`` runs them again against a SQLite file and on PostgreSQL)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    in_memory = (
        database["ENGINE"].endswith("sqlite3") and database["TEST"].get("NAME") == ":memory:"
    )
    if not in_memory:
        return
    skip = pytest.mark.skip(
        reason="needs a shared database: run with SQLITE_TEST_DATABASE=<file> or on PostgreSQL"
    )
    for item in items:
        if "concurrency" in item.keywords:
            item.add_marker(skip)
