import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyclusters.domain.spreadsheet_safety import (
    FORMULA_TRIGGERS,
    neutralise,
    restore,
    safe_row,
    xlsx_row,
)

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["Klaster Śląski", "", "-2", "-12.50", "-3,5", "5260250274", "a=b", " =1", "'x"]
)
def test_other_text_is_unchanged(text):
    assert neutralise(text) == text


def test_a_quote_before_a_formula_gets_one_more():
    assert neutralise("'=1+1") == "''=1+1"
    assert restore("''=1+1") == "'=1+1"


def test_numbers_and_dates_are_not_text():
    row = safe_row([-2, Decimal("-2.50"), -0.5, dt.date(2020, 1, 2), None, True, "=1"])
    assert row == [-2, Decimal("-2.50"), -0.5, dt.date(2020, 1, 2), "", True, "'=1"]


@given(st.text())
def test_restore_undoes_neutralise(text):
    assert restore(neutralise(text)) == text


@given(st.text())
def test_nothing_comes_out_formula_like(text):
    out = neutralise(text)
    assert (
        not out.startswith(FORMULA_TRIGGERS)
        or out.lstrip("-").replace(",", ".").replace(".", "", 1).isdigit()
    )


def test_xlsx_cells_are_text_or_numbers():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    values = [*HOSTILE, "-2", -2, Decimal("-2.5"), dt.date(2020, 1, 2), None, "end"]
    sheet.append(xlsx_row(sheet, values))
    sheet.append(xlsx_row(sheet, ["bell\x07", "=A1"]))
    out = io.BytesIO()
    workbook.save(out)
    first, second = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active.iter_rows()
    assert [(c.value, c.data_type) for c in first] == [
        *[("'" + text.replace("\r", "\n"), "s") for text in HOSTILE],  # XML reads CR as LF
        ("-2", "s"),
        (-2, "n"),
        (-2.5, "n"),
        (dt.datetime(2020, 1, 2), "d"),
        (None, "n"),
        ("end", "s"),
    ]
    assert [(c.value, c.data_type) for c in second[:2]] == [("bell\ufffd", "s"), ("'=A1", "s")]
