"""Two people recording the minister's document of one call at the same moment, in real
threads on one database (PostgreSQL, or a SQLite file: see tests/concurrency.py): one document
is recorded, the other attempt is refused in words, the statuses are granted once."""

import datetime as dt

import pytest

from keyclusters.evaluation.base import EvaluationError
from keyclusters.evaluation.models import MinisterDocument
from keyclusters.statuses.models import StatusGrant
from tests.concurrency import run_together
from tests.evaluation.test_minister_document import decided_call, issue
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("from_document", [True, False])
def test_two_recordings_at_once_record_one_document_and_grant_once(operator, from_document):
    minister = UserFactory(username="minister", roles=["decision-maker"])
    call = decided_call(operator, minister, from_document=from_document)
    grants_before = StatusGrant.objects.count()
    outcomes = run_together(
        lambda: issue(call, operator, number="DI-1/2026"),
        lambda: issue(call, minister, number="DI-2/2026", issued_on=dt.date(2026, 11, 10)),
    )
    assert sorted(o.ok for o in outcomes) == [False, True]
    (refused,) = [o.error for o in outcomes if not o.ok]
    assert isinstance(refused, EvaluationError)
    document = MinisterDocument.objects.get(call=call)
    issued = "9 November 2026" if document.number == "DI-1/2026" else "10 November 2026"
    assert refused.messages == [  # a thread outside a request speaks the settings' language
        f"The document No. {document.number} of {issued} has already been recorded for this call."
    ]
    grants = StatusGrant.objects.filter(call=call)
    if from_document:
        assert grants_before == 0
        assert [(g.cluster.name, g.valid_from) for g in grants] == [
            ("Klaster Alfa", document.issued_on)
        ]
    else:
        assert grants.count() == grants_before == 1
    assert {g.document_number for g in grants} == {document.number}
