"""The background worker's heartbeat: ``keyclusters worker`` writes it, the report generation's
page reads it and warns when queued reports would wait for a worker that does not run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keyclusters.benchmarking import services
from keyclusters.benchmarking.models import Edition
from keyclusters.benchmarking.tasks import generate_edition_reports
from keyclusters.worker import heartbeat
from keyclusters.worker.models import Heartbeat
from tests.benchmarking.conftest import SMALL_FRAMEWORK, make_edition
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db

WARNING = (
    "The background worker is not running: reports generated here wait in the queue until it "
    "starts. Ask the administrator to start it."
)


@pytest.fixture
def database_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def edition(db):
    for name in "ABC":
        ClusterFactory(name=f"Klaster {name}")
    return make_edition(services.store_framework(source=SMALL_FRAMEWORK), 2020)


@pytest.fixture
def analyst(client):
    user = UserFactory(username="analityk", roles=["analyst"])
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return user


def beat_ago(seconds: float, worker_id: str = "host-1-ab") -> None:
    now = timezone.now()
    heartbeat.beat(worker_id, started_at=now - dt.timedelta(hours=1))
    Heartbeat.objects.filter(worker_id=worker_id).update(
        seen_at=now - dt.timedelta(seconds=seconds)
    )


def test_a_worker_seen_lately_runs_and_one_silent_too_long_does_not(database_tasks):
    assert heartbeat.worker_missing()
    beat_ago(heartbeat.ALIVE_WITHIN + 5)
    assert heartbeat.running() == []
    assert heartbeat.worker_missing()
    beat_ago(3)
    assert [w.worker_id for w in heartbeat.running()] == ["host-1-ab"]
    assert not heartbeat.worker_missing()


def test_tasks_that_run_at_once_need_no_worker():
    # the tests' backend (ImmediateBackend) runs a task where it is queued
    assert not heartbeat.needs_worker()
    assert not heartbeat.worker_missing()
    assert heartbeat.queue() is None


def test_old_rows_of_dead_workers_are_removed_by_a_beat(database_tasks):
    beat_ago(8 * 24 * 3600, worker_id="dead")
    heartbeat.beat("alive", started_at=timezone.now())
    assert list(Heartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


def test_the_edition_page_warns_that_no_worker_runs(client, analyst, edition, database_tasks):
    page = client.get(reverse("benchmarking:edition-detail", args=[edition.pk]))
    assert page.status_code == 200
    assert f'<div class="alert alert-warning small py-2" id="worker-missing">{WARNING}</div>' in (
        page.content.decode()
    )


def test_no_warning_while_a_worker_runs(client, analyst, edition, database_tasks):
    beat_ago(2)
    page = client.get(reverse("benchmarking:edition-detail", args=[edition.pk]))
    assert 'id="worker-missing"' not in page.content.decode()


def test_starting_the_reports_without_a_worker_says_they_wait(
    client, analyst, edition, database_tasks
):
    url = reverse("benchmarking:edition-action", args=[edition.pk, "generate-reports"])
    response = client.post(url, follow=True)
    html = response.content.decode()
    assert (
        "The reports are queued, but the background worker is not running: they will be "
        "generated when it starts."
    ) in html
    assert DBTaskResult.objects.ready().count() == 1
    progress = client.get(reverse("benchmarking:report-progress", args=[edition.pk]))
    fragment = progress.content.decode()
    assert WARNING in fragment
    assert (
        '<p class="small mb-0" id="report-progress-text">Reports generated: 0/3 · waiting for '
        "the worker</p>"
    ) in fragment
    assert 'hx-trigger="every 2s"' in fragment  # it keeps asking until the worker has run


@pytest.mark.django_db(transaction=True)  # the worker closes old connections, as it does live
def test_the_worker_runs_the_queued_reports_and_removes_its_heartbeat(
    client, analyst, edition, database_tasks
):
    url = reverse("benchmarking:edition-action", args=[edition.pk, "generate-reports"])
    response = client.post(url, follow=True)
    assert "The reports are being generated." not in response.content.decode()
    call_command("worker", "--batch", "--interval", "0", verbosity=0)
    edition = Edition.objects.get(pk=edition.pk)
    assert (edition.reports_generated, edition.reports_total) == (3, 3)
    assert edition.reports_finished_at is not None
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"]
    assert not Heartbeat.objects.exists()  # a worker that stops deletes its heartbeat
    progress = client.get(reverse("benchmarking:report-progress", args=[edition.pk]))
    fragment = progress.content.decode()
    assert "Reports generated: 3/3 · finished" in fragment
    assert 'hx-trigger="every 2s"' not in fragment


def test_with_a_worker_running_the_start_is_announced(client, analyst, edition, database_tasks):
    beat_ago(1)
    url = reverse("benchmarking:edition-action", args=[edition.pk, "generate-reports"])
    response = client.post(url, follow=True)
    assert "The reports are being generated." in response.content.decode()


def test_a_generation_cut_off_says_so_and_stops_asking(client, analyst, edition, database_tasks):
    url = reverse("benchmarking:edition-action", args=[edition.pk, "generate-reports"])
    client.post(url)
    assert heartbeat.pending(generate_edition_reports, edition.pk) is True
    # the worker took the task and was stopped in the middle of it
    DBTaskResult.objects.update(status="FAILED", finished_at=timezone.now())
    Edition.objects.filter(pk=edition.pk).update(reports_generated=2)
    assert heartbeat.pending(generate_edition_reports, edition.pk) is False
    fragment = client.get(reverse("benchmarking:report-progress", args=[edition.pk]))
    html = fragment.content.decode()
    assert (
        '<p class="small mb-0" id="report-progress-text">Reports generated: 2/3 · stopped before '
        "the end (the worker was stopped or the task failed): generate the reports again</p>"
    ) in html
    assert 'hx-trigger="every 2s"' not in html


def test_another_editions_task_is_not_this_ones(client, analyst, edition, database_tasks):
    client.post(reverse("benchmarking:edition-action", args=[edition.pk, "generate-reports"]))
    assert heartbeat.pending(generate_edition_reports, edition.pk + 1) is False
