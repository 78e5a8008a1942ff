"""The Council's world: a key cluster holding the status with its coordinator's account, an
operator, a ministry's representative."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

from keyclusters.statuses import services as statuses
from tests.factories import ClusterFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = dt.date(2026, 3, 12)


class FakeUpload:
    """An upload whose size is given; reading it fails the test when ``readable`` is False
    (the size must be checked before)."""

    def __init__(self, name: str, content: bytes, *, size: int | None = None, readable=True):
        self.name = name
        self.content = content
        self.size = len(content) if size is None else size
        self.readable = readable

    def read(self) -> bytes:
        assert self.readable, "the file was read before its size was checked"
        return self.content


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def holder(name: str, *, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2027, 12, 31)):
    cluster = ClusterFactory(name=name)
    statuses.grant_status(
        cluster=cluster,
        round_label="VII",
        decision_on=valid_from,
        valid_from=valid_from,
        valid_to=valid_to,
        by=None,
    )
    return cluster


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.operator = UserFactory(username="operator", roles=["operator"], is_staff=True)
    w.alfa = holder("Klaster Alfa")
    w.coordinator = UserFactory(
        username="anna",
        first_name="Anna",
        last_name="Nowak",
        roles=["coordinator"],
        organisation=w.alfa.coordinator,
    )
    w.official = UserFactory(username="jan", first_name="Jan", last_name="Kowalski")
    w.outsider = UserFactory(
        username="ewa", first_name="Ewa", last_name="Lis", roles=["coordinator"]
    )
    return w
