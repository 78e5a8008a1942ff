"""An import-linter contract type: no package uses another package's underscored names.

import-linter's own contracts look at which modules import which; they cannot see *what* is
imported from a module. This contract reads the source of every module under ``container``
(``keyclusters``) and fails on each use, from another package, of a name whose own name or
one of whose enclosing modules starts with an underscore (dunder names such as ``__version__``
are public):

- ``from keyclusters.competitions.services.base import _transition`` (also relative:
  ``from ..competitions.services.base import _transition``);
- ``import keyclusters.registry._internal`` or ``from keyclusters.registry import _internal``;
- an attribute of a module bound by an import: ``rules._has_role`` after
  ``from keyclusters.registry import rules``, or ``keyclusters.registry.rules._has_role``.

The packages are the direct children of ``container`` (``keyclusters.registry``,
``keyclusters.domain``, ``keyclusters.settings``, …): inside one of them, underscored names
are shared freely (a migration may name its app's ``models._document_path``). Imports inside
functions count like any other. Attributes of objects (``Cluster._meta``) are not module names
and are not checked.

Configured in ``pyproject.toml``::

    [tool.importlinter]
    contract_types = ["private_names: keyclusters.devtools.import_contracts.PrivateNamesContract"]

    [[tool.importlinter.contracts]]
    name = "No package uses another package's underscored names"
    type = "private_names"
    container = "keyclusters"
    ignore_imports = ["keyclusters.evaluation.services -> keyclusters.competitions.x._name"]

``ignore_imports`` names an importing module and the full dotted name it uses; an entry that
matches nothing is reported as ``unmatched_ignore_imports_alerting`` says (``error`` unless
set to ``warn`` or ``none``).
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application.contract_utils import AlertLevel


@dataclass(frozen=True, order=True)
class PrivateUse:
    importer: str  # the module whose source uses the name
    line: int
    name: str  # full dotted name, e.g. keyclusters.registry.rules._has_role


def is_private(component: str) -> bool:
    return component.startswith("_") and not (
        component.startswith("__") and component.endswith("__")
    )


def package_of(name: str, container: str) -> str:
    """The direct child of ``container`` that holds the dotted ``name`` (or the container)."""
    if not name.startswith(f"{container}."):
        return container
    return ".".join(name.split(".")[: container.count(".") + 2])


def private_part(name: str, container: str) -> bool:
    """Whether the dotted ``name`` passes through an underscored component below ``container``."""
    tail = name[len(container) + 1 :] if name.startswith(f"{container}.") else ""
    return any(is_private(component) for component in tail.split(".") if component)


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute module of ``from <level dots><target> import …`` written in ``module``."""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


class _Uses(ast.NodeVisitor):
    """Collects, in one module's source, every name it uses of modules under ``container``."""

    def __init__(self, module: str, is_package: bool, container: str, modules: set[str]):
        self.module, self.is_package = module, is_package
        self.container, self.modules = container, modules
        self.bindings: dict[str, str] = {}  # local name -> module it stands for
        self.uses: list[tuple[int, str]] = []

    def _ours(self, name: str) -> bool:
        return name == self.container or name.startswith(f"{self.container}.")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not self._ours(alias.name):
                continue
            self.uses.append((node.lineno, alias.name))
            if alias.asname:
                self.bindings[alias.asname] = alias.name
            else:
                first = alias.name.split(".")[0]
                self.bindings[first] = first

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            source = resolve_relative(self.module, self.is_package, node.level, node.module)
        else:
            source = node.module or ""
        if not self._ours(source):
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            name = f"{source}.{alias.name}"
            self.uses.append((node.lineno, name))
            if name in self.modules:
                self.bindings[alias.asname or alias.name] = name

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain: list[str] = [node.attr]
        value = node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in self.bindings:
            *owner_attrs, attr = [value.id, *reversed(chain)]
            owner = ".".join([self.bindings[value.id], *owner_attrs[1:]])
            if owner in self.modules or owner == self.container:
                self.uses.append((node.lineno, f"{owner}.{attr}"))
        self.generic_visit(node)


def private_uses(
    module: str, source: str, *, is_package: bool, container: str, modules: set[str]
) -> list[PrivateUse]:
    """The underscored names of other packages that ``module``'s ``source`` uses."""
    visitor = _Uses(module, is_package, container, modules)
    visitor.visit(ast.parse(source))
    own = package_of(module, container)
    return sorted(
        {
            PrivateUse(module, line, name)
            for line, name in visitor.uses
            if private_part(name, container) and package_of(name, container) != own
        }
    )


def _source_path(root: Path, container: str, module: str) -> tuple[Path, bool]:
    relative = module.split(".")[container.count(".") + 1 :]
    package = root.joinpath(*relative, "__init__.py")
    if package.exists():
        return package, True
    return root.joinpath(*relative[:-1], f"{relative[-1]}.py"), False


class PrivateNamesContract(Contract):
    type_name = "private_names"

    container = fields.StringField()
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        container: str = self.container  # type: ignore[assignment]
        spec = importlib.util.find_spec(container)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"{container} is not an importable package")
        root = Path(next(iter(spec.submodule_search_locations)))
        modules = {container, *graph.find_descendants(container)}
        uses: list[PrivateUse] = []
        for module in sorted(modules):
            path, is_package = (
                (root / "__init__.py", True)
                if module == container
                else _source_path(root, container, module)
            )
            if not path.exists():
                continue
            uses += private_uses(
                module,
                path.read_text(encoding="utf-8"),
                is_package=is_package,
                container=container,
                modules=modules,
            )
        ignored = {
            tuple(part.strip() for part in entry.split("->"))
            for entry in self.ignore_imports or []  # type: ignore[attr-defined]
        }
        broken = [use for use in uses if (use.importer, use.name) not in ignored]
        matched = {(use.importer, use.name) for use in uses}
        warnings = []
        unmatched = sorted(f"{a} -> {b}" for a, b in ignored - matched)
        if unmatched and self.unmatched_ignore_imports_alerting == AlertLevel.ERROR:
            raise ValueError("No matches for ignored import " + ", ".join(unmatched) + ".")
        if self.unmatched_ignore_imports_alerting == AlertLevel.WARN:
            warnings = [f"No matches for ignored import {entry}." for entry in unmatched]
        return ContractCheck(
            kept=not broken,
            warnings=warnings,
            ignored_import_count=len(uses) - len(broken),
            metadata={"uses": broken},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Underscored names used outside their package:", bold=False)
        output.new_line()
        for use in check.metadata["uses"]:
            output.print_error(f"- {use.importer}:{use.line} uses {use.name}", bold=False)
        output.new_line()
