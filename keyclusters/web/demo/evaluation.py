"""Demo experts and the Expert Panel: the demo expert and panel member and their colleagues."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group

from keyclusters.accounts.models import User
from keyclusters.competitions.models import Call
from keyclusters.evaluation import decisions
from keyclusters.evaluation import experts as expert_services
from keyclusters.evaluation.models import Expert, PanelSession
from keyclusters.registry.models import Organisation

# (username, first name, last name, role, specialisations); the demo logins come first (their
# names are given in keyclusters/web/demo/users.py). The specialisations are the clusters'.
EXPERTS = [
    ("expert", "", "", "expert", [
        "Technologie informacyjne i komunikacyjne", "Energetyka odnawialna", "Przemysł lotniczy",
        "Ochrona zdrowia i technologie medyczne",
    ]),
    ("ekspert-nowak", "Anna", "Nowak", "expert", [
        "Technologie informacyjne i komunikacyjne", "Elektronika i fotonika",
    ]),
    ("ekspert-wisniewski", "Piotr", "Wiśniewski", "expert", [
        "Energetyka odnawialna", "Przemysł chemiczny",
    ]),
    ("ekspert-kowalczyk", "Maria", "Kowalczyk", "expert", [
        "Przemysł lotniczy", "Przemysł motoryzacyjny",
    ]),
    ("ekspert-wojcik", "Tomasz", "Wójcik", "expert", [
        "Przetwórstwo spożywcze", "Opakowania i poligrafia",
    ]),
    ("ekspert-kaminska", "Katarzyna", "Kamińska", "expert", [
        "Ochrona zdrowia i technologie medyczne", "Przemysł chemiczny",
    ]),
    ("ekspert-dabrowski", "Marek", "Dąbrowski", "expert", [
        "Obróbka metali", "Budownictwo energooszczędne",
    ]),
    ("ekspert-szymanska", "Agnieszka", "Szymańska", "expert", [
        "Transport i logistyka", "Gospodarka morska",
    ]),
    ("ekspert-wozniak", "Paweł", "Woźniak", "expert", [
        "Gry wideo i technologie kreatywne", "Przemysł meblarski",
    ]),
    ("ekspert-kozlowski", "Krzysztof", "Kozłowski", "expert", [
        "Przemysł motoryzacyjny", "Obróbka metali",
    ]),
    ("panel", "", "", "panel-member", []),
    ("panel-zielinska", "Ewa", "Zielińska", "panel-member", []),
    ("panel-lewandowski", "Jan", "Lewandowski", "panel-member", []),
    ("panel-mazur", "Andrzej", "Mazur", "panel-member", []),
    ("panel-jankowska", "Magdalena", "Jankowska", "panel-member", []),
]  # fmt: skip


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


# Earlier ties of some experts (username, tie, the kind of organisation, from, to): long enough
# ago (more than three years before the demo's rounds) to be no conflict of interest, shown on
# the experts' pages.
PAST_AFFILIATIONS = (
    ("ekspert-nowak", "adiunktka", "university", dt.date(2003, 10, 1), dt.date(2010, 9, 30)),
    (
        "ekspert-wisniewski",
        "członek rady nadzorczej",
        "business-support",
        dt.date(2005, 6, 1),
        dt.date(2009, 5, 31),
    ),
    ("ekspert-kaminska", "konsultantka", "research", dt.date(2006, 1, 1), dt.date(2008, 12, 31)),
)


def add_affiliations(*, experts: dict[str, Expert], operator: User) -> None:
    """Past affiliations of a few experts, with organisations of the registry, through the
    service an operator uses (an expert who has some already is left as they are)."""
    for username, tie, kind, started_on, ended_on in PAST_AFFILIATIONS:
        expert = experts[username]
        organisation = Organisation.objects.filter(kind=kind).order_by("pk").first()
        if organisation is None or expert.affiliations.exists():
            continue
        expert_services.add_affiliation(
            expert=expert,
            organisation=organisation,
            position=tie,
            started_on=started_on,
            ended_on=ended_on,
            by=operator,
        )


def panel_members(experts: dict[str, Expert]) -> list[Expert]:
    return [experts[spec[0]] for spec in EXPERTS if spec[3] == "panel-member"]


def schedule_panel(
    *, call: Call, held_on: dt.date, experts: dict[str, Expert], operator: User
) -> PanelSession:
    """The panel sitting of ``call``: every member on every application at the panel stage."""
    session, refused = decisions.schedule_panel(
        call=call,
        held_on=held_on,
        place="Ministerstwo Rozwoju i Technologii, Warszawa, pl. Trzech Krzyży 3/5, sala 212",
        members=panel_members(experts),
        by=operator,
    )
    if refused:
        raise ValueError(f"the demo panel has conflicts: {refused}")
    return session
