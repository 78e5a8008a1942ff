"""What the demo's experts write: a justification per criterion that names the criterion's
subject and the application's content (the cluster's members, field, region, figures), worded
by how high the expert scored it; and the operator's notes of the formal stage.

Every text is chosen by a ``random.Random`` seeded with the application and the expert, so the
demo writes the same each time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from keyclusters.registry.models import Cluster, Membership, MembershipRole

from . import names

HIGH, MIDDLE, LOW = "high", "middle", "low"

# criterion -> level -> variants; the fields are those of _context()
JUSTIFICATIONS: dict[str, dict[str, tuple[str, ...]]] = {
    # the 2015 rules, first merit stage
    "organisational_structure": {
        HIGH: (
            "Struktura klastra jest przejrzysta: umowa klastrowa, rada klastra i grupy robocze "
            "z przypisanymi zadaniami. {members} członków, w tym {enterprises} przedsiębiorstw; "
            "rola koordynatora ({coordinator}) jest jasno opisana we wniosku.",
            "Wniosek opisuje kompletną strukturę: zgromadzenie członków, radę klastra i trzy "
            "grupy tematyczne. Skład ({members} członków, {share}% przedsiębiorstw) odpowiada "
            "łańcuchowi wartości branży.",
        ),
        MIDDLE: (
            "Struktura opisana poprawnie ({members} członków), ale wniosek nie wyjaśnia, jak grupy "
            "robocze podejmują decyzje ani jak członkowie wpływają na wybór wspólnych projektów.",
            "Podstawowe organy klastra istnieją, jednak regulamin rady klastra nie został "
            "załączony, a podział zadań między koordynatora i członków jest opisany ogólnie.",
        ),
        LOW: (
            "Opis struktury jest ogólnikowy: brak regulaminu rady klastra i podziału zadań "
            "między koordynatora a członków; nie wiadomo, kto podejmuje decyzje o projektach.",
        ),
    },
    "economic_potential": {
        HIGH: (
            "Wysoki potencjał gospodarczy: członkowie skupiają znaczną część regionalnej branży "
            "({specialisation}), a obecność firm średnich i dużych zapewnia odbiorców dla ofert "
            "mniejszych członków.",
            "Wniosek wiarygodnie pokazuje potencjał ekonomiczny: {enterprises} przedsiębiorstw "
            "o zróżnicowanej wielkości, w tym liderzy rynku krajowego w branży.",
        ),
        MIDDLE: (
            "Potencjał gospodarczy przeciętny dla klastrów tej branży; wniosek podaje liczbę "
            "członków ({members}), ale nie przedstawia przychodów i zatrudnienia w podziale na "
            "wielkość firm.",
            "Potencjał ekonomiczny wystarczający, choć opiera się na kilku większych firmach; "
            "udział mikroprzedsiębiorstw jest wysoki, a ich powiązania kooperacyjne słabo opisane.",
        ),
        LOW: (
            "Potencjał gospodarczy słabo udokumentowany: dominują mikroprzedsiębiorstwa, a "
            "wniosek nie pokazuje powiązań kooperacyjnych ani skali sprzedaży członków.",
        ),
    },
    "economic_importance": {
        HIGH: (
            "Klaster ma wyraźne znaczenie dla gospodarki regionu ({region}): jego specjalizacja "
            "jest wskazana w regionalnej strategii innowacji, a członkowie należą do ważnych "
            "pracodawców w regionie.",
            "Znaczenie dla gospodarki krajowej i regionalnej dobrze uzasadnione: wniosek "
            "porównuje klaster z innymi ośrodkami branży ({specialisation}) w kraju i wskazuje "
            "jego udział w eksporcie regionu.",
        ),
        MIDDLE: (
            "Znaczenie regionalne uzasadnione, znaczenie krajowe tylko zadeklarowane: wniosek "
            "nie porównuje klastra z innymi ośrodkami branży w Polsce.",
        ),
        LOW: (
            "Wniosek nie uzasadnia znaczenia klastra dla gospodarki krajowej; odwołania do "
            "strategii województwa są ogólne i nie dotyczą specjalizacji klastra.",
        ),
    },
    "strategy": {
        HIGH: (
            "Strategia rozwoju wynika z diagnozy potrzeb członków, ma mierzalne cele i wskaźniki "
            "na trzy lata oraz harmonogram przeglądów z udziałem rady klastra.",
            "Dobra strategia: cele są spójne z inteligentnymi specjalizacjami, a plan działań "
            "przypisuje zadania grupom członków i podaje budżet.",
        ),
        MIDDLE: (
            "Strategia zawiera cele i kierunki działań, ale część wskaźników nie ma wartości "
            "docelowych, a plan działań nie przypisuje zadań konkretnym członkom.",
        ),
        LOW: (
            "Strategia ma charakter deklaratywny: brak diagnozy, wskaźników i powiązania z planem "
            "działań.",
        ),
    },
    "innovativeness": {
        HIGH: (
            "Członkowie wdrożyli w ostatnich latach nowe produkty i technologie, część we "
            "współpracy z uczelniami regionu; wniosek podaje przykłady wdrożeń i zgłoszeń "
            "patentowych.",
            "Wysoka innowacyjność: wspólne projekty B+R z udziałem kilkunastu członków i "
            "udokumentowana sprzedaż nowych produktów na rynkach zagranicznych.",
        ),
        MIDDLE: (
            "Innowacyjność udokumentowana przykładami pojedynczych firm; brak danych o wspólnych "
            "wdrożeniach w ramach klastra i o ich wpływie na konkurencyjność.",
        ),
        LOW: (
            "Wniosek nie wykazuje innowacyjności członków poza zakupami maszyn; konkurencyjność "
            "międzynarodowa nie została opisana.",
        ),
    },
    "internationalisation": {
        HIGH: (
            "Klaster prowadzi aktywną internacjonalizację: wspólne stoiska na targach "
            "zagranicznych, misje gospodarcze i porozumienia z klastrami partnerskimi w Niemczech "
            "i Czechach.",
            "Internacjonalizacja na wysokim poziomie: członkowie uczestniczą w projektach "
            "międzynarodowych, a koordynator prowadzi wspólną ofertę eksportową.",
        ),
        MIDDLE: (
            "Działania międzynarodowe ograniczone do udziału części członków w targach; brak "
            "strategii wejścia na rynki zagraniczne dla całego klastra.",
        ),
        LOW: (
            "Internacjonalizacja nie jest prowadzona na poziomie klastra; eksport realizują "
            "pojedyncze firmy na własną rękę.",
        ),
    },
    "cooperation_intensity": {
        HIGH: (
            "Współpraca jest intensywna i udokumentowana: wspólne projekty B+R, zakupy grupowe "
            "i szkolenia; wniosek wymienia projekty realizowane przez grupy członków.",
            "Wysoka intensywność współpracy: regularne spotkania grup roboczych, wspólne "
            "zamówienia i projekty z uczelniami, potwierdzone listami intencyjnymi członków.",
        ),
        MIDDLE: (
            "Współpraca występuje głównie w formie szkoleń i spotkań; wspólnych projektów "
            "inwestycyjnych i badawczych jest niewiele.",
        ),
        LOW: (
            "Współpraca między członkami jest sporadyczna; wniosek opisuje głównie działania "
            "koordynatora, a nie wspólne przedsięwzięcia członków.",
        ),
    },
    "cluster_management": {
        HIGH: (
            "Koordynator ({coordinator}) ma doświadczony zespół, stabilne finansowanie ze składek "
            "członkowskich i projektów oraz stałą ofertę usług dla członków.",
        ),
        MIDDLE: (
            "Zarządzanie klastrem prawidłowe, ale zespół koordynatora jest nieliczny, a "
            "finansowanie opiera się głównie na projektach dotacyjnych.",
        ),
        LOW: (
            "Koordynator nie wykazał zasobów do zarządzania klastrem o tej skali; brak opisu "
            "usług świadczonych członkom.",
        ),
    },
    # the 2015 rules, second (decisive) merit stage
    "critical_mass_assessment": {
        HIGH: (
            "Masa krytyczna potwierdzona: {members} członków, w tym {enterprises} "
            "przedsiębiorstw, z wyraźną koncentracją w regionie ({region}).",
        ),
        MIDDLE: (
            "Masa krytyczna wystarczająca ({members} członków), choć część z nich ma słabe "
            "powiązania z główną specjalizacją klastra.",
        ),
        LOW: (
            "Masa krytyczna na granicy wymagań: {members} członków, w większości "
            "mikroprzedsiębiorstwa spoza głównego łańcucha wartości.",
        ),
    },
    "development_assessment": {
        HIGH: (
            "Plany rozwojowe są realne: portfel wspólnych projektów na kolejne lata jest "
            "przygotowany i ma wskazane źródła finansowania.",
        ),
        MIDDLE: (
            "Potencjał rozwojowy dobry, ale projekty na kolejne lata są dopiero na etapie "
            "koncepcji i nie mają zabezpieczonego finansowania.",
        ),
        LOW: (
            "Potencjał rozwojowy oceniony nisko: brak konkretnych projektów i partnerów "
            "badawczych poza jedną uczelnią.",
        ),
    },
    "cooperation_assessment": {
        HIGH: (
            "Dotychczasowa współpraca przyniosła wymierne efekty (wspólne projekty, wspólna "
            "oferta), a planowana obejmuje także nowych członków.",
        ),
        MIDDLE: (
            "Współpraca potwierdzona, lecz skupiona wokół kilku firm; plan jej rozszerzenia na "
            "pozostałych członków jest ogólny.",
        ),
        LOW: (
            "Wniosek nie pokazuje efektów dotychczasowej współpracy; planowana współpraca "
            "opisana jest bez harmonogramu.",
        ),
    },
    "coordinator_assessment": {
        HIGH: (
            "{coordinator} ma wieloletnie doświadczenie w zarządzaniu klastrem i potencjał "
            "kadrowy do świadczenia usług na rzecz członków.",
        ),
        MIDDLE: (
            "Koordynator ma doświadczenie, lecz jego potencjał kadrowy i finansowy jest "
            "ograniczony w stosunku do planów klastra.",
        ),
        LOW: (
            "Potencjał koordynatora niewystarczający: jednoosobowy zespół i brak stałych źródeł "
            "finansowania.",
        ),
    },
    # the 2021 rules, merit stage
    "coordinator_team": {
        HIGH: (
            "Zespół koordynatora ({coordinator}) liczy kilka osób z doświadczeniem w zarządzaniu "
            "klastrem i projektami; wniosek opisuje kompetencje i zakres obowiązków każdej z nich.",
        ),
        MIDDLE: (
            "Zespół koordynatora ma odpowiednie kompetencje, ale jest nieliczny wobec "
            "{members} członków; brak planu jego rozwoju.",
        ),
        LOW: (
            "Zespół koordynatora opisany ogólnie, bez wskazania doświadczenia osób "
            "odpowiedzialnych za usługi dla członków.",
        ),
    },
    "infrastructure": {
        HIGH: (
            "Klaster korzysta ze wspólnej infrastruktury: laboratorium, sale szkoleniowe i "
            "centrum demonstracyjne, udostępniane członkom na opisanych zasadach.",
        ),
        MIDDLE: (
            "Infrastruktura klastra ogranicza się do biura koordynatora i zasobów uczelni; "
            "zasady udostępniania ich członkom nie zostały opisane.",
        ),
        LOW: ("Wniosek nie wskazuje infrastruktury dostępnej dla członków klastra.",),
    },
    "financing": {
        HIGH: (
            "Finansowanie koordynatora jest zróżnicowane: składki członkowskie, odpłatne usługi i "
            "projekty; wniosek pokazuje trwałość finansową bez dotacji.",
        ),
        MIDDLE: (
            "Koordynator finansuje działalność głównie z projektów dotacyjnych; składki "
            "członkowskie pokrywają niewielką część kosztów.",
        ),
        LOW: ("Brak stabilnych źródeł finansowania koordynatora poza bieżącym projektem.",),
    },
    "market_position": {
        HIGH: (
            "Silna pozycja rynkowa członków: zatrudnienie {employees} osób, przychody "
            "{revenue} i eksport na poziomie {export}% przychodów.",
        ),
        MIDDLE: (
            "Pozycja rynkowa członków przeciętna: przychody {revenue}, eksport {export}%; "
            "wniosek nie wskazuje udziałów w rynku krajowym.",
        ),
        LOW: (
            "Pozycja rynkowa członków słabo udokumentowana; dane o przychodach ({revenue}) nie "
            "są porównane z branżą.",
        ),
    },
    "value_chain": {
        HIGH: (
            "Członkowie pokrywają cały łańcuch wartości branży ({specialisation}): od dostawców "
            "i usług inżynierskich po producentów wyrobów końcowych.",
        ),
        MIDDLE: (
            "Łańcuch wartości pokryty częściowo; brakuje ogniw dystrybucji i serwisu, co wniosek "
            "sam wskazuje jako kierunek rozwoju.",
        ),
        LOW: (
            "Wniosek nie opisuje łańcucha wartości; członkowie to w większości firmy o podobnym "
            "profilu, które ze sobą konkurują.",
        ),
    },
    "rd_cooperation": {
        HIGH: (
            "Intensywna współpraca nauki i biznesu: {rd} wspólnych projektów B+R członków, "
            "z udziałem uczelni i instytutów z regionu.",
        ),
        MIDDLE: (
            "Współpraca z nauką udokumentowana ({rd} projektów B+R), ale skupiona na kilku "
            "firmach i jednej uczelni.",
        ),
        LOW: (
            "Współpraca nauki i biznesu słaba: {rd} projektów B+R w okresie sprawozdawczym, bez "
            "opisu ich rezultatów.",
        ),
    },
    "innovation_services": {
        HIGH: (
            "Koordynator świadczy członkom usługi proinnowacyjne (audyty technologiczne, "
            "wyszukiwanie partnerów, ochrona własności intelektualnej) i podaje liczbę odbiorców.",
        ),
        MIDDLE: (
            "Usługi proinnowacyjne są oferowane, ale korzysta z nich niewielu członków; brak "
            "oceny ich jakości.",
        ),
        LOW: ("Wniosek nie opisuje usług proinnowacyjnych poza organizacją spotkań.",),
    },
    "smart_specialisation": {
        HIGH: (
            "Działalność klastra jest w pełni zgodna z krajową i regionalną inteligentną "
            "specjalizacją w obszarze: {specialisation}.",
        ),
        MIDDLE: (
            "Zgodność z inteligentnymi specjalizacjami wykazana dla głównego obszaru działalności; "
            "część projektów wykracza poza wskazane KIS.",
        ),
        LOW: ("Powiązanie z inteligentnymi specjalizacjami zadeklarowane bez uzasadnienia.",),
    },
    "policy_cooperation": {
        HIGH: (
            "Klaster współpracuje z samorządem województwa przy strategii innowacji i opiniuje "
            "programy regionalne; członkowie uczestniczą w pracach grup roboczych.",
        ),
        MIDDLE: (
            "Współpraca z administracją publiczną opiera się na porozumieniu z samorządem, bez "
            "opisu konkretnych działań w ostatnich latach.",
        ),
        LOW: ("Brak udokumentowanej współpracy z administracją publiczną.",),
    },
    "member_services": {
        HIGH: (
            "Szeroka oferta usług dla członków (szkolenia, doradztwo, wspólne zakupy, promocja), "
            "z której w ostatnim roku skorzystała większość z {members} członków.",
        ),
        MIDDLE: (
            "Usługi dla członków opisane, ale bez danych o liczbie korzystających i ich ocenie.",
        ),
        LOW: ("Oferta usług dla członków ogranicza się do newslettera i spotkań informacyjnych.",),
    },
    "member_engagement": {
        HIGH: (
            "Członkowie aktywnie uczestniczą w życiu klastra: grupa zaawansowanej współpracy "
            "finansuje część działań, a frekwencja na spotkaniach jest wysoka.",
        ),
        MIDDLE: (
            "Zaangażowanie członków umiarkowane; w projektach uczestniczy głównie kilkanaście "
            "firm z {members} członków.",
        ),
        LOW: (
            "Zaangażowanie członków niskie: wniosek nie wskazuje, ilu członków uczestniczy w "
            "działaniach klastra.",
        ),
    },
    # the 2021 rules, Expert Panel
    "panel_strategy": {
        HIGH: (
            "Prezentacja przekonująca: przedstawiciele klastra jasno pokazali cele strategii, "
            "postęp ich realizacji i plan na kolejne trzy lata.",
        ),
        MIDDLE: (
            "Strategia przedstawiona poprawnie, ale odpowiedzi na pytania o wskaźniki i budżet "
            "były ogólne.",
        ),
        LOW: (
            "Prezentacja strategii nie wyszła poza treść wniosku; brak odpowiedzi na pytania "
            "panelu o priorytety.",
        ),
    },
    "panel_internationalisation": {
        HIGH: (
            "Klaster przedstawił konkretne efekty internacjonalizacji: eksport członków "
            "({export}% przychodów) i wspólne projekty z partnerami zagranicznymi.",
        ),
        MIDDLE: (
            "Działania międzynarodowe prowadzone, ale bez planu dla całego klastra; eksport "
            "członków na poziomie {export}% przychodów.",
        ),
        LOW: (
            "Internacjonalizacja omówiona ogólnie, bez przykładów wspólnych działań na rynkach "
            "zagranicznych.",
        ),
    },
    "panel_successes": {
        HIGH: (
            "Przedstawiono wymierne sukcesy: wspólne wdrożenia, {patents} zgłoszeń patentowych "
            "członków i nowe kontrakty zdobyte dzięki klastrowi.",
        ),
        MIDDLE: (
            "Sukcesy członków omówione na kilku przykładach; korzyści z członkostwa dla mniejszych "
            "firm przedstawiono ogólnie.",
        ),
        LOW: (
            "Panel nie uzyskał przekonujących przykładów korzyści członków z udziału w klastrze.",
        ),
    },
}

FALLBACK = {
    HIGH: "Kryterium spełnione w wysokim stopniu; opis we wniosku jest kompletny i wiarygodny.",
    MIDDLE: "Kryterium spełnione częściowo; wniosek wymaga uszczegółowienia w tym zakresie.",
    LOW: "Kryterium spełnione w niewielkim stopniu; opis we wniosku jest niewystarczający.",
}


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _context(cluster: Cluster, on: dt.date, data: dict[str, Any]) -> dict[str, str]:
    active = Membership.objects.filter(cluster=cluster, joined_on__lte=on).exclude(left_on__lt=on)
    members = active.exclude(role=MembershipRole.STRATEGIC_PARTNER).count()
    enterprises = active.filter(role=MembershipRole.MEMBER, organisation__kind="enterprise").count()
    revenue = int(data.get("revenue_members") or 0)
    return {
        "cluster": cluster.name,
        "members": str(members),
        "enterprises": str(enterprises),
        "share": str(round(100 * enterprises / members) if members else 0),
        "specialisation": cluster.specialisation.lower(),
        "region": f"województwo {names.region_adjective(cluster.voivodeship, 'ie').lower()}",
        "coordinator": cluster.coordinator.name,
        "employees": _number(int(data.get("employees_members") or 0)),
        "revenue": f"{_number(round(revenue / 1_000_000))} mln zł",
        "export": str(data.get("export_share", "")),
        "rd": str(data.get("rd_projects", "")),
        "patents": str(data.get("patents", "")),
    }


def _level(points: Any, maximum: Decimal) -> str:
    share = Decimal(str(points)) / maximum
    if share >= Decimal("0.75"):
        return HIGH
    if share >= Decimal("0.55"):
        return MIDDLE
    return LOW


def add_justifications(
    data: dict[str, Any], applicants: Sequence[Cluster], rulebook, on: dt.date
) -> None:
    """Give every scored sheet of the scenario ``data`` a justification per criterion
    (``justifications``), about the application of ``applicants[i]`` submitted on ``on``."""
    maxima = {c.id: c.max for _area, c in rulebook.criteria()}
    for index, spec in enumerate(data["applications"]):
        scores = spec.get("scores") or {}
        if not scores:
            continue
        cluster = applicants[index]
        context = _context(cluster, on, dict(spec.get("data") or {}))
        for stage, entries in scores.items():
            for entry in entries:
                if "criteria" not in entry:
                    continue
                rng = random.Random(f"{cluster.name}/{stage}/{entry['expert']}")
                texts = {}
                for criterion, points in entry["criteria"].items():
                    level = _level(points, maxima[criterion])
                    variants = JUSTIFICATIONS.get(criterion, {}).get(level) or (FALLBACK[level],)
                    texts[criterion] = rng.choice(variants).format(**context)
                entry["justifications"] = texts
                entry.pop("justification", None)
