"""Whose database is this? ``keyclusters demo`` loads its data only into an empty database or
into one that holds nothing but the demo's own data.

The demo's accounts are recognised by what the demo gives them: its logins have e-mail
addresses in the reserved example domain, the experts' colleagues (names from
``evaluation.EXPERTS``) have no e-mail and no usable password, and the coordinators' staff
(``coordinator-<n>``, ``coordinator-<n>-<m>``) have no e-mail and are inactive. Any other
account, or clusters and organisations without the demo's logins, means that someone else's
data is there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyclusters.accounts.models import User
from keyclusters.registry.models import Cluster, Organisation

from .evaluation import EXPERTS
from .users import LOGINS, demo_email

LOGIN_NAMES = frozenset(spec[0] for spec in LOGINS)
COLLEAGUE_NAMES = frozenset(spec[0] for spec in EXPERTS) - LOGIN_NAMES
COORDINATOR_STAFF = re.compile(r"coordinator-\d+(-\d+)?")
SHOWN = 5  # account names shown in a message


def is_demo_account(username: str, email: str, is_active: bool, password: str) -> bool:
    if username in LOGIN_NAMES:
        return email == demo_email(username)
    if username in COLLEAGUE_NAMES:
        return email == "" and password.startswith(UNUSABLE_PASSWORD_PREFIX)
    if COORDINATOR_STAFF.fullmatch(username):
        return email == "" and not is_active
    return False


@dataclass(frozen=True)
class Survey:
    """What a database holds, as far as the demo is concerned."""

    foreign_accounts: tuple[str, ...] = ()
    demo_logins: int = 0
    clusters: int = 0
    organisations: int = 0
    unreadable: str = ""

    @property
    def empty(self) -> bool:
        return not (
            self.foreign_accounts or self.demo_logins or self.clusters or self.organisations
        )

    @property
    def demo_only(self) -> bool:
        """Empty, or holding the demo's data and nothing else that the demo can tell."""
        if self.unreadable or self.foreign_accounts:
            return False
        return self.demo_logins > 0 or not (self.clusters or self.organisations)

    def findings(self) -> str:
        """What in the database is not the demo's, in a sentence or two."""
        if self.unreadable:
            return _("The database could not be read: %(error)s.") % {"error": self.unreadable}
        parts = []
        if self.foreign_accounts:
            names = ", ".join(sorted(self.foreign_accounts)[:SHOWN])
            more = len(self.foreign_accounts) - SHOWN
            parts.append(
                ngettext(
                    "%(count)d account that the demo does not create (%(names)s)",
                    "%(count)d accounts that the demo does not create (%(names)s)",
                    len(self.foreign_accounts),
                )
                % {
                    "count": len(self.foreign_accounts),
                    "names": names + (f", … (+{more})" if more > 0 else ""),
                }
            )
        if (self.clusters or self.organisations) and not self.demo_logins:
            parts.append(
                _(
                    "%(clusters)d clusters and %(organisations)d organisations without the "
                    "demo's accounts"
                )
                % {"clusters": self.clusters, "organisations": self.organisations}
            )
        return _("The database holds data that is not the demo's: %(findings)s.") % {
            "findings": "; ".join(parts)
        }


def survey() -> Survey:
    """Look at the database without changing it (its tables may not exist yet)."""
    try:
        tables = set(connection.introspection.table_names())
        if User._meta.db_table not in tables:
            return Survey()
        foreign, demo_logins = [], 0
        rows = User.objects.values_list("username", "email", "is_active", "password")
        for username, email, is_active, password in rows.iterator():
            if not is_demo_account(username, email, is_active, password):
                foreign.append(username)
            elif username in LOGIN_NAMES:
                demo_logins += 1
        clusters = Cluster.objects.count() if Cluster._meta.db_table in tables else 0
        organisations = Organisation.objects.count() if Organisation._meta.db_table in tables else 0
    except DatabaseError as exc:
        return Survey(unreadable=str(exc).strip() or exc.__class__.__name__)
    return Survey(
        foreign_accounts=tuple(foreign),
        demo_logins=demo_logins,
        clusters=clusters,
        organisations=organisations,
    )
