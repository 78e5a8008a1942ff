"""The lifecycle tables and the guards between them, checked as data and over random paths."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyclusters.domain.lifecycle import (
    APPLICATION,
    CALL,
    GUARDS,
    LIFECYCLES,
    PREPARE,
    RECOMMENDATION,
    SCORE_SHEET,
    SCORED_STAGE,
    ApplicationAction,
    ApplicationState,
    CallState,
    RecommendationAction,
    RecommendationState,
    SheetAction,
    SheetState,
    StageAction,
    StageState,
    TransitionRefused,
    check,
)


@pytest.mark.parametrize("lifecycle", list(LIFECYCLES.values()), ids=lambda lc: lc.name)
def test_every_state_is_reachable_and_labelled(lifecycle):
    assert lifecycle.reachable() == lifecycle.states()
    for state in lifecycle.states():
        assert lifecycle.state_labels[state]
    for _s, action, _t in lifecycle:
        assert lifecycle.action_labels[action]


def test_final_states():
    assert APPLICATION.final_states() == {
        ApplicationState.REJECTED,
        ApplicationState.GRANTED,
        ApplicationState.NOT_GRANTED,
        ApplicationState.WITHDRAWN,
    }
    assert CALL.final_states() == {CallState.DECIDED}
    assert SCORED_STAGE.final_states() == {StageState.COMPLETE}
    assert RECOMMENDATION.final_states() == {
        RecommendationState.APPROVED,
        RecommendationState.SUPERSEDED,
    }


def test_every_guard_names_known_lifecycles_actions_and_states():
    for guard in GUARDS:
        own, other = LIFECYCLES[guard.lifecycle], LIFECYCLES[guard.requires]
        assert guard.action == PREPARE or any(a == guard.action for _s, a, _t in own)
        assert guard.states <= other.states()


def test_a_refusal_says_what_in_which_state():
    with pytest.raises(TransitionRefused) as info:
        APPLICATION.next("granted", "submit")
    assert str(info.value) == (
        "Not possible now: submit the application (the application is granted the status)."
    )
    with pytest.raises(TransitionRefused) as info:
        check("application", ApplicationAction.GRANT, call="open")
    assert str(info.value) == "Not possible now: grant the status (the call is open)."
    with pytest.raises(TransitionRefused) as info:
        check("call", "decide", recommendation=None)
    assert info.value.state_label == "not there yet"
    check("application", ApplicationAction.GRANT, call="evaluating")  # holds: no exception


def test_a_submitted_sheet_is_reopened_only_while_its_stage_is_open():
    assert SCORE_SHEET.next(SheetState.SUBMITTED, SheetAction.REOPEN) == SheetState.DRAFT
    for state in (StageState.COLLECTING, StageState.AWAITING_CONSENSUS):
        check("sheet", SheetAction.REOPEN, stage=state)
    with pytest.raises(TransitionRefused):
        check("sheet", SheetAction.REOPEN, stage=StageState.COMPLETE)


def test_a_consensus_only_where_it_is_awaited():
    for state in SCORED_STAGE.states() - {StageState.AWAITING_CONSENSUS}:
        assert not SCORED_STAGE.allows(state, StageAction.RECORD_CONSENSUS)


# -- random paths through the whole competition ------------------------------------------------


@dataclass
class World:
    """One call, two applications, their scored stage and sheet, and the recommendation."""

    call: str = CallState.DRAFT
    applications: list[str] = field(default_factory=lambda: [ApplicationState.DRAFT] * 2)
    stage: str = StageState.COLLECTING
    sheet: str = SheetState.DRAFT
    recommendation: str | None = None
    log: list[tuple] = field(default_factory=list)

    def others(self) -> dict[str, str | None]:
        return {
            "call": self.call,
            "stage": self.stage,
            "sheet": self.sheet,
            "recommendation": self.recommendation,
        }

    def step(self, event: tuple) -> None:
        """Apply an event if the tables allow it (as the services do); ignore it otherwise."""
        kind, action, index = event
        try:
            if kind == "call":
                new = CALL.next(self.call, action)
                check("call", action, **self.others())
                self.call = new
            elif kind == "application":
                new = APPLICATION.next(self.applications[index], action)
                check("application", action, **self.others())
                self.applications[index] = new
            elif kind == "stage":
                self.stage = SCORED_STAGE.next(self.stage, action)
            elif kind == "sheet":
                new = SCORE_SHEET.next(self.sheet, action)
                check("sheet", action, **self.others())
                self.sheet = new
            elif action == PREPARE:
                check("recommendation", PREPARE, **self.others())
                if self.recommendation is not None:
                    RECOMMENDATION.next(self.recommendation, RecommendationAction.SUPERSEDE)
                if any(
                    a in ("submitted", "in-evaluation") for a in self.applications
                ) or self.call not in ("closed", "evaluating"):
                    return
                if self.call == CallState.CLOSED:
                    self.call = CALL.next(self.call, "start-evaluation")
                self.recommendation = RecommendationState.PREPARED
            else:
                if self.recommendation is None:
                    return
                new = RECOMMENDATION.next(self.recommendation, action)
                check("recommendation", action, **self.others())
                self.recommendation = new
        except TransitionRefused:
            return
        self.log.append(event)


EVENTS = st.one_of(
    st.tuples(
        st.just("call"),
        st.sampled_from(["open", "close", "start-evaluation", "decide"]),
        st.just(0),
    ),  # fmt: skip
    st.tuples(st.just("application"), st.sampled_from(list(ApplicationAction)), st.integers(0, 1)),
    st.tuples(st.just("stage"), st.sampled_from(list(StageAction)), st.just(0)),
    st.tuples(st.just("sheet"), st.sampled_from(list(SheetAction)), st.just(0)),
    st.tuples(
        st.just("recommendation"),
        st.sampled_from([PREPARE, RecommendationAction.APPROVE, RecommendationAction.SUPERSEDE]),
        st.just(0),
    ),
)


@given(st.lists(EVENTS, max_size=60))
def test_no_path_grants_outside_the_decision_and_nothing_undoes_a_decided_call(events):
    world = World()
    decided_seen = False
    for event in events:
        world.step(event)
        for state in world.applications:
            if state in (ApplicationState.GRANTED, ApplicationState.NOT_GRANTED):
                # a status is granted or refused only while the call awaits the decision,
                # and it stays so
                assert world.call in (CallState.EVALUATING, CallState.DECIDED)
        if world.call == CallState.DECIDED:
            decided_seen = True
            assert world.recommendation == RecommendationState.APPROVED
        if decided_seen:
            assert world.call == CallState.DECIDED
        if world.stage == StageState.COMPLETE and world.log[-1][0] == "sheet":
            # once the stage is complete no sheet changes
            assert world.log[-1][1] not in (SheetAction.REOPEN, SheetAction.SAVE)


def test_the_world_of_the_property_test_reaches_a_decided_call():
    world = World()
    path = [
        ("call", "open", 0),
        ("application", "submit", 0),
        ("application", "grant", 0),  # refused: not evaluated, and the call is open
        ("application", "pass-formal", 0),
        ("application", "complete", 0),
        ("application", "submit", 1),
        ("recommendation", PREPARE, 0),  # refused: the call is open
        ("call", "close", 0),
        ("recommendation", PREPARE, 0),  # refused: an application is still submitted
        ("application", "fail-formal", 1),
        ("recommendation", PREPARE, 0),
        ("call", "decide", 0),  # refused: the list is not approved
        ("recommendation", RecommendationAction.APPROVE, 0),
        ("application", "grant", 0),
        ("call", "decide", 0),
        ("recommendation", PREPARE, 0),  # refused: the call is decided
    ]
    for event in path:
        world.step(event)
    assert world.call == CallState.DECIDED
    assert world.applications == [ApplicationState.GRANTED, ApplicationState.REJECTED]
    assert world.recommendation == RecommendationState.APPROVED
    assert len(world.log) == len(path) - 5
