import pytest
from django.core.exceptions import ValidationError

from keyclusters.registry.models import Organisation

pytestmark = pytest.mark.django_db


def test_clean_normalises_identifiers():
    org = Organisation(
        name="A",
        nip="PL 526-104-08-28",
        regon="19-25-98-184",
        krs="123456",
        kind="university",
        size="large",
    )
    org.clean()  # forms and importers normalise before the length checks of the fields
    assert (org.nip, org.regon, org.krs, org.size) == ("5261040828", "192598184", "0000123456", "")


def test_invalid_identifiers_are_field_errors_not_crashes():
    org = Organisation(name="A", nip="5261040827", regon="192598185", krs="12345678901")
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    errors = info.value.message_dict
    assert set(errors) >= {"nip", "regon", "krs"}


def test_a_polish_organisation_needs_a_nip_and_a_foreign_one_does_not():
    with pytest.raises(ValidationError) as info:
        Organisation(name="A", country="PL").full_clean()
    assert "nip" in info.value.message_dict
    foreign = Organisation(name="Fraunhofer", country="de")
    foreign.full_clean()
    assert (foreign.country, foreign.nip) == ("DE", None)
