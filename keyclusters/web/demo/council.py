"""The demo Council of Key Clusters: the coordinators of the current holders who have an account
(the demo coordinator among them when one of their clusters holds the status), the ministry's and
the agency's representatives; a meeting held two months ago (documents, who attended, two
positions, the minutes recorded) and one planned in a month (agenda and materials)."""

from __future__ import annotations

import datetime as dt
from html import escape

from django.core.files.uploadedfile import SimpleUploadedFile

from keyclusters.accounts.models import User
from keyclusters.council import selectors, services
from keyclusters.council.models import Meeting, Represents


def _pdf(title: str, lines: list[str]) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return HTML(string=f"<h1>{escape(title)}</h1>{body}").write_pdf()


def _upload(meeting: Meeting, title: str, name: str, lines: list[str], operator: User):
    content = _pdf(title, lines)
    return services.add_document(
        meeting=meeting,
        title=title,
        upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
        by=operator,
    )


def build_council(*, operator: User, today: dt.date) -> list[Meeting]:
    since = today - dt.timedelta(days=365)
    members = []
    for proposal in selectors.proposed_members(today):
        if proposal.users:
            members.append(
                services.add_member(
                    user=proposal.users[0],
                    represents=Represents.COORDINATOR,
                    cluster=proposal.cluster,
                    member_from=since,
                    by=operator,
                )
            )
    for username, represents, institution in (
        ("minister", Represents.MINISTRY, "Ministerstwo Rozwoju i Technologii"),
        ("agency", Represents.AGENCY, "Polska Agencja Rozwoju Przedsiębiorczości"),
    ):
        user = User.objects.filter(username=username).first()
        if user is not None:
            members.append(
                services.add_member(
                    user=user,
                    represents=represents,
                    institution=institution,
                    member_from=since,
                    by=operator,
                )
            )

    held = services.plan_meeting(
        held_on=today - dt.timedelta(days=60),
        place="Warszawa, Ministerstwo Rozwoju i Technologii, ul. Plac Trzech Krzyży 3/5",
        agenda="\n".join(
            [
                "Otwarcie posiedzenia i przyjęcie porządku obrad",
                "Ocena działalności Krajowych Klastrów Kluczowych",
                "Badanie ankietowe członków KKK",
                "Monitorowanie rozwoju KKK",
                "Wolne wnioski",
            ]
        ),
        by=operator,
    )
    _upload(
        held,
        "Materiały: monitorowanie rozwoju KKK",
        "materialy-monitorowanie.pdf",
        ["Propozycja wskaźników raportu rocznego koordynatora.", "Harmonogram na kolejny rok."],
        operator,
    )
    minutes = _upload(
        held,
        "Protokół z posiedzenia Rady KKK",
        "protokol-rady-kkk.pdf",
        [
            "Posiedzenie otworzył przedstawiciel ministerstwa.",
            "Rada omówiła ocenę działalności KKK i badanie ankietowe członków.",
            "Rada przyjęła dwa stanowiska.",
        ],
        operator,
    )
    services.record_attendance(meeting=held, attendees=members, by=operator, today=today)
    services.adopt_position(
        meeting=held,
        title="Badanie ankietowe członków KKK",
        text="Rada popiera coroczne anonimowe badanie członków klastrów kluczowych, "
        "prowadzone przez koordynatorów.",
        by=operator,
        today=today,
    )
    services.adopt_position(
        meeting=held,
        title="Monitorowanie rozwoju KKK",
        text="Rada rekomenduje raport roczny koordynatora ze wskaźnikami porównywalnymi z "
        "wnioskiem o status.",
        by=operator,
        today=today,
    )
    services.record_minutes(meeting=held, document=minutes, by=operator, today=today)

    planned = services.plan_meeting(
        held_on=today + dt.timedelta(days=30),
        place="Warszawa, PARP, ul. Pańska 81/83",
        agenda="\n".join(
            [
                "Kryteria nowego instrumentu wsparcia",
                "Nowy katalog Krajowych Klastrów Kluczowych",
                "Wyniki badania ankietowego członków",
            ]
        ),
        by=operator,
    )
    _upload(
        planned,
        "Projekt kryteriów nowego instrumentu",
        "projekt-kryteriow.pdf",
        ["Projekt do dyskusji."],
        operator,
    )
    return [held, planned]
