"""The demo's names: real Polish towns in their voivodeships, invented clusters, coordinators,
member firms, institutions and people, and identifiers with valid checksums.

Everything here is fictional (no real organisation is meant), but reads like a national
programme's registry: a cluster's coordinator and most of its members are in its region, firms
carry legal forms that match their size, NIPs start with a tax office's prefix of the region.
All choices come from the ``random.Random`` passed in, so a seed gives the same demo each time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

# voivodeship -> (genitive adjective of "Województwo …", [(town, "w/we + locative"), ...]);
# the first town is the capital.
REGIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "dolnoslaskie": ("Dolnośląskiego", [
        ("Wrocław", "we Wrocławiu"), ("Wałbrzych", "w Wałbrzychu"), ("Legnica", "w Legnicy"),
        ("Jelenia Góra", "w Jeleniej Górze"), ("Świdnica", "w Świdnicy"),
        ("Oleśnica", "w Oleśnicy"), ("Bolesławiec", "w Bolesławcu"),
    ]),
    "kujawsko-pomorskie": ("Kujawsko-Pomorskiego", [
        ("Bydgoszcz", "w Bydgoszczy"), ("Toruń", "w Toruniu"), ("Włocławek", "we Włocławku"),
        ("Grudziądz", "w Grudziądzu"), ("Inowrocław", "w Inowrocławiu"), ("Świecie", "w Świeciu"),
    ]),
    "lubelskie": ("Lubelskiego", [
        ("Lublin", "w Lublinie"), ("Zamość", "w Zamościu"), ("Chełm", "w Chełmie"),
        ("Biała Podlaska", "w Białej Podlaskiej"), ("Puławy", "w Puławach"),
        ("Świdnik", "w Świdniku"),
    ]),
    "lubuskie": ("Lubuskiego", [
        ("Zielona Góra", "w Zielonej Górze"), ("Gorzów Wielkopolski", "w Gorzowie Wielkopolskim"),
        ("Nowa Sól", "w Nowej Soli"), ("Żary", "w Żarach"), ("Świebodzin", "w Świebodzinie"),
        ("Kostrzyn nad Odrą", "w Kostrzynie nad Odrą"),
    ]),
    "lodzkie": ("Łódzkiego", [
        ("Łódź", "w Łodzi"), ("Piotrków Trybunalski", "w Piotrkowie Trybunalskim"),
        ("Pabianice", "w Pabianicach"), ("Tomaszów Mazowiecki", "w Tomaszowie Mazowieckim"),
        ("Bełchatów", "w Bełchatowie"), ("Zgierz", "w Zgierzu"),
        ("Skierniewice", "w Skierniewicach"),
    ]),
    "malopolskie": ("Małopolskiego", [
        ("Kraków", "w Krakowie"), ("Tarnów", "w Tarnowie"), ("Nowy Sącz", "w Nowym Sączu"),
        ("Oświęcim", "w Oświęcimiu"), ("Wieliczka", "w Wieliczce"), ("Nowy Targ", "w Nowym Targu"),
        ("Niepołomice", "w Niepołomicach"),
    ]),
    "mazowieckie": ("Mazowieckiego", [
        ("Warszawa", "w Warszawie"), ("Radom", "w Radomiu"), ("Płock", "w Płocku"),
        ("Siedlce", "w Siedlcach"), ("Pruszków", "w Pruszkowie"), ("Piaseczno", "w Piasecznie"),
        ("Ostrołęka", "w Ostrołęce"),
    ]),
    "opolskie": ("Opolskiego", [
        ("Opole", "w Opolu"), ("Kędzierzyn-Koźle", "w Kędzierzynie-Koźlu"), ("Nysa", "w Nysie"),
        ("Brzeg", "w Brzegu"), ("Krapkowice", "w Krapkowicach"), ("Kluczbork", "w Kluczborku"),
    ]),
    "podkarpackie": ("Podkarpackiego", [
        ("Rzeszów", "w Rzeszowie"), ("Mielec", "w Mielcu"), ("Krosno", "w Krośnie"),
        ("Stalowa Wola", "w Stalowej Woli"), ("Dębica", "w Dębicy"), ("Jasło", "w Jaśle"),
        ("Sanok", "w Sanoku"),
    ]),
    "podlaskie": ("Podlaskiego", [
        ("Białystok", "w Białymstoku"), ("Suwałki", "w Suwałkach"), ("Łomża", "w Łomży"),
        ("Augustów", "w Augustowie"), ("Bielsk Podlaski", "w Bielsku Podlaskim"),
        ("Zambrów", "w Zambrowie"),
    ]),
    "pomorskie": ("Pomorskiego", [
        ("Gdańsk", "w Gdańsku"), ("Gdynia", "w Gdyni"), ("Słupsk", "w Słupsku"),
        ("Tczew", "w Tczewie"), ("Wejherowo", "w Wejherowie"),
        ("Starogard Gdański", "w Starogardzie Gdańskim"), ("Kwidzyn", "w Kwidzynie"),
    ]),
    "slaskie": ("Śląskiego", [
        ("Katowice", "w Katowicach"), ("Gliwice", "w Gliwicach"),
        ("Bielsko-Biała", "w Bielsku-Białej"), ("Częstochowa", "w Częstochowie"),
        ("Tychy", "w Tychach"), ("Rybnik", "w Rybniku"), ("Sosnowiec", "w Sosnowcu"),
    ]),
    "swietokrzyskie": ("Świętokrzyskiego", [
        ("Kielce", "w Kielcach"), ("Ostrowiec Świętokrzyski", "w Ostrowcu Świętokrzyskim"),
        ("Starachowice", "w Starachowicach"), ("Skarżysko-Kamienna", "w Skarżysku-Kamiennej"),
        ("Sandomierz", "w Sandomierzu"), ("Końskie", "w Końskich"),
    ]),
    "warminsko-mazurskie": ("Warmińsko-Mazurskiego", [
        ("Olsztyn", "w Olsztynie"), ("Elbląg", "w Elblągu"), ("Ełk", "w Ełku"),
        ("Ostróda", "w Ostródzie"), ("Iława", "w Iławie"), ("Giżycko", "w Giżycku"),
    ]),
    "wielkopolskie": ("Wielkopolskiego", [
        ("Poznań", "w Poznaniu"), ("Kalisz", "w Kaliszu"), ("Konin", "w Koninie"),
        ("Piła", "w Pile"), ("Leszno", "w Lesznie"), ("Gniezno", "w Gnieźnie"),
        ("Ostrów Wielkopolski", "w Ostrowie Wielkopolskim"),
    ]),
    "zachodniopomorskie": ("Zachodniopomorskiego", [
        ("Szczecin", "w Szczecinie"), ("Koszalin", "w Koszalinie"), ("Stargard", "w Stargardzie"),
        ("Kołobrzeg", "w Kołobrzegu"), ("Świnoujście", "w Świnoujściu"), ("Police", "w Policach"),
    ]),
}  # fmt: skip

# the first digits of NIPs given by tax offices of the region, and the region's REGON prefix
TAX_OFFICES: dict[str, tuple[list[str], str]] = {
    "dolnoslaskie": (["894", "895", "896", "886", "611"], "02"),
    "kujawsko-pomorskie": (["554", "953", "879", "888", "556"], "04"),
    "lubelskie": (["712", "713", "946", "922", "716"], "06"),
    "lubuskie": (["929", "973", "599", "925"], "08"),
    "lodzkie": (["725", "727", "771", "731", "836"], "10"),
    "malopolskie": (["676", "677", "679", "734", "549"], "12"),
    "mazowieckie": (["521", "525", "526", "527", "951", "774", "796"], "14"),
    "opolskie": (["754", "991", "749", "753"], "16"),
    "podkarpackie": (["813", "817", "872", "684", "865"], "18"),
    "podlaskie": (["542", "543", "966", "718", "844"], "20"),
    "pomorskie": (["583", "584", "586", "587", "588"], "22"),
    "slaskie": (["631", "634", "954", "969", "547", "648"], "24"),
    "swietokrzyskie": (["657", "959", "661", "664"], "26"),
    "warminsko-mazurskie": (["739", "745", "578", "848"], "28"),
    "wielkopolskie": (["777", "778", "779", "781", "618"], "30"),
    "zachodniopomorskie": (["851", "852", "955", "853", "671"], "32"),
}


def region_adjective(region: str, ending: str = "i") -> str:
    """``Podkarpacki`` (``i``), ``Podkarpacka`` (``a``), ``Podkarpackie`` (``ie``)."""
    return REGIONS[region][0][:-4] + ending


def towns(region: str) -> list[tuple[str, str]]:
    return REGIONS[region][1]


def locative(town: str) -> str:
    """``w Rzeszowie`` for ``Rzeszów``."""
    for _genitive, listed in REGIONS.values():
        for name, where in listed:
            if name == town:
                return where
    return f"w miejscowości {town}"


@dataclass(frozen=True)
class Theme:
    specialisation: str  # the cluster's specialisation as the registry shows it
    smart: tuple[str, ...]  # KIS codes
    genitive: str  # "rozwoju …"
    description: str
    prefixes: tuple[str, ...]  # brand stems of member firms
    suffixes: tuple[str, ...]
    trades: tuple[str, ...]  # what a sole trader or a plant does
    works: str  # "Zakłady …" of a large firm (none in a field without plants)


THEMES: dict[str, Theme] = {
    "aviation": Theme(
        "Przemysł lotniczy", ("KIS 6", "KIS 8"), "przemysłu lotniczego",
        "Zrzesza producentów części i podzespołów lotniczych, zakłady obróbki skrawaniem i "
        "kompozytów, biura konstrukcyjne oraz uczelnie kształcące inżynierów lotnictwa. Wspólne "
        "projekty obejmują certyfikację dostawców według AS9100, szkolenia operatorów maszyn CNC "
        "i wspólną ofertę dla producentów silników i płatowców.",
        ("Aero", "Avio", "Skymet", "Jetcom", "Aerokom", "Lotpol", "Avia", "Pilot"),
        ("tech", "parts", "service", "mech", "kompozyt", "precyzja", "system"),
        ("Obróbka Skrawaniem", "Usługi Inżynierskie", "Projektowanie Konstrukcji Lotniczych",
         "Kontrola Jakości i Pomiary", "Narzędziownia"),
        "Lotnicze",
    ),
    "maritime": Theme(
        "Gospodarka morska", ("KIS 13",), "gospodarki morskiej",
        "Łączy stocznie remontowe, producentów wyposażenia statków i jachtów, firmy "
        "projektowe i serwisowe oraz ośrodki badawcze gospodarki morskiej. Członkowie wspólnie "
        "uczestniczą w targach branżowych, prowadzą projekty z zakresu napędów niskoemisyjnych "
        "i kształcą kadry dla przemysłu okrętowego.",
        ("Marin", "Navi", "Balt", "Port", "Kadłub", "Keja", "Okręt", "Bosman"),
        ("tech", "serwis", "projekt", "stal", "mar", "kom", "pol"),
        ("Usługi Spawalnicze", "Projektowanie Okrętowe", "Serwis Silników Okrętowych",
         "Wyposażenie Jachtów", "Konstrukcje Stalowe"),
        "Okrętowe",
    ),
    "metal": Theme(
        "Obróbka metali", ("KIS 7", "KIS 8"), "przemysłu metalowego",
        "Skupia odlewnie, zakłady obróbki plastycznej i skrawaniem, producentów konstrukcji "
        "stalowych oraz dostawców narzędzi. Klaster prowadzi wspólne zakupy materiałów, "
        "laboratorium badań wytrzymałościowych i programy szkoleniowe dla spawaczy i "
        "operatorów obrabiarek.",
        ("Metal", "Stal", "Odlew", "Kuźnia", "Polmet", "Ferro", "Inox", "Tokar"),
        ("pol", "tech", "mex", "form", "bud", "serwis", "projekt"),
        ("Obróbka Metali", "Usługi Ślusarskie", "Cięcie Laserowe", "Spawalnictwo",
         "Galwanizernia"),
        "Metalowe",
    ),
    "ict": Theme(
        "Technologie informacyjne i komunikacyjne", ("KIS 10", "KIS 11"),
        "branży teleinformatycznej",
        "Zrzesza software house'y, integratorów systemów, dostawców usług chmurowych i "
        "cyberbezpieczeństwa oraz wydziały informatyki uczelni. Członkowie wspólnie "
        "przygotowują oferty dla administracji publicznej, prowadzą akademię programowania i "
        "projekty badawcze z zakresu sztucznej inteligencji.",
        ("Info", "Data", "Soft", "Net", "Cyber", "Cloud", "Kod", "Bit"),
        ("sys", "soft", "lab", "net", "works", "logic", "serwis"),
        ("Usługi Informatyczne", "Programowanie i Doradztwo IT", "Administracja Systemami",
         "Projektowanie Aplikacji", "Bezpieczeństwo Sieci"),
        "",
    ),
    "medical": Theme(
        "Ochrona zdrowia i technologie medyczne", ("KIS 1",), "sektora ochrony zdrowia",
        "Łączy producentów wyrobów medycznych, laboratoria diagnostyczne, podmioty lecznicze "
        "i firmy biotechnologiczne z uczelniami medycznymi. Członkowie wspólnie prowadzą "
        "badania kliniczne, przygotowują dokumentację rejestracyjną wyrobów i rozwijają usługi "
        "telemedyczne.",
        ("Medi", "Salus", "Vita", "Bio", "Cardio", "Derma", "Ortho", "Diagno"),
        ("med", "lab", "pharm", "care", "tech", "gen", "sys"),
        ("Gabinet Rehabilitacji", "Laboratorium Analiz", "Usługi Medyczne",
         "Protetyka Stomatologiczna", "Sprzęt Medyczny"),
        "",
    ),
    "furniture": Theme(
        "Przemysł meblarski", ("KIS 5",), "przemysłu meblarskiego",
        "Skupia producentów mebli skrzyniowych i tapicerowanych, zakłady przetwórstwa "
        "drewna, dostawców okuć i tkanin oraz projektantów wnętrz. Klaster organizuje wspólne "
        "stoiska na targach zagranicznych, szkoli stolarzy i tapicerów i wdraża gospodarkę "
        "odpadami drzewnymi.",
        ("Mebl", "Drew", "Forma", "Tapi", "Stol", "Sosn", "Dąb", "Wood"),
        ("pol", "art", "line", "mex", "design", "bud", "form"),
        ("Stolarstwo", "Tapicerstwo", "Projektowanie Wnętrz", "Lakiernia Meblowa",
         "Produkcja Okuć"),
        "Meblowe",
    ),
    "chemistry": Theme(
        "Przemysł chemiczny", ("KIS 3",), "przemysłu chemicznego",
        "Zrzesza zakłady chemii podstawowej i specjalistycznej, producentów tworzyw "
        "sztucznych, laboratoria analityczne i firmy inżynieryjne. Członkowie wspólnie "
        "realizują projekty zielonej chemii, dzielą infrastrukturę badawczą i kształcą "
        "techników procesów chemicznych.",
        ("Chem", "Poli", "Synt", "Azot", "Eko", "Kat", "Plast", "Lab"),
        ("chem", "pol", "tech", "lab", "plast", "synt", "serwis"),
        ("Usługi Laboratoryjne", "Analizy Chemiczne", "Doradztwo Środowiskowe",
         "Dystrybucja Odczynników", "Projektowanie Instalacji"),
        "Chemiczne",
    ),
    "energy": Theme(
        "Energetyka odnawialna", ("KIS 4",), "energetyki odnawialnej",
        "Łączy wytwórców energii ze źródeł odnawialnych, instalatorów fotowoltaiki i pomp "
        "ciepła, spółdzielnie energetyczne, samorządy i ośrodki badawcze. Klaster prowadzi "
        "wspólne projekty magazynowania energii i modernizacji sieci oraz doradza gminom w "
        "transformacji energetycznej.",
        ("Eko", "Solar", "Wind", "Volt", "Energo", "Helio", "Termo", "Hydro"),
        ("tech", "pol", "system", "serwis", "projekt", "net", "instal"),
        ("Instalacje Fotowoltaiczne", "Usługi Elektroinstalacyjne", "Montaż Pomp Ciepła",
         "Audyty Energetyczne", "Serwis Turbin"),
        "Energetyczne",
    ),
    "food": Theme(
        "Przetwórstwo spożywcze", ("KIS 2",), "przetwórstwa rolno-spożywczego",
        "Skupia przetwórnie mleka, mięsa, owoców i warzyw, gospodarstwa rolne, producentów "
        "opakowań i laboratoria żywności. Członkowie wspólnie promują regionalne produkty, "
        "wdrażają systemy jakości i prowadzą badania nad żywnością funkcjonalną.",
        ("Agro", "Mleko", "Smak", "Sad", "Polsmak", "Zboż", "Ogrod", "Rolnik"),
        ("pol", "mex", "prod", "food", "fruct", "vit", "sad"),
        ("Gospodarstwo Ogrodnicze", "Przetwórstwo Owoców", "Piekarnia", "Ubojnia Drobiu",
         "Tłocznia Soków"),
        "Mięsne",
    ),
    "automotive": Theme(
        "Przemysł motoryzacyjny", ("KIS 6", "KIS 12"), "przemysłu motoryzacyjnego",
        "Zrzesza dostawców części dla producentów samochodów osobowych i użytkowych, "
        "zakłady tłoczenia i odlewnictwa, firmy automatyki oraz ośrodki badawcze. Klaster "
        "prowadzi wspólny program rozwoju dostawców, szkolenia z zakresu Lean Manufacturing "
        "i projekty elektromobilności.",
        ("Auto", "Moto", "Car", "Drive", "Polmo", "Elektro", "Trans", "Wheel"),
        ("parts", "tech", "mex", "form", "line", "serwis", "system"),
        ("Mechanika Pojazdowa", "Automatyka Przemysłowa", "Tłocznia", "Lakiernia Proszkowa",
         "Wiązki Elektryczne"),
        "Motoryzacyjne",
    ),
    "games": Theme(
        "Gry wideo i technologie kreatywne", ("KIS 11",), "branży gier wideo",
        "Łączy studia tworzące gry wideo, firmy produkcji animacji i efektów specjalnych, "
        "wydawców oraz uczelnie artystyczne i techniczne. Członkowie wspólnie występują na "
        "międzynarodowych targach, prowadzą inkubator zespołów deweloperskich i testy "
        "użyteczności gier.",
        ("Pixel", "Game", "Play", "Story", "Quest", "Arcade", "Level", "Motion"),
        ("studio", "works", "lab", "games", "art", "forge", "house"),
        ("Grafika Komputerowa", "Produkcja Dźwięku", "Animacja 3D", "Testowanie Gier",
         "Lokalizacja Oprogramowania"),
        "",
    ),
    "construction": Theme(
        "Budownictwo energooszczędne", ("KIS 4", "KIS 5"), "budownictwa energooszczędnego",
        "Skupia wykonawców, producentów materiałów budowlanych i stolarki, biura projektowe, "
        "firmy instalacyjne i uczelnie techniczne. Klaster promuje budownictwo pasywne i "
        "drewniane, prowadzi wspólne szkolenia certyfikowanych instalatorów i badania "
        "przegród budowlanych.",
        ("Bud", "Dom", "Ekodom", "Termo", "Stolbud", "Mur", "Konstr", "Okno"),
        ("bud", "pol", "mex", "projekt", "tech", "system", "plan"),
        ("Usługi Budowlane", "Biuro Projektowe", "Instalacje Sanitarne", "Stolarka Okienna",
         "Docieplenia Budynków"),
        "Budowlane",
    ),
    "packaging": Theme(
        "Opakowania i poligrafia", ("KIS 5", "KIS 8"), "branży opakowań",
        "Zrzesza producentów opakowań z tektury, tworzyw i szkła, drukarnie, dostawców "
        "maszyn pakujących i firmy recyklingowe. Członkowie wspólnie projektują opakowania "
        "nadające się do recyklingu, badają materiały biodegradowalne i prowadzą szkolenia "
        "z przepisów o rozszerzonej odpowiedzialności producenta.",
        ("Pak", "Karton", "Folia", "Druk", "Pack", "Box", "Etykiet", "Tektur"),
        ("pol", "pak", "mex", "print", "form", "plast", "art"),
        ("Drukarnia", "Produkcja Opakowań", "Introligatornia", "Usługi Pakowania",
         "Projektowanie Graficzne"),
        "Opakowań",
    ),
    "electronics": Theme(
        "Elektronika i fotonika", ("KIS 9",), "elektroniki i fotoniki",
        "Łączy producentów elektroniki profesjonalnej, optyki i laserów, firmy montażu "
        "SMT, projektantów układów scalonych oraz laboratoria uczelni. Klaster prowadzi "
        "wspólne laboratorium kompatybilności elektromagnetycznej i projekty czujników "
        "fotonicznych dla przemysłu.",
        ("Elektro", "Opto", "Lumen", "Laser", "Fotonik", "Sensor", "Micro", "Elmont"),
        ("tech", "lab", "sys", "tronic", "pol", "net", "serwis"),
        ("Montaż Elektroniki", "Projektowanie Układów", "Naprawa Aparatury",
         "Usługi Pomiarowe", "Automatyka i Sterowanie"),
        "Elektroniczne",
    ),
    "logistics": Theme(
        "Transport i logistyka", ("KIS 6",), "branży transportowo-logistycznej",
        "Skupia przewoźników drogowych i kolejowych, operatorów centrów logistycznych i "
        "terminali, spedytorów oraz dostawców systemów śledzenia przesyłek. Członkowie "
        "wspólnie optymalizują przewozy, wdrażają paliwa alternatywne we flotach i szkolą "
        "kierowców i magazynierów.",
        ("Trans", "Spedy", "Log", "Cargo", "Terminal", "Flota", "Kurier", "Tir"),
        ("pol", "trans", "log", "serwis", "mex", "net", "hub"),
        ("Transport Drogowy", "Usługi Spedycyjne", "Magazynowanie", "Przewóz Osób",
         "Serwis Pojazdów Ciężarowych"),
        "Transportowe",
    ),
}  # fmt: skip

# (name, theme, voivodeship, town of the coordinator, founded year, members about)
CLUSTERS: list[tuple[str, str, str, str, int, int]] = [
    ("Klaster Lotniczy Aerodolina", "aviation", "podkarpackie", "Rzeszów", 2008, 140),
    ("Pomorski Klaster Technologii Morskich", "maritime", "pomorskie", "Gdynia", 2009, 95),
    ("Śląski Klaster Obróbki Metali", "metal", "slaskie", "Gliwice", 2007, 150),
    ("Mazowiecki Klaster Cyfrowy", "ict", "mazowieckie", "Warszawa", 2010, 130),
    ("Klaster Medyczny Salus", "medical", "lodzkie", "Łódź", 2011, 86),
    ("Wielkopolski Klaster Meblarski", "furniture", "wielkopolskie", "Gniezno", 2006, 120),
    ("Klaster Zielonej Chemii Odra", "chemistry", "opolskie", "Kędzierzyn-Koźle", 2009, 78),
    ("Dolnośląski Klaster Energii Odnawialnej", "energy", "dolnoslaskie", "Wrocław", 2012, 104),
    ("Klaster Spożywczy Smaki Kujaw", "food", "kujawsko-pomorskie", "Toruń", 2010, 92),
    ("Beskidzki Klaster Motoryzacyjny", "automotive", "slaskie", "Bielsko-Biała", 2008, 110),
    ("Krakowski Klaster Gier i Technologii Kreatywnych", "games", "malopolskie", "Kraków",
     2013, 72),
    ("Klaster Budownictwa Energooszczędnego Ekodom", "construction", "lubelskie", "Lublin",
     2011, 66),
    ("Łódzki Klaster Opakowań", "packaging", "lodzkie", "Pabianice", 2012, 34),
    ("Klaster Fotoniki Lumenia", "electronics", "dolnoslaskie", "Wrocław", 2010, 76),
    ("Klaster Logistyczny Brama Wschodu", "logistics", "lubelskie", "Biała Podlaska", 2013,
     61),
    ("Zachodniopomorski Klaster Morski", "maritime", "zachodniopomorskie", "Szczecin", 2006,
     115),
    ("Podlaski Klaster Drzewno-Meblarski", "furniture", "podlaskie", "Białystok", 2009, 70),
    ("Świętokrzyski Klaster Metalowy", "metal", "swietokrzyskie", "Kielce", 2005, 98),
    ("Bałtycki Klaster ICT", "ict", "pomorskie", "Gdańsk", 2012, 88),
    ("Warmińsko-Mazurski Klaster Spożywczy", "food", "warminsko-mazurskie", "Olsztyn", 2011,
     64),
    ("Lubuski Klaster Energetyczny", "energy", "lubuskie", "Zielona Góra", 2014, 40),
    ("Wschodni Klaster Medyczny", "medical", "lubelskie", "Lublin", 2013, 58),
    ("Mazowiecki Klaster Chemiczny", "chemistry", "mazowieckie", "Płock", 2008, 82),
    ("Wielkopolski Klaster Motoryzacyjny", "automotive", "wielkopolskie", "Poznań", 2014, 90),
    ("Klaster Lotniczy Skrzydła Mazowsza", "aviation", "mazowieckie", "Radom", 2015, 56),
    ("Śląski Klaster Wodorowy", "energy", "slaskie", "Katowice", 2019, 30),
    ("Kujawsko-Pomorski Klaster Opakowań", "packaging", "kujawsko-pomorskie", "Bydgoszcz",
     2014, 62),
    ("Warszawski Klaster Mikroelektroniki", "electronics", "mazowieckie", "Warszawa", 2016,
     68),
    ("Śląski Klaster Logistyczny", "logistics", "slaskie", "Sosnowiec", 2017, 60),
    ("Łódzki Klaster Gier", "games", "lodzkie", "Łódź", 2018, 38),
    ("Południowowielkopolski Klaster Budowlany", "construction", "wielkopolskie", "Kalisz",
     2010, 74),
    ("Sudecki Klaster Medyczny", "medical", "dolnoslaskie", "Wałbrzych", 2012, 57),
    ("Klaster Obróbki Metali Nadodrze", "metal", "lubuskie", "Gorzów Wielkopolski", 2011, 66),
    ("Podkarpacki Klaster Informatyczny", "ict", "podkarpackie", "Rzeszów", 2010, 62),
    ("Klaster Rolno-Spożywczy Zielone Podlasie", "food", "podlaskie", "Łomża", 2013, 55),
    ("Klaster Chemii Przemysłowej Wisła", "chemistry", "lubelskie", "Puławy", 2009, 59),
    ("Klaster Pojazdów Użytkowych Kamienna", "automotive", "swietokrzyskie", "Starachowice",
     2016, 42),
    ("Warmińsko-Mazurski Klaster Jachtowy", "maritime", "warminsko-mazurskie", "Iława",
     2010, 61),
    ("Opolski Klaster Energetyczny", "energy", "opolskie", "Opole", 2015, 63),
    ("Klaster Technologii Kreatywnych Pomorza Zachodniego", "games", "zachodniopomorskie",
     "Szczecin", 2017, 44),
    ("Kujawsko-Pomorski Klaster Logistyczny", "logistics", "kujawsko-pomorskie", "Toruń",
     2012, 57),
    ("Podhalański Klaster Budownictwa Drewnianego", "construction", "malopolskie",
     "Nowy Targ", 2014, 36),
]  # fmt: skip

# a cluster beyond the listed ones: "<region adjective> <stem>"
THEME_STEMS = {
    "aviation": "Klaster Lotniczy",
    "maritime": "Klaster Morski",
    "metal": "Klaster Metalowy",
    "ict": "Klaster ICT",
    "medical": "Klaster Medyczny",
    "furniture": "Klaster Meblarski",
    "chemistry": "Klaster Chemiczny",
    "energy": "Klaster Energetyczny",
    "food": "Klaster Spożywczy",
    "automotive": "Klaster Motoryzacyjny",
    "games": "Klaster Gier",
    "construction": "Klaster Budowlany",
    "packaging": "Klaster Opakowań",
    "electronics": "Klaster Elektroniki",
    "logistics": "Klaster Logistyczny",
}


def cluster_specs(count: int, rng: random.Random) -> list[tuple[str, str, str, str, int, int]]:
    """The listed clusters, then as many more as ``count`` asks for."""
    specs = list(CLUSTERS[:count])
    used = {spec[0] for spec in specs}
    combos = [(theme, region) for region in REGIONS for theme in THEME_STEMS]
    rng.shuffle(combos)
    for theme, region in combos:
        if len(specs) >= count:
            break
        name = f"{region_adjective(region)} {THEME_STEMS[theme]}"
        if name in used:
            continue
        used.add(name)
        town = rng.choice(towns(region))[0]
        specs.append((name, theme, region, town, rng.randint(2005, 2019), rng.randint(30, 120)))
    if len(specs) < count:
        raise ValueError(f"the demo has names for {len(specs)} clusters, not {count}")
    return specs


# People: (male, female) surnames and first names.
SURNAMES = [
    ("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"), ("Kowalczyk", "Kowalczyk"), ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"), ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"), ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"),
    ("Nowakowski", "Nowakowska"), ("Pawłowski", "Pawłowska"), ("Michalski", "Michalska"),
    ("Nowicki", "Nowicka"), ("Adamczyk", "Adamczyk"), ("Dudek", "Dudek"),
    ("Zając", "Zając"), ("Wieczorek", "Wieczorek"), ("Jabłoński", "Jabłońska"),
    ("Król", "Król"), ("Majewski", "Majewska"), ("Olszewski", "Olszewska"),
    ("Jaworski", "Jaworska"), ("Wróbel", "Wróbel"), ("Malinowski", "Malinowska"),
    ("Pawlak", "Pawlak"), ("Witkowski", "Witkowska"), ("Walczak", "Walczak"),
    ("Stępień", "Stępień"), ("Górski", "Górska"), ("Rutkowski", "Rutkowska"),
    ("Michalak", "Michalak"), ("Sikora", "Sikora"), ("Ostrowski", "Ostrowska"),
    ("Baran", "Baran"), ("Duda", "Duda"), ("Szewczyk", "Szewczyk"), ("Tomaszewski", "Tomaszewska"),
    ("Pietrzak", "Pietrzak"), ("Marciniak", "Marciniak"), ("Wróblewski", "Wróblewska"),
    ("Zalewski", "Zalewska"), ("Jakubowski", "Jakubowska"), ("Jasiński", "Jasińska"),
    ("Zawadzki", "Zawadzka"), ("Sadowski", "Sadowska"), ("Bąk", "Bąk"),
    ("Chmielewski", "Chmielewska"),
    ("Włodarczyk", "Włodarczyk"), ("Borkowski", "Borkowska"), ("Czarnecki", "Czarnecka"),
    ("Sawicki", "Sawicka"), ("Sokołowski", "Sokołowska"), ("Urbański", "Urbańska"),
    ("Kubiak", "Kubiak"), ("Maciejewski", "Maciejewska"), ("Szczepański", "Szczepańska"),
    ("Kucharski", "Kucharska"), ("Wilk", "Wilk"), ("Kalinowski", "Kalinowska"),
    ("Lis", "Lis"), ("Mazurek", "Mazurek"), ("Wysocki", "Wysocka"), ("Adamski", "Adamska"),
    ("Kaźmierczak", "Kaźmierczak"), ("Wasilewski", "Wasilewska"), ("Sobczak", "Sobczak"),
    ("Czerwiński", "Czerwińska"), ("Andrzejewski", "Andrzejewska"), ("Cieślak", "Cieślak"),
    ("Głowacki", "Głowacka"), ("Zakrzewski", "Zakrzewska"), ("Kołodziej", "Kołodziej"),
]  # fmt: skip
MEN = [
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Marcin",
    "Michał",
    "Marek",
    "Grzegorz",
    "Jakub",
    "Adam",
    "Łukasz",
    "Mariusz",
    "Wojciech",
    "Rafał",
    "Dariusz",
    "Jacek",
    "Maciej",
    "Sławomir",
    "Robert",
    "Artur",
    "Przemysław",
    "Bartosz",
    "Kamil",
    "Zbigniew",
    "Jerzy",
]
WOMEN = [
    "Anna",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Magdalena",
    "Joanna",
    "Monika",
    "Aleksandra",
    "Beata",
    "Dorota",
    "Justyna",
    "Iwona",
    "Karolina",
    "Marta",
    "Elżbieta",
    "Renata",
    "Natalia",
    "Paulina",
    "Sylwia",
    "Izabela",
    "Agata",
    "Grażyna",
]


def person(rng: random.Random) -> tuple[str, str]:
    """(first name, last name)."""
    male, female = rng.choice(SURNAMES)
    if rng.random() < 0.5:
        return rng.choice(MEN), male
    return rng.choice(WOMEN), female


# --- identifiers ------------------------------------------------------------------------------


def nip(rng: random.Random, region: str, seen: set[str]) -> str:
    offices = TAX_OFFICES[region][0]
    while True:
        digits = rng.choice(offices) + f"{rng.randrange(1_000_000):06d}"
        total = sum(w * int(d) for w, d in zip((6, 5, 7, 2, 3, 4, 5, 6, 7), digits, strict=True))
        check = total % 11
        if check == 10:
            continue
        number = digits + str(check)
        if number not in seen and stdnum_nip.is_valid(number):
            seen.add(number)
            return number


def regon(rng: random.Random, region: str) -> str:
    digits = TAX_OFFICES[region][1] + f"{rng.randrange(1, 1_000_000):06d}"
    return digits + stdnum_regon.calc_check_digit(digits)


def krs(rng: random.Random) -> str:
    return f"{rng.randint(12_000, 1_090_000):010d}"


# --- organisations ----------------------------------------------------------------------------

GENERAL_TRADES = (
    "Biuro Rachunkowe", "Doradztwo Gospodarcze", "Kancelaria Patentowa", "Usługi Szkoleniowe",
    "Agencja Marketingowa", "Tłumaczenia Techniczne", "Doradztwo Podatkowe", "Usługi BHP",
)  # fmt: skip


def enterprise_name(rng: random.Random, theme: Theme, size: str, region: str) -> tuple[str, bool]:
    """A member firm's name with a legal form that fits its size, and whether it is in the KRS
    (a sole trader or a civil partnership is not)."""
    brand = rng.choice(theme.prefixes) + rng.choice(theme.suffixes)
    brand = brand[0].upper() + brand[1:]
    roll = rng.random()
    if size == "micro":
        if roll < 0.5:
            first, last = person(rng)
            trade = rng.choice(theme.trades if rng.random() < 0.8 else GENERAL_TRADES)
            return f"{trade} {first} {last}", False
        if roll < 0.7:
            return f"{brand} s.c.", False
        return f"{brand} sp. z o.o.", True
    if size == "small":
        if roll < 0.55:
            return f"{brand} sp. z o.o.", True
        if roll < 0.75:
            return f"{rng.choice(theme.trades)} {brand} sp. z o.o.", True
        male = rng.choice(SURNAMES)[0]
        tail = rng.choice(["i Wspólnicy", "i Syn", f"i {rng.choice(SURNAMES)[0]}"])
        return f"{male} {tail} sp. j.", True
    if size == "medium":
        if roll < 0.5:
            return f"{brand} sp. z o.o.", True
        if roll < 0.75:
            return f"{brand} sp. z o.o. sp. k.", True
        return f"{brand} S.A.", True
    if roll < 0.4:
        return f"{brand} S.A.", True
    if roll < 0.7 or not theme.works:
        return f"{brand} Polska sp. z o.o.", True
    return f"{region_adjective(region, 'ie')} Zakłady {theme.works} S.A.", True


def coordinator_name(index: int, cluster: str, theme: Theme, town: str) -> list[str]:
    """Names a coordinator of ``cluster`` may have, the preferred first (the caller takes the
    first not taken yet)."""
    where = locative(town)
    options = [
        f"Stowarzyszenie {cluster}",
        f"Fundacja Rozwoju {theme.genitive.title()} {where}",
        f"{cluster} sp. z o.o.",
        f"Park Naukowo-Technologiczny {where} sp. z o.o.",
        f"Agencja Rozwoju Regionalnego {where} S.A.",
        f"Izba Gospodarcza {theme.genitive.title()}",
    ]
    first = index % len(options)
    return options[first:] + options[:first] + [f"Stowarzyszenie Koordynator {cluster}"]


def institutions(region: str) -> list[tuple[str, str, bool]]:
    """The region's universities, institutes, support bodies, offices and chambers:
    (name, kind, town)."""
    listed = towns(region)
    capital, second, third = listed[0], listed[1], listed[2]
    genitive = REGIONS[region][0]
    return [
        (f"Uniwersytet Techniczno-Przyrodniczy {capital[1]}", "university", capital[0]),
        (f"Akademia Nauk Stosowanych {second[1]}", "university", second[0]),
        (f"Centrum Badawczo-Rozwojowe Materiałów {capital[1]}", "research", capital[0]),
        (f"Instytut Innowacji Przemysłowych {third[1]}", "research", third[0]),
        (f"Inkubator Przedsiębiorczości {second[1]}", "business-support", second[0]),
        (f"Centrum Transferu Technologii {capital[1]}", "business-support", capital[0]),
        (f"{region_adjective(region)} Regionalny Fundusz Pożyczkowy", "business-support",
         capital[0]),
        (f"Urząd Marszałkowski Województwa {genitive}", "public-administration", capital[0]),
        (f"Urząd Miasta {second[0]}", "public-administration", second[0]),
        (f"Izba Przemysłowo-Handlowa {capital[1]}", "other", capital[0]),
        (f"Cech Rzemiosł Różnych {third[1]}", "other", third[0]),
    ]  # fmt: skip


# Foreign members (no NIP): (name, country, town, theme)
FOREIGN = [
    ("Lufttechnik Sachsen GmbH", "DE", "Dresden", "aviation"),
    ("Moravská strojírna s.r.o.", "CZ", "Ostrava", "metal"),
    ("Ostsee Marine Service GmbH", "DE", "Rostock", "maritime"),
    ("Technoplast Brno s.r.o.", "CZ", "Brno", "chemistry"),
    ("Baltijos logistika UAB", "LT", "Kaunas", "logistics"),
    ("Holzmöbel Lausitz GmbH", "DE", "Cottbus", "furniture"),
    ("Slovenské obaly s.r.o.", "SK", "Žilina", "packaging"),
    ("MedTech Vilnius UAB", "LT", "Vilnius", "medical"),
    ("Nordic Composites AB", "SE", "Karlskrona", "aviation"),
    ("Kovo Opava a.s.", "CZ", "Opava", "automotive"),
    ("Sonnenstrom Brandenburg GmbH", "DE", "Frankfurt (Oder)", "energy"),
    ("Pixelforge Studio s.r.o.", "CZ", "Praha", "games"),
]
