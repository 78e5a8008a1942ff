"""``keyclusters rulebook validate FILE | show ID [--json] | load FILE_OR_ID``.

``validate`` also checks a monitoring framework (``kind: monitoring-framework``) with the
monitoring framework's own validation; it is stored with ``keyclusters monitoring
store-framework``, not ``load``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from keyclusters.competitions.texts import rulebook_error_text
from keyclusters.domain.monitoring import (
    MONITORING_FRAMEWORK,
    MonitoringFrameworkError,
    parse_monitoring_framework,
)
from keyclusters.domain.monitoring.framework import comparison_issues, shipped_application_fields
from keyclusters.domain.rulebook import (
    RulebookInvalid,
    load_document,
    load_rulebook,
    shipped_rulebook_ids,
    shipped_rulebook_path,
    source_sha256,
)
from keyclusters.registry import uploads


class Command(BaseCommand):
    help = "Validate, show and store rulebooks."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Validate a rulebook file; exit 2 on errors.")
        validate.add_argument("file")
        show = sub.add_parser("show", help="A stored (or shipped) rulebook with its hash.")
        show.add_argument("rulebook_id")
        show.add_argument("--version", type=int, default=None)
        show.add_argument("--json", action="store_true")
        load = sub.add_parser("load", help="Store a rulebook file or shipped id in the database.")
        load.add_argument("source", nargs="+")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"_{action}")(**options)

    def _fail(self, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        sys.exit(2)

    def _read(self, file: str, *, monitoring: bool = False):
        """The rulebook (or benchmarking framework) of ``file``; with ``monitoring``, a
        monitoring framework too (else it is refused: it is not stored as a rulebook)."""
        path = Path(file)
        if not path.exists() and file in shipped_rulebook_ids():
            path = shipped_rulebook_path(file)
        if not path.exists():
            self._fail([_("%(file)s: no such file") % {"file": file}])
        try:
            uploads.check_size(path.stat().st_size, "rulebooks")
        except uploads.FileTooLarge as exc:
            self._fail([f"{file}: {exc}"])
        try:
            text, data = load_document(path)
            if isinstance(data, dict) and data.get("kind") == MONITORING_FRAMEWORK:
                if not monitoring:
                    self._fail(
                        [_("%(file)s: a monitoring framework is stored with "
                           "'keyclusters monitoring store-framework'") % {"file": file}]
                    )  # fmt: skip
                return self._monitoring_framework(file, text, data)
            return load_rulebook(path)
        except RulebookInvalid as exc:
            self._fail([f"{file}: {rulebook_error_text(error)}" for error in exc.errors])

    def _monitoring_framework(self, file: str, text: str, data: dict):
        try:
            framework = parse_monitoring_framework(data)
        except MonitoringFrameworkError as exc:
            self._fail(
                [f"{file}: {error.path}: "
                 f"{_(error.msgid) % dict(error.params) if error.params else _(error.msgid)}"
                 for error in exc.errors]
            )  # fmt: skip
        # the application fields it compares with, as the shipped rulebooks have them (storing
        # the framework checks the stored rulebooks' fields too)
        fields = shipped_application_fields(framework.status_type)
        problems = comparison_issues(framework, fields) if fields else []
        if problems:
            self._fail(
                [f"{file}: {error.path}: {_(error.msgid) % dict(error.params)}"
                 for error in problems]
            )  # fmt: skip
        return SimpleNamespace(
            id=framework.id, version=framework.version, sha256=source_sha256(text)
        )

    def _validate(self, *, file: str, **options) -> None:
        rulebook = self._read(file, monitoring=True)
        maximum = getattr(rulebook, "maximum", None)
        self.stdout.write(
            _("%(file)s: valid (%(id)s version %(version)s, sha256 %(sha)s)")
            % {"file": file, "version": rulebook.version, **_identity(rulebook)}
            + (f", max {maximum}" if maximum is not None else "")
        )

    def _load(self, *, source: list[str], **options) -> None:
        from keyclusters.competitions.services import CompetitionError, store_rulebook

        for item in source:
            rulebook = self._read(item)
            try:
                stored = store_rulebook(source=rulebook.source)
            except CompetitionError as exc:
                self._fail([f"{item}: {message}" for message in exc.messages])
            self.stdout.write(f"{stored.rulebook_id} v{stored.version} {stored.sha256}")

    def _show(self, *, rulebook_id: str, version: int | None, json: bool, **options) -> None:
        from keyclusters.competitions.models import StoredRulebook

        stored = StoredRulebook.objects.filter(rulebook_id=rulebook_id)
        if version is not None:
            stored = stored.filter(version=version)
        found = stored.order_by("-version").first()
        if found is not None:
            text, sha, where, frozen = found.source, found.sha256, "database", found.frozen_at
            rulebook = load_rulebook(text)
        elif rulebook_id in shipped_rulebook_ids() and version is None:
            rulebook = self._read(rulebook_id)
            text, sha, where, frozen = rulebook.source, rulebook.sha256, "shipped", None
        else:
            raise CommandError(_("No rulebook %(id)s is stored.") % {"id": rulebook_id})
        if json:
            document = {
                "id": rulebook.id,
                "version": rulebook.version,
                "kind": rulebook.kind,
                "sha256": sha,
                "stored": where,
                "frozen_at": frozen.isoformat() if frozen else None,
                "maximum": str(rulebook.maximum) if hasattr(rulebook, "maximum") else None,
                "rulebook": rulebook.model_dump(mode="json", by_alias=True),
            }
            self.stdout.write(_json_dumps(document))
            return
        self.stdout.write(f"# {rulebook.id} v{rulebook.version} sha256={sha} ({where})")
        self.stdout.write(text.rstrip("\n"))


def _json_dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def _identity(rulebook) -> dict[str, str]:
    """A competition edition's id and hash, or a benchmarking framework's (named by its
    ``rulebook`` field, hashed canonically)."""
    if hasattr(rulebook, "canonical_sha256"):
        return {"id": rulebook.rulebook, "sha": rulebook.canonical_sha256()}
    return {"id": rulebook.id, "sha": rulebook.sha256}
