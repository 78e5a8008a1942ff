"""Reading a rulebook from YAML text, a file or a mapping, and its SHA-256.

The hash is that of the *canonical source bytes*: the UTF-8 text without a byte-order mark,
with ``\\n`` line endings and one final newline. The same file therefore has the same hash on
every platform, and any change to the text (a comment included) gives a new hash.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..i18n import N_
from .model import Rulebook
from .validation import (
    BENCHMARKING_FRAMEWORK,
    RulebookError,
    RulebookInvalid,
    validate_rulebook,
)

RulebookSource = str | bytes | os.PathLike[str] | Mapping[str, Any]

SHIPPED_RULEBOOKS_DIR = Path(__file__).resolve().parents[3] / "rulebooks"
YAML_PATH = "(yaml)"
FILE_PATH = "(file)"


def canonical_text(text: str) -> str:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def canonical_bytes(text: str) -> bytes:
    return canonical_text(text).encode("utf-8")


def source_sha256(text: str) -> str:
    """SHA-256 (hex) of the canonical bytes of a rulebook's source text."""
    return hashlib.sha256(canonical_bytes(text)).hexdigest()


MAX_DEPTH = 40  # the shipped rulebooks nest 6 levels deep


class _Refused(yaml.YAMLError):
    """A structure the loader refuses before building it; carries the error to report."""

    def __init__(self, error: RulebookError) -> None:
        super().__init__(error.message_id)
        self.error = error


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (usually a mistake), an
    alias (``*name``: a few of them can stand for billions of nodes) and nesting deeper than
    :data:`MAX_DEPTH` (which would exhaust the composer's recursion)."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        where = {"line": event.start_mark.line + 1, "column": event.start_mark.column + 1}
        if isinstance(event, yaml.events.AliasEvent):
            raise _Refused(
                RulebookError(
                    YAML_PATH,
                    N_("line %(line)s, column %(column)s: aliases (*name) are not accepted"),
                    where,
                )
            )
        if self.depth >= MAX_DEPTH:
            raise _Refused(
                RulebookError(
                    YAML_PATH,
                    N_("line %(line)s, column %(column)s: nested deeper than %(depth)s levels"),
                    {**where, "depth": MAX_DEPTH},
                )
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[object] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                N_("the key '%(key)s' appears twice") % {"key": key},
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _code_point(character: object) -> str:
    if isinstance(character, int):
        return f"U+{character:04X}"
    if isinstance(character, str | bytes) and character:
        return f"U+{ord(character[:1]):04X}"
    return "?"


def _yaml_error(exc: yaml.YAMLError) -> RulebookError:
    if isinstance(exc, _Refused):
        return exc.error
    if isinstance(exc, yaml.reader.ReaderError):
        return RulebookError(
            YAML_PATH,
            N_("character %(position)s: a character that is not allowed (%(code)s)"),
            {"position": exc.position + 1, "code": _code_point(exc.character)},
        )
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return RulebookError(YAML_PATH, N_("%(problem)s"), {"problem": problem})
    return RulebookError(
        YAML_PATH,
        N_("line %(line)s, column %(column)s: %(problem)s"),
        {"line": mark.line + 1, "column": mark.column + 1, "problem": problem},
    )


def parse_yaml(text: str) -> object:
    """The YAML document in ``text``; raises :class:`RulebookInvalid` with a ``(yaml)`` error."""
    try:
        return yaml.load(canonical_text(text), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise RulebookInvalid([_yaml_error(exc)]) from None


def _is_path(source: object) -> bool:
    if isinstance(source, os.PathLike):
        return True
    return (
        isinstance(source, str)
        and "\n" not in source
        and source.strip().lower().endswith((".yaml", ".yml"))
    )


def read_source(source: str | bytes | os.PathLike[str]) -> str:
    """The text of a rulebook given as YAML text, UTF-8 bytes or the path of a file."""
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RulebookInvalid([RulebookError(FILE_PATH, N_("is not UTF-8 text"))]) from None
    if _is_path(source):
        path = Path(source)
        try:
            return path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            error = RulebookError(FILE_PATH, N_("no such file: %(path)s"), {"path": str(path)})
        except UnicodeDecodeError:
            error = RulebookError(FILE_PATH, N_("is not UTF-8 text"))
        except (OSError, ValueError) as exc:
            error = RulebookError(FILE_PATH, N_("cannot be read: %(reason)s"), {"reason": exc})
        raise RulebookInvalid([error])
    return str(source)


def _dump(data: Mapping[str, Any]) -> str:
    try:
        return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        return json.dumps(data, ensure_ascii=False, indent=1, default=str)


def load_document(source: RulebookSource) -> tuple[str, object]:
    """The canonical source text and the parsed document (not validated)."""
    if isinstance(source, Mapping):
        return canonical_text(_dump(source)), dict(source)
    text = canonical_text(read_source(source))
    return text, parse_yaml(text)


def load_rulebook(source: RulebookSource) -> Rulebook | Any:
    """Load and validate a rulebook; raise :class:`RulebookInvalid` with every error.

    ``source`` is YAML text, bytes, a path (``Path`` or a string ending in ``.yaml``/``.yml``)
    or an already parsed mapping. A ``kind: benchmarking-framework`` document is handed to the
    benchmarking framework parser; anything else is read as a status competition.
    """
    text, data = load_document(source)
    errors = validate_rulebook(data)
    if errors:
        raise RulebookInvalid(errors)
    assert isinstance(data, dict)
    digest = source_sha256(text)
    if data.get("kind") == BENCHMARKING_FRAMEWORK:
        from keyclusters.domain.benchmarking.framework import parse_framework

        framework = parse_framework(data)
        if hasattr(framework, "_set_source"):
            framework._set_source(text, digest)
        return framework
    rulebook = Rulebook.model_validate(data)
    rulebook._set_source(text, digest)
    return rulebook


def shipped_rulebook_path(rulebook_id: str) -> Path:
    """The file of a rulebook shipped in the ``rulebooks/`` directory."""
    return SHIPPED_RULEBOOKS_DIR / f"{rulebook_id}.yaml"


def shipped_rulebook_ids() -> list[str]:
    return sorted(path.stem for path in SHIPPED_RULEBOOKS_DIR.glob("*.yaml"))


def load_shipped_rulebook(rulebook_id: str) -> Rulebook | Any:
    if rulebook_id not in shipped_rulebook_ids():
        raise RulebookInvalid(
            [RulebookError(FILE_PATH, N_("no shipped rulebook '%(id)s'"), {"id": rulebook_id})]
        )
    return load_rulebook(shipped_rulebook_path(rulebook_id))
