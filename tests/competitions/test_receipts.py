"""Application numbers, the submission confirmation, the record of document downloads and the
request to complete as the coordinator reads it (issue #13)."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from keyclusters.competitions import receipts, services
from keyclusters.competitions.models import Application, Call, DocumentAccess
from tests.competitions.conftest import PDF, in_call
from tests.concurrency import run_together
from tests.factories import ClusterFactory, MembershipFactory, UserFactory


def _draft(call, cluster, coordinator, *, rd_projects=3):
    application = services.start_application(
        call=call, cluster=cluster, by=coordinator, now=in_call()
    )
    return services.save_application_data(
        application=application,
        values={"rd_projects": rd_projects},
        files={"strategy": ("strategia.pdf", PDF)},
        by=coordinator,
        now=in_call(),
    )


def _second_cluster(name="Klaster Beta"):
    cluster = ClusterFactory(name=name)
    for _ in range(5):
        MembershipFactory(cluster=cluster)
    return cluster, UserFactory(roles=["coordinator"], organisation=cluster.coordinator)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# -- numbers ---------------------------------------------------------------------------------


def test_numbers_are_given_at_submission_in_sequence_and_once(call, cluster, coordinator, operator):
    first = _draft(call, cluster, coordinator)
    assert first.number is None
    services.submit_application(application=first, by=coordinator, now=in_call(10))
    other, other_coordinator = _second_cluster()
    second = _draft(call, other, other_coordinator)
    services.submit_application(application=second, by=other_coordinator, now=in_call(11))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.number == f"KKK/2026/{call.pk}/0001"
    assert second.number == f"KKK/2026/{call.pk}/0002"
    # a request to complete and the resubmission keep the number
    services.request_completion(
        application=first, items=["rd_projects"], note="Podaj projekty.", by=operator
    )
    services.submit_application(application=first, by=coordinator, now=in_call(12))
    first.refresh_from_db()
    assert (first.state, first.number) == ("submitted", f"KKK/2026/{call.pk}/0001")
    assert Call.objects.get(pk=call.pk).numbers_issued == 2


def test_a_refused_submission_takes_no_number(call, cluster, coordinator):
    application = services.start_application(
        call=call, cluster=cluster, by=coordinator, now=in_call()
    )
    with pytest.raises(services.CompetitionError):
        services.submit_application(application=application, by=coordinator, now=in_call())
    application.refresh_from_db()
    assert application.number is None
    assert Call.objects.get(pk=call.pk).numbers_issued == 0


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_when_applications_are_submitted_at_once(call):
    drafts = []
    for i in range(5):
        cluster, coordinator = _second_cluster(f"Klaster {i}")
        drafts.append((_draft(call, cluster, coordinator), coordinator))
    outcomes = run_together(
        *(
            (lambda a=application, c=coordinator: services.submit_application(
                application=a, by=c, now=in_call(15)
            ))
            for application, coordinator in drafts
        )
    )  # fmt: skip
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    numbers = sorted(Application.objects.filter(call=call).values_list("number", flat=True))
    assert numbers == [f"KKK/2026/{call.pk}/{n:04d}" for n in range(1, 6)]
    assert Call.objects.get(pk=call.pk).numbers_issued == 5


# -- the submission confirmation ------------------------------------------------------------


def test_the_coordinator_downloads_the_confirmation_with_the_revision_hash(
    client, call, cluster, coordinator
):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call(10))
    application.refresh_from_db()
    revision = services.latest_revision(application)
    digest = services.revision_sha256(revision)
    assert len(digest) == 64 and digest == services.revision_sha256(revision)
    html = receipts.confirmation_html(application)
    assert f"KKK/2026/{call.pk}/0001" in html
    assert digest in html
    assert "strategia.pdf" in html
    client.force_login(coordinator)
    page = client.get(reverse("competitions:application-detail", args=[application.pk]))
    assert f"KKK/2026/{call.pk}/0001" in page.content.decode()
    response = client.get(reverse("competitions:submission-confirmation", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Confirmation of submission" in text
    assert f"KKK/2026/{call.pk}/0001" in text
    assert "Klaster Alfa" in text
    assert digest[:16] in text.replace("\n", "")


def test_a_draft_has_no_confirmation(client, call, cluster, coordinator):
    application = _draft(call, cluster, coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("competitions:submission-confirmation", args=[application.pk]))
    assert response.status_code == 404


# -- who opened which document ---------------------------------------------------------------


def test_every_download_is_recorded_and_listed_to_operators(
    client, call, cluster, coordinator, operator
):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call(10))
    url = reverse("competitions:application-document", args=[application.pk, "strategy"])
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    client.force_login(operator)
    assert client.get(url).status_code == 200
    assert client.get(url + "?sha256=" + "0" * 64).status_code == 404  # nothing opened
    accesses = list(DocumentAccess.objects.order_by("pk"))
    assert [(a.user, a.field_id, a.original_name) for a in accesses] == [
        (coordinator, "strategy", "strategia.pdf"),
        (operator, "strategy", "strategia.pdf"),
    ]
    assert {a.sha256 for a in accesses} == {application.documents.get().sha256}
    assert all(a.application_id == application.pk for a in accesses)
    detail = reverse("competitions:application-detail", args=[application.pk])
    page = client.get(detail).content.decode()
    assert "Document access" in page
    assert page.count("· strategia.pdf</li>") == 2
    assert "koordynator" in page and "operator" in page
    client.force_login(coordinator)
    assert "Document access" not in client.get(detail).content.decode()


def test_someone_refused_a_document_leaves_no_record(client, call, cluster, coordinator):
    application = _draft(call, cluster, coordinator)
    client.force_login(UserFactory(roles=["analyst"]))
    url = reverse("competitions:application-document", args=[application.pk, "strategy"])
    assert client.get(url).status_code == 404
    assert not DocumentAccess.objects.exists()


# -- the application as people read it, and the request to complete ------------------------


def test_the_operator_reads_the_submitted_application_with_labels_and_links(
    client, call, cluster, coordinator, operator
):
    application = _draft(call, cluster, coordinator, rd_projects=1234)
    services.submit_application(application=application, by=coordinator, now=in_call(10))
    client.force_login(operator)
    page = client.get(reverse("competitions:application-detail", args=[application.pk]))
    html = page.content.decode()
    assert '<th scope="row" class="w-50">R&amp;D projects</th>' in html
    assert "1,234" in html  # the English locale's grouping
    document = reverse("competitions:application-document", args=[application.pk, "strategy"])
    assert f'<a href="{document}">strategia.pdf</a>' in html


def test_the_completion_note_reaches_the_coordinator_and_stays_in_the_history(
    client, call, cluster, coordinator, operator, django_capture_on_commit_callbacks
):
    application = _draft(call, cluster, coordinator)
    services.submit_application(application=application, by=coordinator, now=in_call(10))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_completion(
            application=application,
            items=["strategy"],
            note="Strategia nie ma podpisu na stronie 3.",
            by=operator,
        )
    assert len(mail.outbox) == 1
    assert "Note: Strategia nie ma podpisu na stronie 3." in mail.outbox[0].body
    assert "Items to complete: Strategy" in mail.outbox[0].body
    detail = reverse("competitions:application-detail", args=[application.pk])
    client.force_login(coordinator)
    html = client.get(detail).content.decode()
    assert "What is missing (request to complete)" in html
    assert "Strategia nie ma podpisu na stronie 3." in html
    assert "<strong>Items to complete:</strong> Strategy" in html
    services.save_application_data(
        application=application,
        values={},
        files={"strategy": ("strategia-2.pdf", PDF)},
        by=coordinator,
        now=in_call(11),
    )
    services.submit_application(application=application, by=coordinator, now=in_call(11))
    client.force_login(operator)
    html = client.get(detail).content.decode()
    assert "The request to complete" in html
    assert html.count("Strategia nie ma podpisu na stronie 3.") == 2  # the card and the history
