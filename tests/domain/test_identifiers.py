import pytest

from keyclusters.domain.identifiers import (
    IdentifierError,
    normalise_krs,
    normalise_nip,
    normalise_regon,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5261040828", "5261040828"),
        ("526-104-08-28", "5261040828"),
        ("526 104 08 28", "5261040828"),
        ("PL5261040828", "5261040828"),
        ("pl 526-10-40-828", "5261040828"),
        (" 526-104-08-28 ", "5261040828"),
    ],
)
def test_nip_is_normalised_to_ten_digits(raw, expected):
    assert normalise_nip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("5261040827", "checksum"),
        ("123-456-32-19", "checksum"),
        ("526104082", "length"),
        ("52610408281", "length"),
        ("52610408A8", "format"),
        ("", "length"),
    ],
)
def test_invalid_nip_names_the_reason(raw, reason):
    with pytest.raises(IdentifierError) as info:
        normalise_nip(raw)
    assert info.value.reason == reason
    assert info.value.kind == "NIP"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("192598184", "192598184"),
        ("19-25-98-184", "192598184"),
        ("12345678512347", "12345678512347"),
    ],
)
def test_regon_nine_or_fourteen_digits(raw, expected):
    assert normalise_regon(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("192598185", "checksum"), ("1925981", "length"), ("19259818X", "format")],
)
def test_invalid_regon(raw, reason):
    with pytest.raises(IdentifierError) as info:
        normalise_regon(raw)
    assert info.value.reason == reason


def test_krs_keeps_leading_zeros():
    assert normalise_krs("123456") == "0000123456"
    assert normalise_krs("0000123456") == "0000123456"
    with pytest.raises(IdentifierError):
        normalise_krs("12345678901")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5261040828", "5261040828"),  # plain digits: checked directly
        ("0121007840", "0121007840"),  # leading zero kept
    ],
)
def test_nip_plain_digits_and_other_digits_agree(raw, expected):
    assert normalise_nip(raw) == expected


@pytest.mark.parametrize(
    ("normalise", "raw", "reason"),
    [
        (normalise_nip, "５２６１０４０８２８", "format"),  # full-width digits
        (normalise_nip, "٥٢٦١٠٤٠٨٢٨", "format"),  # Arabic-Indic digits
        (normalise_regon, "１９２５９８１８４", "format"),
        (normalise_krs, "００００１２３４５６", "format"),
        (normalise_krs, "१२३४५६", "format"),  # Devanagari digits
        (normalise_nip, "0000000000", "only zeros"),  # passes the checksum, never issued
        (normalise_nip, "PL 000-000-00-00", "only zeros"),
        (normalise_regon, "000000000", "only zeros"),
        (normalise_regon, "00000000000000", "only zeros"),
        (normalise_krs, "0", "only zeros"),
    ],
)
def test_implausible_identifiers_are_refused(normalise, raw, reason):
    with pytest.raises(IdentifierError) as info:
        normalise(raw)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("normalise", "raw", "reason"),
    [
        (normalise_nip, "5261040827", "checksum"),  # ten plain digits, wrong check digit
        (normalise_nip, "5261040820", "checksum"),
        (normalise_regon, "192598180", "checksum"),  # nine plain digits, wrong check digit
        (normalise_regon, "12345678512340", "checksum"),  # fourteen digits take the full check
    ],
)
def test_plain_digits_with_a_wrong_check_digit_are_rejected(normalise, raw, reason):
    with pytest.raises(IdentifierError) as info:
        normalise(raw)
    assert info.value.reason == reason


def test_plain_digit_regon_is_returned_as_is():
    assert normalise_regon("012100784") == "012100784"
    assert normalise_regon(" 012100784") == "012100784"  # the cleaning path gives the same
