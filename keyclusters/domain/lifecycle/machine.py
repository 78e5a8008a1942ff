"""A lifecycle: the states of one kind of object and the actions that move it, as a table.

Services look up ``(state, action)`` and refuse what the table does not list, so a lifecycle can
be read (and changed) in one place. Labels are English and marked for translation; the
application layer translates them when it shows a refusal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from ..i18n import N_

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


@dataclass(frozen=True)
class TransitionRefused(Exception):
    """``action`` is not allowed on ``subject`` in ``state`` (or another object's state)."""

    subject: str  # the lifecycle's name, e.g. "application"
    state: str
    action: str
    # Words for people (English, marked for translation): what, in which state, doing what.
    subject_label: str = ""
    state_label: str = ""
    action_label: str = ""

    MESSAGE = N_("Not possible now: %(action)s (the %(subject)s is %(state)s).")

    def params(self) -> dict[str, str]:
        return {
            "action": self.action_label or self.action,
            "subject": self.subject_label or self.subject,
            "state": self.state_label or self.state,
        }

    def __str__(self) -> str:
        return self.MESSAGE % self.params()


@dataclass(frozen=True)
class Lifecycle(Generic[S, A]):
    """The allowed transitions of one aggregate: ``(state, action) -> next state``."""

    name: str
    label: str
    initial: S
    transitions: Mapping[tuple[S, A], S]
    state_labels: Mapping[S, str]
    action_labels: Mapping[A, str]

    def __post_init__(self) -> None:
        states = {state for state, _action in self.transitions} | set(self.transitions.values())
        missing: list[str] = [s for s in states if s not in self.state_labels]
        missing += [a for _s, a in self.transitions if a not in self.action_labels]
        if missing:
            raise ValueError(f"{self.name}: no label for {sorted(set(missing))}")

    def refusal(self, state: str, action: str) -> TransitionRefused:
        return TransitionRefused(
            subject=self.name,
            state=str(state),
            action=str(action),
            subject_label=self.label,
            state_label=_label(self.state_labels, state),
            action_label=_label(self.action_labels, action),
        )

    def next(self, state: str, action: str) -> S:
        """The state after ``action``; raises TransitionRefused when the table has no entry."""
        for (from_state, by), to_state in self.transitions.items():
            if from_state == state and by == action:
                return to_state
        raise self.refusal(state, action)

    def allows(self, state: str, action: str) -> bool:
        return any(s == state and a == action for s, a in self.transitions)

    def actions_from(self, state: str) -> list[A]:
        return [a for (s, a) in self.transitions if s == state]

    def states(self) -> set[S]:
        return {s for s, _a in self.transitions} | set(self.transitions.values()) | {self.initial}

    def final_states(self) -> set[S]:
        """States no action leaves."""
        return {s for s in self.states() if not self.actions_from(s)}

    def reachable(self, start: S | None = None) -> set[S]:
        seen = {start or self.initial}
        frontier = list(seen)
        while frontier:
            state = frontier.pop()
            for (s, _a), t in self.transitions.items():
                if s == state and t not in seen:
                    seen.add(t)
                    frontier.append(t)
        return seen

    def __iter__(self) -> Iterator[tuple[S, A, S]]:
        for (s, a), t in self.transitions.items():
            yield s, a, t


def _label(labels: Mapping[Any, str], key: str) -> str:
    for known, label in labels.items():
        if known == key:
            return str(label)
    return str(key)
