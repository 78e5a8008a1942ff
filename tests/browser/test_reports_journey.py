"""The analyst generates every participant's report of a benchmarking edition (issue #13): without
a background worker the page says that none runs and the reports wait; once a worker runs (the
``keyclusters worker`` that ``make run`` starts beside the server) the progress goes from
0/12 to 12/12 on the page, which asks for it every two seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from keyclusters.benchmarking import services
from keyclusters.benchmarking.models import ClusterReport, Edition
from keyclusters.worker.models import Heartbeat
from tests.benchmarking.conftest import SMALL_FRAMEWORK, make_edition
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import axe  # noqa: F401  (axe-core on every page)
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLUSTERS = [f"Klaster {number:02d}" for number in range(1, 13)]
NO_WORKER = (
    "Proces w tle nie działa: generowane tutaj raporty czekają w kolejce do czasu jego "
    "uruchomienia. Poproś administratora o uruchomienie procesu."
)
QUEUED = (
    "Raporty zostały dodane do kolejki, ale proces w tle nie działa: zostaną wygenerowane po "
    "jego uruchomieniu."
)


@pytest.fixture
def queued_tasks(settings, tmp_path):
    """Tasks go through the database queue, as in production and in ``make run``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def edition(db):
    for name in CLUSTERS:
        ClusterFactory(name=name)
    rows = "".join(
        f"{name},{10 + i},{5 + i % 3},{100 + 10 * i},{i % 4}\n" for i, name in enumerate(CLUSTERS)
    )
    survey = "".join(f"{name};{1 + i % 5};{5 * i}\n" for i, name in enumerate(CLUSTERS))
    edition = make_edition(
        services.store_framework(source=SMALL_FRAMEWORK),
        2024,
        coordinator="cluster,staff,turnover,budget,partners\n" + rows,
        survey="cluster;rating;export_share\n" + survey,
    )
    assert edition.results_set.count() == len(CLUSTERS)
    UserFactory(username="analityk", roles=["analyst"])
    return edition


def progress_text(page) -> str:
    return page.locator("#report-progress-text").inner_text()


def open_edition_and_queue_the_reports(page, base: str, edition: Edition, axe) -> None:  # noqa: F811
    """The analyst goes to the edition from the navigation, is told that no worker runs and
    queues the reports: they wait at 0 of 12."""
    log_in(page, base, "analityk")
    page.locator("nav a[href='/benchmarking/']").first.click()
    page.wait_for_url(f"{base}/benchmarking/")
    row = page.locator("main tr", has_text="Edycja 2024")
    assert row.locator("td").nth(2).inner_text() == "Benchmarking testowy"  # not its id
    axe()
    row.locator(f"a[href='/benchmarking/{edition.pk}/']").click()
    page.wait_for_url(f"{base}/benchmarking/{edition.pk}/")
    assert page.locator("main p.text-body-secondary").first.inner_text() == (
        "Ramy benchmarkingu: Benchmarking testowy, rok 2024, liczba uczestniczących klastrów: 12."
    )
    assert page.locator("#worker-missing").inner_text() == NO_WORKER
    axe()
    page.get_by_role("button", name="Wygeneruj wszystkie raporty").click()
    page.wait_for_url(f"{base}/benchmarking/{edition.pk}/")
    assert page.locator("main .alert-warning[role=alert]").inner_text() == QUEUED
    assert page.locator("#worker-missing").inner_text() == NO_WORKER
    assert progress_text(page) == "Wygenerowane raporty: 0/12 · oczekuje na proces w tle"
    assert page.locator("progress.report-progress").get_attribute("value") == "0"
    assert page.locator("progress.report-progress").get_attribute("max") == "12"
    axe()


def test_without_a_worker_the_reports_wait_and_the_page_says_so(
    page,
    live_server,
    axe,  # noqa: F811
    queued_tasks,
    edition,
):
    open_edition_and_queue_the_reports(page, live_server.url, edition, axe)
    # the page keeps asking; nothing runs the queue, so it still waits after a few questions
    for _ in range(2):
        with page.expect_response(f"**/benchmarking/{edition.pk}/progress/") as asked:
            pass
        assert asked.value.status == 200
    assert progress_text(page) == "Wygenerowane raporty: 0/12 · oczekuje na proces w tle"
    assert not ClusterReport.objects.filter(edition=edition).exists()


def _database_url() -> str:
    """The test database, as ``DATABASE_URL`` for another process."""
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host = database["HOST"] or "127.0.0.1"
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(database['NAME'], safe='')}"


@pytest.fixture
def start_worker(tmp_path):
    """``start_worker()`` runs ``keyclusters worker`` as ``keyclusters serve --dev`` does (a
    process of its own, on the test database); it is stopped at the end as Ctrl+C stops it."""
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        environment = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "KEYCLUSTERS_DEV": "1",
            "KEYCLUSTERS_VAR_DIR": str(tmp_path),
        }
        environment.pop("SQLITE_TEST_DATABASE", None)
        command = [sys.executable, "-m", "keyclusters.cli", "worker", "--verbosity", "0"]
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            command,
            cwd=django_settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(worker)
        deadline = time.monotonic() + 60
        while not Heartbeat.objects.filter(pid=worker.pid).exists():
            assert worker.poll() is None, Path(tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker wrote no heartbeat within 60 s"
            time.sleep(0.2)
        return worker

    yield start
    for worker in processes:
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    assert not Heartbeat.objects.exists()  # a worker that stops removes its heartbeat


def wait_for_progress(page, expected_end: str, timeout: float = 120) -> list[str]:
    """The texts of the progress, as the page shows them, until one starts with
    ``expected_end``."""
    seen = [progress_text(page)]
    deadline = time.monotonic() + timeout
    while not seen[-1].startswith(expected_end):
        assert time.monotonic() < deadline, f"the progress stopped at {seen}"
        page.wait_for_timeout(200)
        text = progress_text(page)
        if text != seen[-1]:
            seen.append(text)
    return seen


def done_of(text: str) -> int:
    return int(text.removeprefix("Wygenerowane raporty: ").split("/")[0])


@pytest.mark.concurrency  # a worker process on the same database: PostgreSQL or a SQLite file
def test_the_worker_generates_every_report_and_the_page_follows_it(
    page,
    live_server,
    axe,  # noqa: F811
    queued_tasks,
    edition,
    start_worker,
):
    base = live_server.url
    open_edition_and_queue_the_reports(page, base, edition, axe)

    # the administrator starts the worker: the page, asking every two seconds, follows it
    assert progress_text(page) == "Wygenerowane raporty: 0/12 · oczekuje na proces w tle"
    start_worker()
    # (the page may already have asked again once the worker's heartbeat was written)
    seen = wait_for_progress(page, "Wygenerowane raporty: 12/12 · zakończono")
    counts = [done_of(text) for text in seen]
    assert counts == sorted(counts) and counts[-1] == 12
    assert page.locator("#worker-missing").count() == 0
    assert page.locator("progress.report-progress").get_attribute("value") == "12"
    assert page.locator("#report-progress").get_attribute("hx-trigger") is None  # no more asking
    assert ClusterReport.objects.filter(edition=edition).count() == 12
    axe()

    # with the worker running, generating again is announced and runs at once
    page.get_by_role("button", name="Wygeneruj wszystkie raporty").click()
    page.wait_for_url(f"{base}/benchmarking/{edition.pk}/")
    assert page.locator("main .alert-success[role=alert]").inner_text() == (
        "Trwa generowanie raportów."
    )
    assert page.locator("#worker-missing").count() == 0
    seen = wait_for_progress(page, "Wygenerowane raporty: 12/12 · zakończono")
    assert [done_of(text) for text in seen] == sorted(done_of(text) for text in seen)
    axe()
    screenshot(page, "analyst-generates-all-reports")
    edition.refresh_from_db()
    assert (edition.reports_generated, edition.reports_total) == (12, 12)
