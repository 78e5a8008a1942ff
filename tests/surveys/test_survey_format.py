"""The ``survey:`` section of a monitoring framework: the shipped questions, every error with its
path, and the check of one submission's answers."""

from __future__ import annotations

import copy

import pytest

from keyclusters.domain.monitoring import (
    AnswersInvalid,
    check_answers,
    parse_monitoring_framework,
)
from tests.monitoring.test_framework import SHIPPED, errors


def test_the_shipped_survey():
    survey = parse_monitoring_framework(SHIPPED).survey
    assert survey.minimum_answers == 5
    assert [(q.id, q.type, q.required) for q in survey.questions] == [
        ("coordinator_services", "scale", True),
        ("joint_projects_useful", "choice", True),
        ("would_recommend", "scale", True),
        ("suggestions", "text", False),
    ]
    assert survey.question("would_recommend").scale.values == list(range(0, 11))
    assert survey.question("coordinator_services").scale.labels[5]["en"] == "very satisfied"
    assert [c.id for c in survey.question("joint_projects_useful").choices] == [
        "very", "somewhat", "not", "none",
    ]  # fmt: skip
    assert "survey" in parse_monitoring_framework(SHIPPED).illustrative


def test_the_survey_is_optional_and_minimum_answers_defaults_to_five():
    data = copy.deepcopy(SHIPPED)
    del data["survey"]
    assert parse_monitoring_framework(data).survey is None
    data["survey"] = {"questions": [{"id": "q", "title": {"pl": "P", "en": "Q"}, "type": "text"}]}
    assert parse_monitoring_framework(data).survey.minimum_answers == 5


def test_every_error_of_the_survey_is_named_with_its_path():
    data = copy.deepcopy(SHIPPED)
    questions = data["survey"]["questions"]
    data["survey"]["minimum_answers"] = 0
    questions[0]["scale"] = {"min": 5, "max": 5}
    questions[1]["choices"] = []
    questions[2]["id"] = "coordinator_services"
    questions[2]["scale"]["labels"][11] = {"en": "beyond"}
    questions[3]["type"] = "essay"
    questions.append({"id": "pick", "title": {"en": "Pick"}, "type": "choice"})
    questions.append(
        {"id": "two", "title": {"en": "Two"}, "type": "choice", "scale": {"min": 1, "max": 3},
         "choices": [{"id": "a", "title": {"en": "A"}}, {"id": "a", "title": {"en": "B"}}]}
    )  # fmt: skip
    assert errors(data) == [
        "survey.minimum_answers: must be at least 1",
        "survey.questions[1].choices: must not be empty",
        "survey.questions[3].type: must be one of: scale, choice, text",
        "survey.questions[0].scale.max: must be greater than the minimum (5)",
        'survey.questions[2].id: duplicate question id "coordinator_services" '
        "(first at survey.questions[0].id)",
        "survey.questions[2].scale.labels.11: labels a value outside the scale (0 to 10)",
        "survey.questions[4].choices: is required for a choice question",
        "survey.questions[5].scale: is allowed only for a scale question",
        'survey.questions[5].choices[1].id: duplicate choice id "a" '
        "(first at survey.questions[5].choices[0].id)",
    ]


def test_no_questions_is_an_error():
    data = copy.deepcopy(SHIPPED)
    data["survey"] = {"minimum_answers": 3, "questions": []}
    assert errors(data) == ["survey.questions: must not be empty"]


SURVEY = parse_monitoring_framework(SHIPPED).survey


def test_answers_are_checked_and_typed():
    raw = {
        "coordinator_services": " 4 ",
        "joint_projects_useful": "somewhat",
        "would_recommend": "0",
        "suggestions": "",
        "csrfmiddlewaretoken": "ignored",
    }
    assert check_answers(SURVEY, raw) == {
        "coordinator_services": 4,
        "joint_projects_useful": "somewhat",
        "would_recommend": 0,
    }


def test_every_bad_answer_names_its_question():
    raw = {
        "coordinator_services": "6",
        "joint_projects_useful": "maybe",
        "would_recommend": "",
        "suggestions": "x" * 2001,
    }
    with pytest.raises(AnswersInvalid) as caught:
        check_answers(SURVEY, raw)
    assert [(p.question_id, p.message) for p in caught.value.problems] == [
        ("coordinator_services", "must be a whole number from 1 to 5"),
        ("joint_projects_useful", "is not one of the choices"),
        ("would_recommend", "needs an answer"),
        ("suggestions", "is too long (at most 2000 characters)"),
    ]


@pytest.mark.parametrize("value", ["4.5", "²", "1e1", "٣", "--1", "99999999999999"])
def test_a_scale_answer_is_a_plain_whole_number(value):
    with pytest.raises(AnswersInvalid):
        check_answers(SURVEY, {**{"joint_projects_useful": "very", "would_recommend": "5"},
                               "coordinator_services": value})  # fmt: skip
