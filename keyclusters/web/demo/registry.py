"""Demo registry: fictional clusters, organisations with valid identifiers, memberships."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from faker import Faker
from simple_history.utils import bulk_create_with_history

from keyclusters.domain.registry import VOIVODESHIPS
from keyclusters.registry.models import (
    Cluster,
    CooperationDeclaration,
    Membership,
    MembershipRole,
    Organisation,
    SmartSpecialisation,
    Voivodeship,
)

# National smart specialisations (KIS), abridged titles.
SMART_SPECIALISATIONS = [
    ("KIS 1", "Zdrowe społeczeństwo"),
    ("KIS 2", "Innowacyjne technologie i procesy agrotechniczne"),
    (
        "KIS 3",
        "Biotechnologiczne i chemiczne procesy, bioprodukty i produkty chemii specjalistycznej",
    ),
    ("KIS 4", "Zrównoważona energetyka"),
    ("KIS 5", "Gospodarka o obiegu zamkniętym"),
    ("KIS 6", "Rozwiązania transportowe przyjazne środowisku"),
    ("KIS 7", "Nowoczesne technologie pozyskiwania, przetwórstwa i wykorzystania surowców"),
    ("KIS 8", "Wielofunkcyjne materiały i kompozyty"),
    ("KIS 9", "Elektronika i fotonika"),
    ("KIS 10", "Inteligentne sieci i technologie geoinformacyjne"),
    ("KIS 11", "Inteligentne technologie kreacyjne"),
    ("KIS 12", "Automatyzacja i robotyka procesów technologicznych"),
    ("KIS 13", "Innowacyjne technologie morskie"),
]

# (specialisation, cluster name stem, smart specialisation codes)
THEMES = [
    ("ICT", "Klaster Technologii Informacyjnych", ["KIS 10", "KIS 11"]),
    ("Energetyka", "Klaster Zrównoważonej Energii", ["KIS 4"]),
    ("Lotnictwo", "Dolina Lotnicza", ["KIS 6", "KIS 8"]),
    ("Medycyna", "Klaster Medyczny", ["KIS 1"]),
    ("Chemia", "Klaster Chemiczny", ["KIS 3"]),
    ("Meblarstwo", "Klaster Meblarski", ["KIS 5"]),
    ("Motoryzacja", "Klaster Motoryzacyjny", ["KIS 6", "KIS 12"]),
    ("Żywność", "Klaster Żywności Wysokiej Jakości", ["KIS 2"]),
    ("Metalurgia", "Klaster Metalowy", ["KIS 7", "KIS 8"]),
    ("Budownictwo", "Klaster Budownictwa Energooszczędnego", ["KIS 4", "KIS 5"]),
    ("Gry wideo", "Klaster Gier i Kreacji", ["KIS 11"]),
    ("Przemysł morski", "Klaster Morski", ["KIS 13"]),
    ("Opakowania", "Klaster Opakowań", ["KIS 5", "KIS 8"]),
    ("Elektronika", "Klaster Elektroniki i Fotoniki", ["KIS 9"]),
    ("Logistyka", "Klaster Logistyczny", ["KIS 6"]),
]

KINDS = [
    ("enterprise", 82),
    ("university", 4),
    ("research", 4),
    ("business-support", 5),
    ("public-administration", 2),
    ("other", 3),
]
SIZES = [("micro", 35), ("small", 35), ("medium", 20), ("large", 10)]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass
class RegistryDemo:
    clusters: list[Cluster]
    organisations: list[Organisation]


def build_registry(
    *, seed: int = 2015, clusters: int = 42, organisations: int = 3000
) -> RegistryDemo:
    rng = random.Random(seed)
    fake = Faker("pl_PL")
    fake.seed_instance(seed)
    regions = list(VOIVODESHIPS)

    for code in regions:  # a flush removes the rows the data migration made
        Voivodeship.objects.get_or_create(code=code)
    for code, name in SMART_SPECIALISATIONS:
        SmartSpecialisation.objects.get_or_create(code=code, defaults={"name": name})
    smart = {s.code: s for s in SmartSpecialisation.objects.all()}

    orgs: list[Organisation] = []
    seen_nips: set[str] = set()
    while len(orgs) < organisations:
        nip = fake.nip()
        if nip in seen_nips:
            continue
        seen_nips.add(nip)
        kind = _pick(rng, KINDS)
        orgs.append(
            Organisation(
                name=_organisation_name(fake, kind, rng),
                nip=nip,
                regon=fake.regon(),
                krs=f"{rng.randint(1, 999999):010d}" if rng.random() < 0.6 else "",
                kind=kind,
                size=_pick(rng, SIZES) if kind == "enterprise" else "",
                voivodeship=rng.choice(regions),
                city=fake.city(),
                country="PL",
            )
        )
    # A few foreign members, who have no NIP.
    for i in range(12):
        orgs.append(
            Organisation(
                name=f"{Faker('de_DE').company()} GmbH" if i % 2 else f"{Faker('cs_CZ').company()}",
                nip=None,
                kind="enterprise",
                size=_pick(rng, SIZES),
                city="Berlin" if i % 2 else "Praha",
                country="DE" if i % 2 else "CZ",
            )
        )
    bulk_create_with_history(orgs, Organisation, batch_size=1000)
    orgs = list(Organisation.objects.order_by("pk"))
    coordinators = [o for o in orgs if o.kind == "business-support"] or orgs
    enterprises = [o for o in orgs if o.kind != "public-administration"]
    partners = [o for o in orgs if o.kind in ("public-administration", "university", "research")]

    made: list[Cluster] = []
    memberships: list[Membership] = []
    used_names: set[str] = set()
    today = dt.date.today()
    for index in range(clusters):
        specialisation, stem, smart_codes = THEMES[index % len(THEMES)]
        region = regions[index % len(regions)]
        name = f"{stem} {_region_genitive(region)}"
        if name in used_names:
            name = f"{name} {index // len(THEMES) + 1}"
        used_names.add(name)
        founded = dt.date(rng.randint(2003, 2019), rng.randint(1, 12), rng.randint(1, 28))
        coordinator = coordinators[index % len(coordinators)]
        cluster = Cluster.objects.create(
            name=name,
            specialisation=specialisation,
            description=(
                f"{stem} zrzesza przedsiębiorstwa, uczelnie i instytucje otoczenia biznesu "
                f"z branży: {specialisation.lower()}. Członkowie wspólnie realizują projekty "
                "badawczo-rozwojowe, szkolenia i działania eksportowe; koordynator prowadzi "
                "wspólne usługi i reprezentuje klaster wobec administracji."
            ),
            founded_on=founded,
            coordinator=coordinator,
            website=f"https://klaster-{index + 1}.example.pl",
            voivodeship=region,
        )
        cluster.voivodeships.add(Voivodeship.objects.get(pk=region))
        if rng.random() < 0.4:
            cluster.voivodeships.add(Voivodeship.objects.get(pk=rng.choice(regions)))
        cluster.smart_specialisations.set([smart[c] for c in smart_codes])
        made.append(cluster)
        memberships.append(
            Membership(
                cluster=cluster,
                organisation=coordinator,
                role=MembershipRole.COORDINATOR,
                joined_on=founded,
            )
        )
        size = rng.choice([24, 38, 55, 62, 75, 90, 120, 160])
        chosen = rng.sample(enterprises, size)
        acg = set(rng.sample(range(size), min(10, size))) if rng.random() < 0.5 else set()
        for position, org in enumerate(chosen):
            if org.pk == coordinator.pk:
                continue
            joined = founded + dt.timedelta(days=rng.randint(0, max(1, (today - founded).days)))
            left = None
            if rng.random() < 0.08:
                left = joined + dt.timedelta(days=rng.randint(60, 900))
                if left > today:
                    left = None
            memberships.append(
                Membership(
                    cluster=cluster,
                    organisation=org,
                    role=MembershipRole.MEMBER,
                    joined_on=joined,
                    left_on=left,
                    advanced_cooperation_group=position in acg,
                )
            )
        signatories = rng.sample(partners, min(len(partners), rng.randint(1, 3)))
        for org in signatories:
            memberships.append(
                Membership(
                    cluster=cluster,
                    organisation=org,
                    role=MembershipRole.STRATEGIC_PARTNER,
                    joined_on=founded + dt.timedelta(days=rng.randint(30, 700)),
                )
            )
        declaration = CooperationDeclaration.objects.create(
            cluster=cluster,
            signed_on=founded + dt.timedelta(days=rng.randint(30, 700)),
            place=fake.city(),
            subject="Deklaracja współpracy na rzecz rozwoju klastra",
        )
        declaration.signatories.set(signatories)
    bulk_create_with_history(memberships, Membership, batch_size=1000)
    return RegistryDemo(clusters=made, organisations=orgs)


def _organisation_name(fake: Faker, kind: str, rng: random.Random) -> str:
    city = fake.city()
    if kind == "university":
        return f"Politechnika {city}" if rng.random() < 0.5 else f"Uniwersytet w {city}"
    if kind == "research":
        return f"Instytut Badawczy {fake.last_name()} – {city}"
    if kind == "business-support":
        return f"Fundacja Rozwoju Przedsiębiorczości {fake.last_name()}"
    if kind == "public-administration":
        return f"Urząd Miasta {city}"
    if kind == "other":
        return f"Stowarzyszenie {fake.last_name()}"
    return fake.company()


_GENITIVE = {
    "dolnoslaskie": "Dolnego Śląska",
    "kujawsko-pomorskie": "Kujaw i Pomorza",
    "lubelskie": "Lubelszczyzny",
    "lubuskie": "Ziemi Lubuskiej",
    "lodzkie": "Regionu Łódzkiego",
    "malopolskie": "Małopolski",
    "mazowieckie": "Mazowsza",
    "opolskie": "Opolszczyzny",
    "podkarpackie": "Podkarpacia",
    "podlaskie": "Podlasia",
    "pomorskie": "Pomorza",
    "slaskie": "Śląska",
    "swietokrzyskie": "Regionu Świętokrzyskiego",
    "warminsko-mazurskie": "Warmii i Mazur",
    "wielkopolskie": "Wielkopolski",
    "zachodniopomorskie": "Pomorza Zachodniego",
}


def _region_genitive(code: str) -> str:
    return _GENITIVE[code]
