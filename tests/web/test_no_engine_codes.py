"""No engine codes on any page, and numbers in the page's locale (issue #13, parts 2 and 3).

Loads the demo once, then, for every demo login and for the anonymous visitor, in Polish (the
default) and in English (the language cookie), follows the same-site GET links from the home
page, the dashboard and the navigation (at most ``MAX_PAGES`` pages per role and language, at
most ``PER_SHAPE`` addresses of one shape such as ``/clusters/<n>/``), and reads the visible
text of every HTML page (tags, attributes, <script>, <style> and <template> removed). It fails on

* an identifier of a stored rulebook (the rulebook's id, the ids of its fields, eligibility
  conditions, stages, areas and criteria, and its codes such as ``aggregation: mean``),
* a value of the models' TextChoices or of the lifecycle states (``in-evaluation``,
  ``strategic-partner``, ``member``),
* a Python repr (``{'``, ``[{``, ``Decimal(``, ``None``, ``datetime.``) and the engine's
  operators (``>=``, ``<=``, ``==``, ``!=``) in prose,
* a number in the other language's format (``81.82`` on a Polish page, ``61,75`` on an English
  one) and an ungrouped amount with decimals (``12345,67``).

A code that contains ``-``, ``_`` or a digit is looked for as a token anywhere; a plain word
(``member``, ``mean``, ``formal``) only where it stands alone - the whole text of an element
or a piece between separators (``:``, ``,``, ``(``, ``|`` ...) - so that the same word in a
sentence is not a finding. A plain code is allowed in a language where it is also the readable
label of that value (the English label of ``draft`` is "draft"; a Polish page that shows an
English msgid not yet translated shows it in English too): see ``readable_equals_code``.

Every finding is reported with the role, the language, the address and the snippet around it.
"""

from __future__ import annotations

import enum
import os
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

pytestmark = pytest.mark.django_db(transaction=True)

MAX_PAGES = 400  # per role and language
PER_SHAPE = 5  # addresses of one shape (digits replaced) per role and language
ROLES = [
    None,  # the anonymous visitor
    "admin",
    "operator",
    "expert",
    "panel",
    "minister",
    "coordinator",
    "agency",
    "analyst",
    "member",
]
LANGUAGES = ["pl", "en"]
START = ["/", "/dashboard/"]

# Not crawled: downloads and exports (files, not pages), the Django admin, the API, logging
# out and switching the language (POST forms anyway), static files.
SKIP = re.compile(
    r"^/(admin|api|i18n|static|media)/"
    r"|logout|download|export|/documents?/|/pdf/|\.(pdf|csv|xlsx|json|zip|txt|yaml)(\?|$)"
)

# Words that are both a code and ordinary text, per language, with the reason.
ALLOWED = {
    "en": {
        # "business-support institutions": the English compound in running text.
        "business-support",
    },
    "pl": {
        # "panel" is Polish for a panel ("Panel Ekspertów"); the stage id is the same word.
        "panel",
    },
}

# Whole pieces of text that are ordinary words in a language though they look like a finding.
ALLOWED_TEXT = {
    "en": [
        r"None\.",  # "None." - the English sentence for an empty list, not Python's None
    ],
    "pl": [
        r".*nabór \d+\.\d+.*",  # the demo API key's name "… – nabór 2.1" (a number of a call)
    ],
}

# Findings known and left for later (page pattern, snippet, reason): none today. An entry
# matches a finding when the page's address matches ``path`` and the snippet contains
# ``snippet``; everything else fails.
KNOWN_FAILURES: list[tuple[str, str, str]] = []


# --- the visible text -----------------------------------------------------------------------


class _Text(HTMLParser):
    """The text a reader sees: pieces of text with the tags between them as boundaries."""

    HIDDEN = {"script", "style", "template", "noscript"}
    VOID = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.hidden = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        if tag == "a":
            attributes = dict(attrs)
            if attributes.get("href") and "download" not in attributes:
                self.links.append(attributes["href"])
        if tag not in self.VOID:
            self.pieces.append("\n")

    def handle_startendtag(self, tag, attrs):
        self.pieces.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        self.pieces.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.pieces.append(data)


def read(html: str) -> tuple[list[str], list[str]]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.pieces)
    chunks = [" ".join(chunk.split()) for chunk in text.split("\n")]
    return [c for c in chunks if c], parser.links


# --- the codes ------------------------------------------------------------------------------

RULEBOOK_CODE_KEYS = {
    "id", "rulebook", "field", "stage", "kind", "type", "source", "aggregation", "resolution",
}  # fmt: skip
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]*$")


def _rulebook_codes() -> set[str]:
    from keyclusters.competitions.models import StoredRulebook

    codes: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in RULEBOOK_CODE_KEYS and isinstance(value, str):
                    codes.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for source in StoredRulebook.objects.values_list("source", flat=True):
        walk(yaml.safe_load(source))
    return {code for code in codes if IDENTIFIER.match(code)}


def _enums() -> list[tuple[str, object]]:
    """(value, label or None) of every TextChoices of the models and every lifecycle state."""
    from keyclusters.competitions import labels
    from keyclusters.domain.lifecycle import competition, evaluation

    apps.get_models()
    pairs: list[tuple[str, object]] = []
    seen: set[type] = set()

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in subclasses(models.TextChoices):
        if cls.__module__.startswith("keyclusters.") and cls not in seen:
            seen.add(cls)
            pairs += [(member.value, member.label) for member in cls]
    for module in (competition, evaluation):
        for cls in vars(module).values():
            if (
                isinstance(cls, type)
                and issubclass(cls, enum.StrEnum)
                and cls.__name__.endswith("State")
            ):
                pairs += [(member.value, None) for member in cls]
    for mapping in (labels.APPLICATION_STATES, labels.STAGE_KINDS):
        pairs += list(mapping.items())
    return [(value, label) for value, label in pairs if IDENTIFIER.match(value)]


def readable_equals_code(pairs, language: str) -> set[str]:
    """Codes whose readable label in ``language`` is the very same word (English "draft")."""
    same = set()
    with translation.override(language):
        for value, label in pairs:
            # A state without a label class is put into words by the templates with the same
            # word as the msgid ({% translate "open" %}): readable where gettext leaves it.
            readable = gettext(value) if label is None else str(label)
            if readable == value:
                same.add(value)
    return same


# --- the checks -----------------------------------------------------------------------------

REPR = re.compile(r"\{'|\[\{|\[\('|Decimal\(|datetime\.|\bNone\b|\bTrue\b|\bFalse\b|<[a-z]+ object")
OPERATOR = re.compile(r"(?<![<>=!])(>=|<=|==|!=)(?![<>=])")
# A decimal number in the other language's format; a Polish date (30.11.2026) and a time are not.
WRONG_DECIMAL = {
    "pl": re.compile(r"(?<![\d.,])\d+\.\d+(?![\d.])"),
    "en": re.compile(r"(?<![\d.,])\d+,\d{1,2}(?![\d,])"),
}
# An amount without grouping: decimals after five digits, or five digits and a currency or %.
UNGROUPED = re.compile(
    r"(?<![\d.,\xa0])\d{5,}[.,]\d{1,2}(?!\d)"
    r"|(?<![\d.,\xa0])\d{5,}(?:[.,]\d+)?\s?(?:PLN|zł|EUR|%)"
)
SEPARATORS = re.compile(r"[:;,()\[\]|·/–—•]|\s-\s")
SENTENCE_SEPARATORS = re.compile(r"[:;()\[\]|·/–—•]|\s-\s")


def _snippet(text: str, start: int, end: int) -> str:
    return "…" + text[max(0, start - 40) : end + 40] + "…"


def findings(chunks, codes, language):
    tokens, words = codes
    alternatives = "|".join(sorted(map(re.escape, tokens), key=len, reverse=True))
    # a whole token, not part of a file's name (action_plan.pdf)
    token_pattern = re.compile(rf"(?<![\w-])({alternatives})(?![\w-])(?!\.[a-z]{{2,4}}\b)")
    allowed = [re.compile(pattern) for pattern in ALLOWED_TEXT[language]]
    for chunk in chunks:
        if any(pattern.fullmatch(chunk) for pattern in allowed):
            continue
        for match in token_pattern.finditer(chunk):
            yield f"code {match.group(1)!r}", _snippet(chunk, match.start(), match.end())
        # Commas separate pieces of a list ("Ranking: total, panel, merit"), not of a sentence.
        sentence = chunk.endswith(".") or len(chunk) > 80
        for piece in (SENTENCE_SEPARATORS if sentence else SEPARATORS).split(chunk):
            piece = piece.strip(" .!?\"'")
            if piece in words:
                yield f"code {piece!r}", chunk[:120]
        for pattern, what in (
            (REPR, "Python repr"),
            (OPERATOR, "operator"),
            (WRONG_DECIMAL[language], "number format"),
            (UNGROUPED, "ungrouped number"),
        ):
            for match in pattern.finditer(chunk):
                yield f"{what} {match.group(0)!r}", _snippet(chunk, match.start(), match.end())


# --- the crawl ------------------------------------------------------------------------------


def _shape(path: str) -> str:
    return re.sub(r"\d+", "<n>", path)


def crawl(client: Client):
    queue = list(START)
    seen = set(queue)
    shapes: dict[str, int] = defaultdict(int)
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        chunks, links = read(response.content.decode())
        yield url, chunks
        for href in links:
            href, _ = urldefrag(href)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or SKIP.search(target):
                continue
            seen.add(target)
            shape = _shape(target)
            if shapes[shape] >= PER_SHAPE:
                continue
            shapes[shape] += 1
            queue.append(target)


def _known(url: str, snippet: str) -> bool:
    return any(re.search(path, url) and text in snippet for path, text, _reason in KNOWN_FAILURES)


def test_no_engine_codes_and_numbers_in_the_locale_on_any_page():
    from keyclusters.accounts.models import User
    from keyclusters.web.demo.users import DEMO_EMAIL_DOMAIN

    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # The demo's usernames are the roles' codes ("operator", "expert", "analyst"), and pages
    # name who did what by the username: renamed, a username is not mistaken for a code.
    logins = {}
    for user in User.objects.filter(email__endswith=DEMO_EMAIL_DOMAIN):
        logins[user.username] = user
        user.username = f"demo.{user.username}"
        user.save(update_fields=["username"])
    rulebook = _rulebook_codes()
    enums = _enums()
    everything = rulebook | {value for value, _label in enums}
    tokens = {code for code in everything if re.search(r"[-_\d]", code)}

    report: list[str] = []
    counts: dict[tuple[str, str], int] = {}
    for language in LANGUAGES:
        allowed = readable_equals_code(enums, language) | ALLOWED[language]
        checked = (tokens - allowed, everything - tokens - allowed)
        for username in ROLES:
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if username:
                client.force_login(
                    logins[username],
                    backend="django.contrib.auth.backends.ModelBackend",
                )
            role = username or "anonymous"
            n = 0
            for url, chunks in crawl(client):
                n += 1
                for what, snippet in findings(chunks, checked, language):
                    if not _known(url, snippet):
                        report.append(f"{role} [{language}] {url}: {what} in {snippet!r}")
            counts[(role, language)] = n

    # The crawl reached the pages (a login that lands nowhere would pass vacuously).
    for (role, language), n in counts.items():
        assert n >= (3 if role == "anonymous" else 5), (role, language, n)
    unique = sorted(set(report))
    if os.environ.get("ENGINE_CODES_REPORT"):  # a file to read the findings in
        Path(os.environ["ENGINE_CODES_REPORT"]).write_text("\n".join(unique) + "\n")
    assert not unique, f"{len(unique)} findings:\n" + "\n".join(unique)
