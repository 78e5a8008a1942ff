"""The administrator's section of the dashboard: a superuser (without a role) sees users and
their roles, the API keys, the rulebooks, the background worker and the data's version; nobody
else sees it."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket

import pytest
import time_machine
from django.utils import timezone

from keyclusters.accounts.models import ApiKey
from keyclusters.competitions import services as competitions
from keyclusters.worker import heartbeat
from tests.evaluation.conftest import RULEBOOK
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
NOW = dt.datetime(2026, 6, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def people(db):
    UserFactory(username="op1", roles=["operator"], is_staff=True)
    UserFactory(username="op2", roles=["operator"], is_staff=True)
    UserFactory(username="ekspert", roles=["expert"])
    UserFactory(username="analityk", roles=["analyst"], is_active=False)
    UserFactory(username="nikt")


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(client, user) -> str:
    client.force_login(user)
    response = client.get(DASHBOARD, headers={"accept-language": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('<section class="mb-5" id="dashboard-administrator"')
    if start < 0:
        return ""
    return html[start : html.index("</section>", start)]


def rows(html: str, table: str) -> list[str]:
    start = html.index(f'data-table="{table}"')
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    return [text(row) for row in body.split("</tr>") if text(row)]


def test_users_and_their_roles(client, admin, people):
    html = section(client, admin)
    assert rows(html, "roles") == [
        "Operator 2",
        "Expert 1",
        "Panel member 0",
        "Decision maker 0",
        "Cluster coordinator 0",
        "Funding agency 0",
        "Benchmarking analyst 0",  # the analyst's account is not active
        "Member organisation 0",
        "No role 1",
    ]
    assert "<caption>5 active users</caption>" in html
    assert "Administrators: admin" in text(html)
    assert 'href="/admin/accounts/user/?groups__id__exact=' in html


def test_api_keys_and_rulebooks(client, admin):
    ApiKey.objects.create(name="A", organisation="PARP", prefix="aaa", hashed_secret="x")
    ApiKey.objects.create(
        name="B",
        organisation="NCBR",
        prefix="bbb",
        hashed_secret="y",
        revoked_at=timezone.now(),
        last_used_at=NOW - dt.timedelta(days=1),
    )
    stored = competitions.store_rulebook(source=RULEBOOK)
    html = section(client, admin)
    assert text(html[html.index('id="api-keys-summary"') - 3 :]).startswith(
        "Active keys: 1; revoked: 1. Last used on 19 Jun 2026, 12:00."
    )
    # the title (here, with none in the file, the id and version) and the version
    assert rows(html, "rulebooks") == [f"{stored.localized_title} v{stored.version} –"]
    assert rows(html, "rulebooks") == ["test-full v1 v1 –"]
    assert "<caption>1 stored rulebook</caption>" in html


def test_tasks_that_run_at_once_need_no_worker(client, admin):
    html = section(client, admin)
    assert (
        '<p id="worker-state" data-state="immediate">Background tasks run at once where they are '
        "started; no worker is needed.</p>"
    ) in html


def test_a_worker_that_does_not_run(client, admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    html = section(client, admin)
    state = html[html.index('id="worker-state"') :]
    assert text(state[: state.index("</div>")]).endswith(
        "The background worker is not running. No worker has run yet. Queued work (report "
        "batches) waits until one runs. Start it on the server with the command keyclusters "
        "worker ; make run starts one beside the demo."
    )
    assert "Tasks waiting: 0; running: 0; failed in the last 24 hours: 0." in text(html)


def test_a_running_worker(client, admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    heartbeat.beat("w-1", started_at=NOW - dt.timedelta(hours=2))
    html = section(client, admin)
    assert 'data-state="running"' in html
    assert "1 worker runs the queued tasks." in text(html)
    worker = text(html[html.index('<ul class="small">') :])
    assert worker.startswith(
        f"{socket.gethostname()} (process {os.getpid()}): started 20 Jun 2026, 10:00, last seen "
        "at 12:00:00 Tasks waiting: 0; running: 0; failed in the last 24 hours: 0."
    )


def test_the_data_version(client, admin):
    html = section(client, admin)
    start = html.index('<ul class="small" id="data-version">')
    assert text(html[start : html.index("</ul>", start)]) == (
        "Verification data version: 0 Every database migration is applied."
    )


def test_no_role_message_is_not_shown_to_the_administrator(client, admin):
    client.force_login(admin)
    html = client.get(DASHBOARD, headers={"accept-language": "en"}).content.decode()
    assert 'id="dashboard-no-role"' not in html
    assert 'id="dashboard-administrator"' in html


@pytest.mark.parametrize(
    "username,roles,staff", [("operator", ["operator"], True), ("nobody", [], False)]
)
def test_nobody_else_sees_it(client, username, roles, staff):
    user = UserFactory(username=username, roles=roles, is_staff=staff)
    assert section(client, user) == ""


def test_anonymous_visitors_log_in_first(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
