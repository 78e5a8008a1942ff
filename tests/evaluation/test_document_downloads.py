"""Who may download an application's documents, and how they go out: every role against the
view; nothing under MEDIA_ROOT by URL."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from keyclusters.competitions import services
from keyclusters.competitions.models import Application, ApplicationDocument
from keyclusters.evaluation.models import Assignment
from tests.competitions.conftest import PDF, WARSAW
from tests.factories import ClusterFactory, MembershipFactory, UserFactory

from .conftest import make_expert, submitted_application

NAME = "Strategia źródłowa.pdf"
DISPOSITION = (
    "attachment; filename=\"Strategia zrodlowa.pdf\"; filename*=UTF-8''"
    "Strategia%20%C5%BAr%C3%B3d%C5%82owa.pdf"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_FILES_SERVER = "django"


@pytest.fixture
def application(call):
    cluster = ClusterFactory(name="Klaster Alfa", founded_on=dt.date(2015, 1, 1))
    for _ in range(5):
        MembershipFactory(cluster=cluster, joined_on=dt.date(2019, 1, 1))
    coordinator = UserFactory(
        username="alfa", roles=["coordinator"], organisation=cluster.coordinator
    )
    now = dt.datetime(2026, 6, 10, 12, 0, tzinfo=WARSAW)
    application = services.start_application(call=call, cluster=cluster, by=coordinator, now=now)
    services.save_application_data(
        application=application, values={}, files={"strategy": (NAME, PDF)}, by=coordinator, now=now
    )
    services.submit_application(application=application, by=coordinator, now=now)
    return Application.objects.get(pk=application.pk)


def _assigned(application, name, *, stage="merit", declared=True, withdrawn=False, role="expert"):
    expert = make_expert(name, role=role)
    Assignment.objects.create(
        expert=expert,
        application=application,
        stage=stage,
        state=Assignment.State.WITHDRAWN if withdrawn else Assignment.State.ACTIVE,
        no_conflict_declared_at=timezone.now() if declared else None,
    )
    return expert.user


def _user(application, who):
    if who == "public user":
        return UserFactory(roles=[])
    if who == "coordinator":
        return UserFactory(roles=["coordinator"], organisation=application.cluster.coordinator)
    if who == "other coordinator":
        return UserFactory(roles=["coordinator"], organisation=ClusterFactory().coordinator)
    if who == "expert assigned":
        return _assigned(application, "ekspert")
    if who == "expert assigned, no declaration":
        return _assigned(application, "ekspert", declared=False)
    if who == "expert assigned, withdrawn":
        return _assigned(application, "ekspert", withdrawn=True)
    if who == "expert of another application":
        return _assigned(submitted_application(application.call, name="Klaster Beta"), "ekspert")
    if who == "expert not assigned":
        return make_expert("ekspert").user
    if who == "panel member assigned":
        return _assigned(application, "panel", stage="panel", role="panel-member")
    return UserFactory(roles=[who])


EXPECTED = {
    "public user": 404,
    "coordinator": 200,
    "other coordinator": 404,
    "expert assigned": 200,
    "expert assigned, no declaration": 404,
    "expert assigned, withdrawn": 404,
    "expert not assigned": 404,
    "expert of another application": 404,
    "panel member assigned": 200,
    "operator": 200,
    "decision-maker": 200,
    "analyst": 404,
    "funding-agency": 404,
}


def _url(application, field="strategy"):
    return reverse("competitions:application-document", args=[application.pk, field])


def test_anonymous_is_sent_to_log_in(client, application):
    response = client.get(_url(application))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("who", "status"), EXPECTED.items())
def test_who_may_download(client, application, who, status):
    client.force_login(_user(application, who))
    response = client.get(_url(application))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF


OWN_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Disposition",
    "X-Content-Type-Options",
    "Content-Security-Policy",
    "Cache-Control",
)


def test_headers(client, application):
    client.force_login(_user(application, "operator"))
    response = client.get(_url(application))
    assert {key: response.get(key) for key in OWN_HEADERS} == {
        "Content-Type": "application/pdf",
        "Content-Length": str(len(PDF)),
        "Content-Disposition": DISPOSITION,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }


def test_the_type_comes_from_the_content_not_the_name(client, application):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    document = ApplicationDocument.objects.get(application=application)
    document.file.save("plan.html", io.BytesIO(out.getvalue()), save=False)
    document.original_name, document.content_kind = "plan.html", "docx"
    document.save()
    client.force_login(_user(application, "coordinator"))
    response = client.get(_url(application))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == 'attachment; filename="plan.docx"'


def test_an_unknown_field_or_a_missing_file_is_a_404(client, application):
    client.force_login(_user(application, "operator"))
    assert client.get(_url(application, "action_plan")).status_code == 404
    document = ApplicationDocument.objects.get(application=application)
    document.file.storage.delete(document.file.name)
    assert client.get(_url(application)).status_code == 404


@pytest.mark.parametrize(
    ("server", "header", "value"),
    [
        ("x-accel-redirect", "X-Accel-Redirect", "/private-media/{quoted}"),
        ("x-sendfile", "X-Sendfile", "{root}/{quoted}"),
    ],
)
def test_the_web_server_sends_the_bytes(client, application, settings, server, header, value):
    settings.PRIVATE_FILES_SERVER = server
    client.force_login(_user(application, "operator"))
    response = client.get(_url(application))
    document = ApplicationDocument.objects.get(application=application)
    quoted = document.file.name.replace("ź", "%C5%BA").replace("ó", "%C3%B3").replace("ł", "%C5%82")
    assert response[header] == value.format(quoted=quoted, root=settings.MEDIA_ROOT)
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == DISPOSITION
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("debug", [False, True])
def test_media_urls_answer_404(client, application, settings, debug):
    settings.DEBUG = debug
    document = ApplicationDocument.objects.get(application=application)
    client.force_login(_user(application, "operator"))
    assert client.get(f"/{settings.MEDIA_URL}{document.file.name}").status_code == 404
    assert client.get(document.file.url).status_code == 404


@pytest.mark.parametrize("declared", [False, True])
def test_the_score_sheet_links_the_documents_after_the_declaration(client, application, declared):
    user = _assigned(application, "ekspert", declared=declared)
    assignment = Assignment.objects.get(expert__user=user)
    client.force_login(user)
    html = client.get(reverse("evaluation:sheet", args=[assignment.pk])).content.decode()
    # before the declaration the expert sees the cluster, not the application: not even the
    # documents' names
    assert (NAME in html) is declared
    assert (f'href="{_url(application)}?sha256=' in html) is declared


@pytest.mark.parametrize("who", ["decision-maker", "operator", "coordinator"])
def test_the_why_page_links_the_documents(client, application, who):
    client.force_login(_user(application, who))
    html = client.get(reverse("evaluation:why", args=[application.pk])).content.decode()
    assert f'href="{_url(application)}"' in html


def test_the_sheet_links_the_document_as_the_revision_names_it(client, application):
    user = _assigned(application, "ekspert")
    assignment = Assignment.objects.get(expert__user=user)
    sha256 = application.revisions.order_by("-number").first().documents[0]["sha256"]
    client.force_login(user)
    page = client.get(reverse("evaluation:sheet", args=[assignment.pk])).content.decode()
    assert f'href="{_url(application)}?sha256={sha256}"' in page
