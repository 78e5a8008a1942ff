"""Demo registry: invented clusters in real Polish towns, their coordinators, member firms and
regional institutions with valid identifiers, memberships and cooperation declarations.

The names come from :mod:`keyclusters.web.demo.names`. A cluster's members are mostly firms of
its field and region (a geographic concentration), with the region's universities, institutes
and support bodies, a few firms that belong to two clusters and some foreign members; its
strategic partners are the region's offices.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

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

from . import names

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

SIZES = [("micro", 30), ("small", 38), ("medium", 22), ("large", 10)]
FOUNDING_SHARE = 0.35  # members who signed the founding agreement
LEAVING_SHARE = 0.06


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass
class RegistryDemo:
    clusters: list[Cluster]
    organisations: list[Organisation]


@dataclass
class _Plan:
    """What an organisation is in the story: its home cluster (or None) and its place."""

    organisation: Organisation
    home: int | None = None
    institution: str = ""  # its kind, for the region's institutions


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    ascii_name = plain.encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split())


def _quotas(sizes: list[int], total: int) -> list[int]:
    """``total`` split in proportion to ``sizes`` (largest remainders)."""
    whole = sum(sizes)
    raw = [s * total / whole for s in sizes]
    quotas = [int(r) for r in raw]
    order = sorted(range(len(sizes)), key=lambda i: (quotas[i] - raw[i], i))
    for i in order[: total - sum(quotas)]:
        quotas[i] += 1
    return quotas


def build_registry(
    *, seed: int = 2015, clusters: int = 42, organisations: int = 3000
) -> RegistryDemo:
    rng = random.Random(seed)
    today = dt.date.today()

    for code in VOIVODESHIPS:  # a flush removes the rows the data migration made
        Voivodeship.objects.get_or_create(code=code)
    for code, title in SMART_SPECIALISATIONS:
        SmartSpecialisation.objects.get_or_create(code=code, defaults={"name": title})
    smart = {s.code: s for s in SmartSpecialisation.objects.all()}
    regions = {code: Voivodeship.objects.get(pk=code) for code in VOIVODESHIPS}

    specs = names.cluster_specs(clusters, rng)
    seen_nips: set[str] = set()
    used_names: set[str] = set()
    plans: list[_Plan] = []

    def polish(name, kind, region, town, *, size="", in_krs=True):
        used_names.add(name)
        return Organisation(
            name=name,
            nip=names.nip(rng, region, seen_nips),
            regon=names.regon(rng, region),
            krs=names.krs(rng) if in_krs else "",
            kind=kind,
            size=size,
            voivodeship=region,
            city=town,
            country="PL",
        )

    # the regions' universities, institutes, support bodies, offices and chambers
    for region in names.REGIONS:
        for name, kind, town in names.institutions(region):
            plans.append(_Plan(polish(name, kind, region, town), institution=kind))
    # a coordinator per cluster, in the cluster's town
    for index, (cluster_name, theme_key, region, town, _year, _size) in enumerate(specs):
        theme = names.THEMES[theme_key]
        options = names.coordinator_name(index, cluster_name, theme, town)
        name = next(o for o in options if o not in used_names)
        plans.append(_Plan(polish(name, "business-support", region, town), home=index))
    coordinators = {p.home: p for p in plans if p.home is not None}
    # member firms, most of them in their cluster's field and region
    enterprises = max(organisations - len(plans), 0)
    for index, quota in enumerate(_quotas([s[5] for s in specs], enterprises)):
        _name, theme_key, home_region, home_town, _year, _size = specs[index]
        for _ in range(quota):
            region = home_region if rng.random() < 0.85 else rng.choice(list(names.REGIONS))
            if region == home_region and rng.random() < 0.35:
                town = home_town
            else:
                town = rng.choice(names.towns(region))[0]
            theme = names.THEMES[
                theme_key if rng.random() < 0.85 else rng.choice(list(names.THEMES))
            ]
            size = _pick(rng, SIZES)
            for _attempt in range(20):
                name, in_krs = names.enterprise_name(rng, theme, size, region)
                if name not in used_names:
                    break
            else:
                name = f"{name.split(' sp.')[0]} {town}"
            plans.append(
                _Plan(
                    polish(name, "enterprise", region, town, size=size, in_krs=in_krs),
                    home=index,
                )
            )
    # foreign members, who have no NIP
    for name, country, town, theme_key in names.FOREIGN:
        home = next((i for i, s in enumerate(specs) if s[1] == theme_key), 0)
        org = Organisation(
            name=name, nip=None, kind="enterprise", size=_pick(rng, SIZES[1:]), city=town,
            country=country,
        )  # fmt: skip
        plans.append(_Plan(org, home=home))

    bulk_create_with_history([p.organisation for p in plans], Organisation, batch_size=1000)
    for plan, saved in zip(plans, Organisation.objects.order_by("pk"), strict=True):
        plan.organisation = saved
    institutions: dict[tuple[str, str], list[Organisation]] = {}
    for plan in plans:
        if plan.institution:
            key = (plan.organisation.voivodeship, plan.institution)
            institutions.setdefault(key, []).append(plan.organisation)
    pools: dict[int, list[Organisation]] = {}
    for plan in plans:
        if plan.home is not None and plan is not coordinators[plan.home]:
            pools.setdefault(plan.home, []).append(plan.organisation)

    made: list[Cluster] = []
    memberships: list[Membership] = []
    for index, (cluster_name, theme_key, region, town, year, _size) in enumerate(specs):
        theme = names.THEMES[theme_key]
        founded = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        coordinator = coordinators[index].organisation
        cluster = Cluster.objects.create(
            name=cluster_name,
            specialisation=theme.specialisation,
            description=(
                f"{theme.description} Koordynatorem klastra jest {coordinator.name} "
                f"z siedzibą {names.locative(town)}."
            ),
            founded_on=founded,
            coordinator=coordinator,
            website=f"https://www.{_slug(cluster_name)}.example",
            voivodeship=region,
        )
        cluster.voivodeships.add(regions[region])
        if rng.random() < 0.3:
            cluster.voivodeships.add(regions[rng.choice(list(names.REGIONS))])
        cluster.smart_specialisations.set([smart[c] for c in theme.smart])
        made.append(cluster)
        memberships.append(
            Membership(
                cluster=cluster,
                organisation=coordinator,
                role=MembershipRole.COORDINATOR,
                joined_on=founded,
            )
        )
        days = max(1, (today - founded).days)

        def joined_on(rng=rng, founded=founded, days=days) -> dt.date:
            if rng.random() < FOUNDING_SHARE:
                return founded
            return founded + dt.timedelta(days=rng.randint(30, days))

        members = list(pools.get(index, []))
        for kind, count in (("university", 1), ("research", 1), ("business-support", 1)):
            members += rng.sample(institutions[(region, kind)], count)
        if rng.random() < 0.5:
            members.append(institutions[(region, "other")][0])
        # firms of the same field elsewhere that belong to this cluster too
        fellows = [
            o
            for other, pool in pools.items()
            if other != index and specs[other][1] == theme_key
            for o in pool
            if o.kind == "enterprise" and o.country == "PL"
        ]
        members += rng.sample(fellows, min(len(fellows), rng.randint(0, 4)))
        core = sorted(
            (o for o in members if o.kind == "enterprise"),
            key=lambda o: ({"large": 0, "medium": 1}.get(o.size, 2), o.pk),
        )
        group = {o.pk for o in core[:10]} if rng.random() < 0.5 else set()
        for org in members:
            joined = joined_on()
            left = None
            if rng.random() < LEAVING_SHARE:
                left = joined + dt.timedelta(days=rng.randint(180, 1500))
                if left >= today:
                    left = None
            memberships.append(
                Membership(
                    cluster=cluster,
                    organisation=org,
                    role=MembershipRole.MEMBER,
                    joined_on=joined,
                    left_on=left,
                    advanced_cooperation_group=org.pk in group and left is None,
                )
            )
        partners = list(institutions[(region, "public-administration")])
        if rng.random() < 0.5:
            partners = partners[:1]
        signed = founded + dt.timedelta(days=rng.randint(30, 700))
        for org in partners:
            memberships.append(
                Membership(
                    cluster=cluster,
                    organisation=org,
                    role=MembershipRole.STRATEGIC_PARTNER,
                    joined_on=signed,
                )
            )
        declaration = CooperationDeclaration.objects.create(
            cluster=cluster,
            signed_on=signed,
            place=town,
            subject=(
                f"Porozumienie o współpracy na rzecz rozwoju {theme.genitive} "
                f"w województwie {names.region_adjective(region, 'im').lower()}"
            ),
        )
        declaration.signatories.set(partners)
    bulk_create_with_history(memberships, Membership, batch_size=1000)
    return RegistryDemo(clusters=made, organisations=[p.organisation for p in plans])
