"""The registry-sourced counts follow the rulebook's `counting` (default: the coordinator counts,
strategic partners do not)."""

import datetime as dt

import pytest

from keyclusters.competitions.registry_values import registry_values
from keyclusters.domain.rulebook.model import Counting

ON = dt.date(2026, 6, 10)
FIELDS = ["members_total", "enterprises_total", "enterprises_share", "strategic_partners"]


def _member(role: str, kind: str = "enterprise") -> dict[str, object]:
    return {"role": role, "kind": kind, "size": "small", "country": "PL",
            "advanced_cooperation_group": False}  # fmt: skip


MEMBERS = [
    _member("coordinator", "business-support"),
    _member("member"),
    _member("member"),
    _member("member", "university"),
    _member("strategic-partner", "public-administration"),
]


class _Cluster:
    founded_on = dt.date(2015, 1, 1)


@pytest.mark.parametrize(
    ("counting", "expected"),
    [
        (None, {"members_total": 4, "enterprises_total": 2, "enterprises_share": "50.00"}),
        (
            Counting.model_validate(
                {"members_total": {"coordinator": False, "strategic_partners": False}}
            ),
            {"members_total": 3, "enterprises_total": 2, "enterprises_share": "66.67"},
        ),
        (
            Counting.model_validate(
                {"members_total": {"coordinator": True, "strategic_partners": True}}
            ),
            {"members_total": 5, "enterprises_total": 2, "enterprises_share": "40.00"},
        ),
    ],
)
def test_counts_and_shares_follow_the_rulebook(counting, expected):
    values = registry_values(_Cluster(), ON, FIELDS, MEMBERS, counting=counting)
    assert values == {**expected, "strategic_partners": 1}
