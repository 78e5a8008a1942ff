"""Demo experts: the demo expert and panel member, a few colleagues, first assignments."""

from __future__ import annotations

from django.contrib.auth.models import Group

from keyclusters.accounts.models import User
from keyclusters.competitions.models import Call
from keyclusters.evaluation import services
from keyclusters.evaluation.models import Expert

COLLEAGUES = [
    ("ekspert-nowak", "Anna", "Nowak", "expert", ["ICT", "Elektronika"]),
    ("ekspert-wisniewski", "Piotr", "Wiśniewski", "expert", ["Energetyka", "Chemia"]),
    ("ekspert-kowalczyk", "Maria", "Kowalczyk", "expert", ["Lotnictwo", "Motoryzacja"]),
    ("panel-zielinska", "Ewa", "Zielińska", "panel-member", []),
    ("panel-lewandowski", "Jan", "Lewandowski", "panel-member", []),
]


def build_evaluation(*, call: Call, operator: User) -> None:
    for username, _role, specialisations in (
        ("expert", "expert", ["ICT", "Energetyka", "Lotnictwo", "Medycyna"]),
        ("panel", "panel-member", []),
    ):
        user = User.objects.get(username=username)
        Expert.objects.get_or_create(user=user, defaults={"specialisations": specialisations})
    for username, first, last, role, specialisations in COLLEAGUES:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=role))
        Expert.objects.get_or_create(user=user, defaults={"specialisations": specialisations})
    for application in call.applications.filter(state="in-evaluation"):
        services.auto_assign(application=application, stage=application.stage, by=operator)
