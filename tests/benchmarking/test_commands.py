from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from keyclusters.domain.rulebook import source_sha256

from .conftest import SMALL_FRAMEWORK


@pytest.fixture
def framework_file(tmp_path):
    path = tmp_path / "test-bench.yaml"
    path.write_text(SMALL_FRAMEWORK, encoding="utf-8")
    return path


def _data(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


DATA = (
    "cluster,staff,turnover,rating,budget,export_share,partners\n"
    "Klaster A,10,5,4.5,100,10,2\n"
    "Klaster B,20,10,3,300,20,2\n"
    "Klaster C,30,,3,200,40,2\n"
)


def test_compute_json_shape(tmp_path, framework_file, capsys):
    call_command(
        "benchmark", "compute", "--framework", str(framework_file),
        "--data", str(_data(tmp_path, DATA)), "--json",
    )  # fmt: skip
    out = capsys.readouterr().out
    document = json.loads(out)
    assert document == {
        "framework": {
            "id": "test-bench",
            "version": 1,
            "sha256": source_sha256(SMALL_FRAMEWORK),
        },
        "normalisation": "min-max",
        "aggregation": "arithmetic",
        "areas": {
            "resources": {"median": "0.5000", "benchmark": "0.5833"},
            "impact": {"median": "0.6667", "benchmark": "1.0000"},
        },
        "clusters": [
            {"cluster": "Klaster C", "areas": {"resources": "0.5000", "impact": "1.0000"},
             "overall": "0.7500", "rank": 1, "missing": ["turnover"]},
            {"cluster": "Klaster B", "areas": {"resources": "0.5833", "impact": "0.6667"},
             "overall": "0.6250", "rank": 2, "missing": []},
            {"cluster": "Klaster A", "areas": {"resources": "0.3333", "impact": "0.5000"},
             "overall": "0.4167", "rank": 3, "missing": []},
        ],
    }  # fmt: skip
    assert out.count("\n") <= 1  # exactly one document


def test_compute_xlsx_with_the_shipped_framework_and_rank_normalisation(tmp_path, capsys):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["cluster", "coordinator_staff_fte", "coordinator_budget"])
    sheet.append(["Klaster Ś", 3, 100])
    sheet.append(["Klaster Ł", 5, None])
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    call_command(
        "benchmark", "compute", "--framework", "parp-benchmark-2020", "--data", str(path),
        "--normalisation", "rank", "--json",
    )  # fmt: skip
    document = json.loads(capsys.readouterr().out)
    assert document["normalisation"] == "rank"
    assert [(c["cluster"], c["rank"], c["overall"]) for c in document["clusters"]] == [
        ("Klaster Ł", 1, "1.0000"),
        ("Klaster Ś", 2, "0.5000"),
    ]
    assert len(document["clusters"][1]["missing"]) == 112


def test_compute_prints_a_table_without_json(tmp_path, framework_file, capsys):
    call_command(
        "benchmark", "compute", "--framework", str(framework_file),
        "--data", str(_data(tmp_path, DATA)),
    )  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Rank", "Cluster", "Overall", "resources", "impact", "Missing"]
    assert lines[1].split() == ["1", "Klaster", "C", "0.7500", "0.5000", "1.0000", "1"]


@pytest.mark.parametrize(
    ("framework", "text", "message"),
    [
        (None, "cluster,staff,bogus\nKlaster A,1,2\n",
         "{data}: row 1, column bogus: is not an indicator of the framework"),
        (None, "cluster,staff\nKlaster A,1\nKlaster B,x1\n",
         '{data}: row 3, column staff: "x1" is not a number'),
        (None, "staff\n1\n", "{data}: row 1, column cluster: the required column is missing"),
        ("no-such-framework", DATA,
         "no-such-framework: no such framework file or shipped framework id"),
    ],
)  # fmt: skip
def test_compute_bad_input_exits_2(tmp_path, framework_file, capsys, framework, text, message):
    data = _data(tmp_path, text)
    with pytest.raises(SystemExit) as exited:
        call_command(
            "benchmark", "compute", "--framework", framework or str(framework_file),
            "--data", str(data), "--json",
        )  # fmt: skip
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == message.format(data=data)


def test_compute_domain_error_exits_2(tmp_path, framework_file, capsys):
    data = _data(tmp_path, "cluster,staff\nKlaster A,0\n")
    with pytest.raises(SystemExit) as exited:
        call_command(
            "benchmark", "compute", "--framework", str(framework_file), "--data", str(data),
            "--normalisation", "distance-to-leader",
        )  # fmt: skip
    assert exited.value.code == 2
    assert capsys.readouterr().err.strip() == (
        f'{data}: cluster "Klaster A", indicator staff: '
        "distance-to-leader needs values greater than 0, got 0.0"
    )


def test_output_is_utf8(tmp_path, framework_file):
    out = io.StringIO()
    call_command(
        "benchmark", "compute", "--framework", str(framework_file),
        "--data", str(_data(tmp_path, DATA.replace("Klaster A", "Klaster Żółw"))), "--json",
        stdout=out,
    )  # fmt: skip
    assert "Klaster Żółw" in out.getvalue()
