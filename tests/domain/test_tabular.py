import datetime as dt
import io

import openpyxl
import pytest

from keyclusters.domain import tabular
from keyclusters.domain.tabular import RowError, Text, parse_members, parse_organisations


def xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_row_error_reads_like_the_contract():
    error = RowError(14, "nip", "123-456-32-19", "is not a valid %(kind)s (%(reason)s)",
                     {"kind": "NIP", "reason": Text("checksum")})  # fmt: skip
    assert str(error) == 'row 14, column nip: "123-456-32-19" is not a valid NIP (checksum)'


def test_row_error_is_translated_piece_by_piece():
    catalogue = {
        'row %(row)s, column %(column)s: "%(value)s" %(message)s':
            'wiersz %(row)s, kolumna %(column)s: „%(value)s” %(message)s',
        "is not a valid %(kind)s (%(reason)s)": "nie jest poprawnym numerem %(kind)s (%(reason)s)",
        "checksum": "suma kontrolna",
    }  # fmt: skip
    error = RowError(3, "nip", "1", "is not a valid %(kind)s (%(reason)s)",
                     {"kind": "NIP", "reason": Text("checksum")})  # fmt: skip
    assert error.format(lambda m: catalogue.get(m, m)) == (
        "wiersz 3, kolumna nip: „1” nie jest poprawnym numerem NIP (suma kontrolna)"
    )


def test_windows_1250_semicolons_and_dotted_dates():
    source = (
        "Name ; NIP;kind;size;City;joined_on;left_on\r\n"
        "Zakład Łódzki Sp. z o.o.;PL 526-104-08-28;enterprise;small;Łódź;01.02.2015;31.12.2020\r\n"
    ).encode("cp1250")
    parsed = parse_members(source, "members.csv")
    assert parsed.errors == []
    assert parsed.columns == ("name", "nip", "kind", "size", "city", "joined_on", "left_on")
    [record] = parsed.records
    assert record.row == 2
    assert record.organisation.name == "Zakład Łódzki Sp. z o.o."
    assert record.organisation.city == "Łódź"
    assert record.organisation.nip == "5261040828"
    assert record.organisation.country == "PL"
    assert (record.joined_on, record.left_on) == (dt.date(2015, 2, 1), dt.date(2020, 12, 31))
    assert record.role == "member"


def test_utf8_with_bom_and_commas():
    source = '\ufeffname,nip,voivodeship\n"Łódź, Spółka",7740001454,Łódzkie\n'.encode()
    [record] = parse_organisations(source).records
    assert (record.name, record.nip, record.voivodeship) == (
        "Łódź, Spółka",
        "7740001454",
        "lodzkie",
    )
    assert record.kind == "other"


def test_xlsx_with_date_cells_and_numeric_nip():
    source = xlsx([
        ["NAME", "nip", "joined_on", "role"],
        ["Alfa", 5260250274, dt.datetime(2016, 5, 4), "Coordinator"],
        [None, None, None, None],
    ])  # fmt: skip
    parsed = parse_members(source, "whatever.bin")
    assert parsed.errors == []
    [record] = parsed.records
    assert (record.organisation.nip, record.joined_on, record.role) == (
        "5260250274", dt.date(2016, 5, 4), "coordinator",
    )  # fmt: skip


def test_every_error_is_collected_with_spreadsheet_row_numbers():
    source = (
        b"name,nip,regon,kind,size,country,joined_on,left_on\n"
        b"Dobra,5261040828,,enterprise,micro,,2015-01-01,\n"
        b"\n"
        b",123-456-32-19,12345,firma,,,2015-13-01,\n"
        b"Uczelnia,7740001454,,university,small,,2016-01-01,2015-01-01\n"
        b"Foreign GmbH,,,other,,DE,2016-01-01,\n"
        b"Bez NIP,,,other,,,2016-01-01,\n"
    )
    parsed = parse_members(source)
    assert [str(e) for e in parsed.errors] == [
        "row 4, column name: a value is required",
        'row 4, column nip: "123-456-32-19" is not a valid NIP (checksum)',
        'row 4, column regon: "12345" is not a valid REGON (length)',
        'row 4, column kind: "firma" is not one of: enterprise, university, research, '
        "business-support, public-administration, other",
        'row 4, column joined_on: "2015-13-01" is not a date (YYYY-MM-DD or DD.MM.YYYY)',
        'row 5, column size: "small" is allowed only for enterprises (kind: Enterprise)',
        "row 7, column nip: a NIP is required for an organisation in Poland (country: PL)",
    ]
    assert [r.row for r in parsed.records] == [2, 6]
    assert parsed.records[1].organisation.key == ("Foreign GmbH", "DE")


def test_left_before_joined_is_an_error():
    source = b"name,nip,joined_on,left_on\nA,5261040828,2016-01-01,2015-12-31\n"
    assert [str(e) for e in parse_members(source).errors] == [
        'row 2, column left_on: "2015-12-31" is before joined_on (2016-01-01)'
    ]


def test_same_nip_with_other_data_names_both_rows():
    source = (
        "name,nip,city\nAlfa,5261040828,Kraków\nBeta,7740001454,Płock\n"
        "Alfa,526-104-08-28,Kraków\nAlfa bis,5261040828,Kraków\n"
    ).encode()
    parsed = parse_organisations(source)
    assert [str(e) for e in parsed.errors] == [
        'row 5, column nip: "5261040828" appears also in row 2 with different data'
    ]


def test_header_problems():
    source = b"Name,nip,colour,nip\nA,5261040828,red,5261040828\n"
    assert [str(e) for e in parse_organisations(source).errors] == [
        "row 1, column colour: is not a known column (the columns are: name, nip, regon, krs, "
        "kind, size, voivodeship, city, country)",
        "row 1, column nip: the column appears twice",
    ]
    assert [str(e) for e in parse_members(b"name;nip\n").errors] == [
        "row 1, column joined_on: the required column is missing"
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"", "the file has no header row"),
        (b"PK\x03\x04broken", "the XLSX workbook cannot be read (File is not a zip file)"),
    ],
)
def test_unreadable_files(source, message):
    assert [str(e) for e in parse_organisations(source).errors] == [message]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2021-03-04", dt.date(2021, 3, 4)), ("4.3.2021", dt.date(2021, 3, 4)),
     ("04.03.2021", dt.date(2021, 3, 4))],
)  # fmt: skip
def test_dates(text, expected):
    assert tabular.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2021-02-30", "31.04.2021", "2021/03/04", "March"])
def test_bad_dates(text):
    with pytest.raises(tabular.CellError):
        tabular.parse_date(text)


def test_clusters_website_and_conflicts():
    source = (
        "name,coordinator_nip,founded_on,website,voivodeship\n"
        "Klaster A,5261040828,2012-03-01,klaster-a.pl,Śląskie\n"
        "Klaster A,5261040828,2012-03-02,klaster-a.pl,Śląskie\n"
        "Klaster B,5261040828,2012-03-01,not a site,Bawaria\n"
    ).encode()
    parsed = tabular.parse_clusters(source)
    assert parsed.records[0].website == "https://klaster-a.pl"
    assert parsed.records[0].voivodeship == "slaskie"
    assert [str(e) for e in parsed.errors] == [
        'row 3, column name: "Klaster A" appears also in row 2 with different data',
        'row 4, column voivodeship: "Bawaria" is not a Polish voivodeship',
        'row 4, column website: "not a site" is not a web address',
    ]


def test_identifier_shortcuts_agree_with_the_identifiers_module():
    import random

    from keyclusters.domain.identifiers import IdentifierError, normalise_nip, normalise_regon

    rng = random.Random(7)
    values = [f"{rng.randrange(10**10):010d}" for _ in range(3000)]
    values += [f"{rng.randrange(10**9):09d}" for _ in range(3000)]
    for shortcut, reference in ((tabular._nip, normalise_nip), (tabular._regon, normalise_regon)):
        for value in values:
            try:
                expected = reference(value)
            except IdentifierError as exc:
                with pytest.raises(IdentifierError) as info:
                    shortcut(value)
                assert info.value.reason == exc.reason
            else:
                assert shortcut(value) == expected


def test_stream_validates_rows_as_records_are_taken():
    source = (
        b"name,nip,joined_on,kind\n"
        b"Alfa,5261040828,2015-01-01,enterprise\n"
        b"Beta,7740001454,2016-02-03,research\n"
        b"Gamma,123-456-32-19,2016-02-03,research\n"
    )
    stream = tabular.stream_members(source, "m.csv")
    assert (stream.columns, stream.rows, stream.errors) == (("name", "nip", "kind", "joined_on"),
                                                            0, [])  # fmt: skip
    first = next(stream.records)
    assert (first.row, first.organisation.nip, first.joined_on) == (
        2, "5261040828", dt.date(2015, 1, 1),
    )  # fmt: skip
    assert stream.errors == []  # row 4 is not validated yet
    rest = list(stream.records)
    assert [r.row for r in rest] == [3]
    assert stream.rows == 3  # the rows are counted as they are read
    assert [str(e) for e in stream.errors] == [
        'row 4, column nip: "123-456-32-19" is not a valid NIP (checksum)'
    ]
    whole = parse_members(source)
    assert [r.row for r in whole.records] == [2, 3]
    assert [str(e) for e in whole.errors] == [str(e) for e in stream.errors]


def test_stream_of_a_file_with_a_bad_header_has_no_records():
    stream = tabular.stream_members(b"name,nip,colour\nA,5261040828,red\n")
    assert list(stream.records) == []
    assert [str(e) for e in stream.errors][
        -1
    ] == "row 1, column joined_on: the required column is missing"


def test_a_repeated_value_is_parsed_once_and_reported_on_every_row():
    source = (
        b"name,nip,kind,voivodeship,joined_on,left_on\n"
        b"A,5261040828,university,Mazowieckie,01.02.2015,\n"
        b"B,7740001454,zoo,Bawaria,01.02.2015,2014-01-01\n"
        b"C,5260250274,zoo,mazowieckie,2015-02-01,\n"
        b"D,1132853869,university,Bawaria,31.02.2015,\n"
    )
    parsed = parse_members(source)
    records = [(r.row, r.organisation.kind, r.organisation.voivodeship, r.joined_on)
               for r in parsed.records]  # fmt: skip
    assert records == [(2, "university", "mazowieckie", dt.date(2015, 2, 1))]
    assert [str(e) for e in parsed.errors] == [
        'row 3, column kind: "zoo" is not one of: enterprise, university, research, '
        "business-support, public-administration, other",
        'row 3, column voivodeship: "Bawaria" is not a Polish voivodeship',
        'row 4, column kind: "zoo" is not one of: enterprise, university, research, '
        "business-support, public-administration, other",
        'row 5, column voivodeship: "Bawaria" is not a Polish voivodeship',
        'row 5, column joined_on: "31.02.2015" is not a date (YYYY-MM-DD or DD.MM.YYYY)',
    ]


def test_xlsx_dates_and_the_same_dates_as_text_give_equal_records():
    rows = [["name", "nip", "joined_on", "left_on"],
            ["A", "5261040828", dt.date(2015, 2, 1), "2016-03-04"],
            ["B", "7740001454", "2015-02-01", dt.datetime(2016, 3, 4, 0, 0)]]  # fmt: skip
    parsed = parse_members(xlsx(rows), "m.xlsx")
    assert parsed.errors == []
    assert [(r.joined_on, r.left_on) for r in parsed.records] == [
        (dt.date(2015, 2, 1), dt.date(2016, 3, 4)), (dt.date(2015, 2, 1), dt.date(2016, 3, 4)),
    ]  # fmt: skip
