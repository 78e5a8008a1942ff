"""Documents are recognised by their content: PDF by its signature, DOCX and XLSX as Office
containers with their main part, ODT and ODS (where a caller accepts them) as OpenDocument
containers; anything else is refused whatever its name."""

import io
import zipfile

import openpyxl
import pytest

from keyclusters.domain.documents import CONTENT_TYPES, DocumentRefused, check_document

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_WORD_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"


def office(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def content_types(main_type: str, part: str = "/word/document.xml") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/content-types"><Override PartName="{part}" ContentType="{main_type}"/>'
        "</Types>"
    ).encode()


def docx(main_type: str = WORD_TYPE, **extra: bytes) -> bytes:
    return office(
        {
            "[Content_Types].xml": content_types(main_type),
            "word/document.xml": b"<w:document/>",
            **extra,
        }
    )


def xlsx() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


def test_accepted_kinds():
    assert check_document(PDF) == "pdf"
    assert check_document(docx()) == "docx"
    assert check_document(xlsx()) == "xlsx"
    assert set(CONTENT_TYPES) == {"pdf", "docx", "xlsx", "odt", "ods"}


def odf(mimetype: str, **extra: bytes) -> bytes:
    return office({"mimetype": mimetype.encode(), "content.xml": b"<office:document/>", **extra})


REPORT_KINDS = ("pdf", "docx", "xlsx", "odt", "ods")


def test_odt_and_ods_only_where_asked_for():
    text = odf("application/vnd.oasis.opendocument.text")
    sheet = odf("application/vnd.oasis.opendocument.spreadsheet")
    assert check_document(text, accepted=REPORT_KINDS) == "odt"
    assert check_document(sheet, accepted=REPORT_KINDS) == "ods"
    with pytest.raises(DocumentRefused) as refused:
        check_document(text)
    assert str(refused.value) == "Only PDF, DOCX and XLSX documents are accepted."
    for bad in (
        odf("application/vnd.oasis.opendocument.text", **{"Basic/Standard/Module1.xml": b"x"}),
        odf("application/vnd.oasis.opendocument.graphics"),
        office({"mimetype": b"application/vnd.oasis.opendocument.text"}),  # no content.xml
    ):
        with pytest.raises(DocumentRefused) as refused:
            check_document(bad, accepted=REPORT_KINDS)
        assert str(refused.value) == "Only PDF, DOCX, XLSX, ODT and ODS documents are accepted."


ONLY_DOCUMENTS = "Only PDF, DOCX and XLSX documents are accepted."


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', id="svg"),
        pytest.param(b" %PDF-1.4 <html>", id="pdf-signature-not-at-the-start"),
        pytest.param(b"\x89PNG\r\n\x1a\n", id="png"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", id="old-office"),
        pytest.param(office({"word/document.xml": b"<w/>"}), id="zip-without-content-types"),
        pytest.param(office({"a.txt": b"x"}), id="plain-zip"),
        pytest.param(b"PK\x03\x04 broken", id="broken-zip"),
        pytest.param(docx(MACRO_WORD_TYPE), id="docm"),
        pytest.param(docx(**{"word/vbaProject.bin": b"\0"}), id="docx-with-macros"),
        pytest.param(
            office({"[Content_Types].xml": content_types(WORD_TYPE)}), id="docx-without-document"
        ),
        pytest.param(
            office({"[Content_Types].xml": b" " * 300_000, "word/document.xml": b"<w/>"}),
            id="oversized-content-types",
        ),
    ],
)
def test_anything_else_is_refused(content):
    with pytest.raises(DocumentRefused) as refused:
        check_document(content)
    assert refused.value.message_id == ONLY_DOCUMENTS


def test_a_kind_not_accepted_here_is_refused():
    assert check_document(PDF, accepted=("pdf",)) == "pdf"
    with pytest.raises(DocumentRefused) as refused:
        check_document(docx(), accepted=("pdf",))
    assert refused.value.message_id == "Only PDF documents are accepted."


def test_empty_and_too_large():
    with pytest.raises(DocumentRefused, match="The file is empty."):
        check_document(b"")
    with pytest.raises(DocumentRefused) as refused:
        check_document(PDF + b"0" * 2**20, max_bytes=2**20)
    assert str(refused.value) == "The file has 1.0 MB; at most 1 MB is accepted."
