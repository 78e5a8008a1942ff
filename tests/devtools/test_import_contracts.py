"""The import contracts of pyproject.toml fail when an import breaks the architecture.

``lint-imports`` runs on a copy of the package's Python files with one import added, so the
tree itself is never touched; ``make test`` runs it on the real tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from keyclusters.devtools.import_contracts import PrivateUse, private_uses

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tree")
    shutil.copytree(
        ROOT / "keyclusters",
        folder / "keyclusters",
        ignore=lambda _, names: [n for n in names if n.endswith((".pyc", ".mo", ".po"))],
    )
    shutil.copy(ROOT / "pyproject.toml", folder)
    return folder


def lint_imports(folder: Path, module: str, added: str) -> tuple[int, str]:
    path = folder.joinpath(*module.split(".")).with_suffix(".py")
    original = path.read_text(encoding="utf-8")
    path.write_text(original + added, encoding="utf-8")
    try:
        done = subprocess.run(
            [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(folder)},
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    finally:
        path.write_text(original, encoding="utf-8")
    return done.returncode, " ".join(done.stdout.split())  # lint-imports wraps long lines


def test_the_copy_keeps_every_contract(copy):
    code, out = lint_imports(copy, "keyclusters.registry.selectors", "")
    assert (code, out.count("BROKEN")) == (0, 0), out


def test_registry_importing_evaluation_inside_a_function_breaks_the_layers(copy):
    lines = len((copy / "keyclusters/registry/selectors.py").read_text().splitlines())
    added = "\n\ndef late():\n    import keyclusters.evaluation  # noqa\n"
    code, out = lint_imports(copy, "keyclusters.registry.selectors", added)
    assert code == 1
    assert (
        "keyclusters.registry is not allowed to import keyclusters.evaluation: - "
        f"keyclusters.registry.selectors -> keyclusters.evaluation (l.{lines + 4})"
    ) in out
    assert "No import cycles between the apps (and the other packages of keyclusters) BROKEN" in out


def test_statuses_importing_competitions_breaks_their_independence(copy):
    added = "\nfrom keyclusters.competitions.models import Call  # noqa\n"
    code, out = lint_imports(copy, "keyclusters.statuses.importing", added)
    assert code == 1
    assert "keyclusters.statuses is not allowed to import keyclusters.competitions" in out


def test_the_domain_importing_django_breaks_its_contract(copy):
    added = "\n\ndef late():\n    from django.db import models  # noqa\n"
    code, out = lint_imports(copy, "keyclusters.domain.identifiers", added)
    assert code == 1
    assert "The domain imports neither Django nor anything of the project outside it BROKEN" in out
    assert (
        "keyclusters.domain is not allowed to import django: "
        "- keyclusters.domain.identifiers -> django (l."
    ) in out


def test_an_underscored_name_of_another_app_breaks_its_contract(copy):
    added = "\nfrom keyclusters.registry.importing import _run  # noqa\n"
    lines = len((copy / "keyclusters/statuses/importing.py").read_text().splitlines())
    code, out = lint_imports(copy, "keyclusters.statuses.importing", added)
    assert code == 1
    assert (
        f"- keyclusters.statuses.importing:{lines + 2} uses keyclusters.registry.importing._run"
    ) in out


MODULES = {
    "keyclusters",
    "keyclusters.registry",
    "keyclusters.registry.rules",
    "keyclusters.registry.models",
    "keyclusters.statuses",
    "keyclusters.statuses.rules",
    "keyclusters.statuses.views",
}


def uses(module: str, source: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    found = private_uses(
        module, source, is_package=is_package, container="keyclusters", modules=MODULES
    )
    assert all(isinstance(use, PrivateUse) and use.importer == module for use in found)
    return [(use.line, use.name) for use in found]


def test_private_uses_finds_every_form_of_use():
    source = (
        "from keyclusters.registry.rules import _has_role, is_operator\n"
        "from ..registry import rules\n"
        "from ..registry import models as registry_models\n"
        "import keyclusters.registry.rules\n"
        "import keyclusters.registry._hidden\n"
        "from keyclusters import _secret, __version__\n"
        "\n"
        "def check(user):\n"
        "    from keyclusters.registry.models import _document_path\n"
        "    rules._has_role(user)\n"
        "    registry_models.Cluster._meta  # an attribute of a class: not a module name\n"
        "    return keyclusters.registry.rules._has_role(user)\n"
    )
    assert uses("keyclusters.statuses.rules", source) == [
        (1, "keyclusters.registry.rules._has_role"),
        (5, "keyclusters.registry._hidden"),
        (6, "keyclusters._secret"),
        (9, "keyclusters.registry.models._document_path"),
        (10, "keyclusters.registry.rules._has_role"),
        (12, "keyclusters.registry.rules._has_role"),
    ]


def test_private_uses_allows_underscored_names_inside_one_app():
    source = (
        "from .rules import _has_role\n"
        "from . import rules\n"
        "import keyclusters.registry.models\n"
        "rules._has_role(None)\n"
        "keyclusters.registry.models._document_path\n"
    )
    assert uses("keyclusters.registry.views", source) == []
    assert uses("keyclusters.registry", "from .rules import _has_role\n", is_package=True) == []
    assert uses("keyclusters.statuses.views", "from .rules import _has_role\n") == []
    assert uses("keyclusters.statuses.views", "from ..registry.rules import _has_role\n") == [
        (1, "keyclusters.registry.rules._has_role")
    ]
