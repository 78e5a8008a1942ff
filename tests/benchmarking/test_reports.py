from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation
from pypdf import PdfReader

from keyclusters.benchmarking import reports, services, tasks
from keyclusters.benchmarking.models import ClusterReport, Edition, EditionResult
from tests.factories import ClusterFactory

pytestmark = pytest.mark.django_db

NAME = "Łódzki Klaster Świętokrzyski"
DATA = (
    "cluster,coordinator_staff_fte,coordinator_budget,member_meetings,new_members,"
    "foreign_members,patent_applications,green_projects\n"
    f"{NAME},3,100,4,2,1,0,1\n"
    "Klaster B,5,300,8,5,0,2,0\n"
    "Klaster C,2,50,12,1,3,1,2\n"
    "Klaster D,8,500,2,0,2,4,0\n"
)
CLUSTER_STROKE = "0.760784 0.254902 0.047059 RG"  # charts.CLUSTER_COLOUR #c2410c


@pytest.fixture
def shipped_edition(db):
    stored = services.store_shipped_frameworks()
    framework = next(f for f in stored if f.rulebook_id == "parp-benchmark-2020")
    for name in (NAME, "Klaster B", "Klaster C", "Klaster D"):
        ClusterFactory(name=name)
    edition = services.create_edition(framework=framework, year=2020, name="Benchmarking 2020")
    services.import_cluster_data(edition=edition, source=DATA.encode())
    services.compute_edition(edition=edition)
    return edition


def _result(name: str) -> EditionResult:
    return EditionResult.objects.select_related("edition__framework", "cluster").get(
        cluster__name=name
    )


def test_pdf_has_polish_text_and_the_radar_chart(shipped_edition):
    result = _result(NAME)
    assert result.areas["resources"] == "0.1389"
    services.update_report_texts(
        edition=shipped_edition,
        cluster=result.cluster,
        good_practices="Wspólne stoisko targowe członków.",
        recommendations="Należy rozwijać współpracę z uczelniami.",
    )
    report = ClusterReport.objects.get(cluster=result.cluster)
    with translation.override("pl"):
        pdf = reports.cluster_pdf(result, report)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Zasoby klastra" in text
    assert NAME in text
    assert "Należy rozwijać współpracę z uczelniami." in text
    assert "Wspólne stoisko targowe członków." in text
    assert "ł" in text and "ś" in text
    # The radar is drawn as vector paths: the cluster's polygon has one vertex per area (5),
    # the first (the top one, "resources") at y = 230 - 180 * score in the chart's own units.
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    polygon = re.search(
        re.escape(CLUSTER_STROKE) + r"\n(?:.*\n){0,6}?([\d.]+) ([\d.]+) m\n"
        r"((?:[\d.]+ [\d.]+ l\n){4})h\n",
        content,
    )
    assert polygon is not None
    assert float(polygon.group(1)) == 400.0  # the centre: (420 + 2 * 190) / 2
    assert float(polygon.group(2)) == pytest.approx(230 - 180 * 0.1389, abs=0.06)


def test_generate_all_reports_in_the_background_counts_progress(shipped_edition):
    tasks.start_report_generation(shipped_edition)  # the tests' backend runs it at once
    edition = Edition.objects.get(pk=shipped_edition.pk)
    assert (edition.reports_generated, edition.reports_total) == (4, 4)
    assert edition.reports_finished_at is not None
    stored = ClusterReport.objects.filter(edition=edition).order_by("cluster__name")
    assert [r.cluster.name for r in stored] == ["Klaster B", "Klaster C", "Klaster D", NAME]
    for report in stored:
        assert report.pdf_is_current()
        with report.pdf.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
    out = io.StringIO()
    call_command("report", "progress", str(edition.pk), stdout=out)
    assert out.getvalue().strip() == "4/4 finished"


def test_report_cluster_command_writes_the_pdf(shipped_edition, tmp_path):
    out = tmp_path / "raport.pdf"
    call_command("report", "cluster", NAME, "--edition", "2020", "--out", str(out))
    reader = PdfReader(out)
    assert NAME in reader.pages[0].extract_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Klaster X", "--edition", "2020"], "No cluster has the id or the name Klaster X."),
        ([NAME, "--edition", "2019"], "No edition has the id or the year 2019."),
    ],
)
def test_report_cluster_command_bad_input_exits_2(shipped_edition, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exited:
        call_command("report", "cluster", *args, "--out", str(tmp_path / "r.pdf"))
    assert exited.value.code == 2
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "r.pdf").exists()
