"""``keyclusters simulate SCENARIO [--json]``: a whole competition in a throw-away database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

FLAG = "KEYCLUSTERS_SIMULATION"


class Command(BaseCommand):
    help = "Run a competition from a scenario file in a throw-away database and report it."

    def add_arguments(self, parser):
        parser.add_argument("scenario")
        parser.add_argument("--json", action="store_true", help="One JSON document on stdout.")

    def handle(self, *args, scenario: str, json: bool, **options):
        if os.environ.get(FLAG) != "1":
            sys.exit(self._in_throwaway_database(scenario, json))
        from keyclusters.evaluation.simulation import ScenarioError, load_scenario, run

        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = run(load_scenario(scenario))
        except ScenarioError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        if json:
            self.stdout.write(_dumps(result))
        else:
            self._table(result)

    def _in_throwaway_database(self, scenario: str, as_json: bool) -> int:
        if not Path(scenario).exists():
            self.stderr.write(f"{scenario}: no such file")
            return 2
        with tempfile.TemporaryDirectory(prefix="keyclusters-simulation-") as folder:
            env = {
                **os.environ,
                FLAG: "1",
                "DATABASE_URL": f"sqlite:///{folder}/simulation.sqlite3",
                "KEYCLUSTERS_VAR_DIR": folder,
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            }
            command = [sys.executable, "-m", "keyclusters.cli", "simulate", scenario]
            if as_json:
                command.append("--json")
            return subprocess.run(command, env=env, check=False).returncode

    def _table(self, result: dict) -> None:
        rulebook = result["rulebook"]
        self.stdout.write(f"{rulebook['id']} v{rulebook['version']} sha256={rulebook['sha256']}")
        for row in result["funnel"]:
            self.stdout.write(
                f"  {row['stage']:<16} entered {row['entered']:>3}  passed {row['passed']:>3}"
            )
        for row in result["applications"]:
            rank = row["rank"] if row["rank"] is not None else "–"
            self.stdout.write(
                f"{rank!s:>3}  {row['total']:>7} / {row['max']:<4} "
                f"{row['decision']:<16} {row['cluster']}"
            )


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
