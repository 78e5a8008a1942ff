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
