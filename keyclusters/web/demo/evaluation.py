"""Demo experts and the Expert Panel: the demo expert and panel member and their colleagues."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group

from keyclusters.accounts.models import User
from keyclusters.competitions.models import Call
from keyclusters.evaluation import decisions
from keyclusters.evaluation.models import Expert, PanelSession

# (username, first name, last name, role, specialisations); the demo logins come first.
EXPERTS = [
    ("expert", "", "", "expert", ["ICT", "Energetyka", "Lotnictwo", "Medycyna"]),
    ("ekspert-nowak", "Anna", "Nowak", "expert", ["ICT", "Elektronika"]),
    ("ekspert-wisniewski", "Piotr", "Wiśniewski", "expert", ["Energetyka", "Chemia"]),
    ("ekspert-kowalczyk", "Maria", "Kowalczyk", "expert", ["Lotnictwo", "Motoryzacja"]),
    ("ekspert-wojcik", "Tomasz", "Wójcik", "expert", ["Żywność", "Opakowania"]),
    ("ekspert-kaminska", "Katarzyna", "Kamińska", "expert", ["Medycyna", "Chemia"]),
    ("ekspert-dabrowski", "Marek", "Dąbrowski", "expert", ["Metalurgia", "Budownictwo"]),
    ("ekspert-szymanska", "Agnieszka", "Szymańska", "expert", ["Logistyka", "Przemysł morski"]),
    ("ekspert-wozniak", "Paweł", "Woźniak", "expert", ["Gry wideo", "Meblarstwo"]),
    ("ekspert-kozlowski", "Krzysztof", "Kozłowski", "expert", ["Motoryzacja", "Metalurgia"]),
    ("panel", "", "", "panel-member", []),
    ("panel-zielinska", "Ewa", "Zielińska", "panel-member", []),
    ("panel-lewandowski", "Jan", "Lewandowski", "panel-member", []),
    ("panel-mazur", "Andrzej", "Mazur", "panel-member", []),
    ("panel-jankowska", "Magdalena", "Jankowska", "panel-member", []),
]


def create_experts() -> dict[str, Expert]:
    """The pool of experts (the demo logins ``expert`` and ``panel`` must exist), by username."""
    experts = {}
    for username, first, last, role, specialisations in EXPERTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:  # a colleague: no login of their own in the demo
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=role))
        # an account that existed before keeps its roles (the demo logins have theirs already)
        experts[username], _created = Expert.objects.get_or_create(
            user=user, defaults={"specialisations": specialisations}
        )
    return experts


def panel_members(experts: dict[str, Expert]) -> list[Expert]:
    return [experts[spec[0]] for spec in EXPERTS if spec[3] == "panel-member"]


def schedule_panel(
    *, call: Call, held_on: dt.date, experts: dict[str, Expert], operator: User
) -> PanelSession:
    """The panel sitting of ``call``: every member on every application at the panel stage."""
    session, refused = decisions.schedule_panel(
        call=call,
        held_on=held_on,
        place="Ministerstwo Rozwoju i Technologii, Warszawa, sala 212",
        members=panel_members(experts),
        by=operator,
    )
    if refused:
        raise ValueError(f"the demo panel has conflicts: {refused}")
    return session
