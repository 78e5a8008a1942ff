"""Both catalogues are complete and compiled: no untranslated or fuzzy message in pl or en."""

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[1] / "keyclusters" / "locale"


@pytest.mark.parametrize("language", ["pl", "en"])
def test_catalogue_is_complete(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 100


@pytest.mark.parametrize("language", ["pl", "en"])
def test_compiled_catalogue_matches_the_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    catalogue = polib.pofile(str(folder / "django.po"))
    with open(folder / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            if compiled.ngettext(entry.msgid, entry.msgid_plural, 1) != entry.msgstr_plural[0]:
                stale.append(entry.msgid)
        elif entry.msgctxt:
            if compiled.pgettext(entry.msgctxt, entry.msgid) != entry.msgstr:
                stale.append(entry.msgid)
        elif compiled.gettext(entry.msgid) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], "run `make messages`"


def test_every_message_of_the_code_is_in_the_catalogues(tmp_path):
    """Extract the messages again from a copy of the package: none may be missing or new."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("xgettext (GNU gettext) is needed to extract the messages")
        pytest.skip("xgettext (GNU gettext) is not installed")
    package = LOCALE.parent
    copy = tmp_path / "keyclusters"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "KEYCLUSTERS_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "keyclusters.cli", "makemessages", "-l", "pl", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    extracted = polib.pofile(str(copy / "locale" / "pl" / "LC_MESSAGES" / "django.po"))
    assert [e.msgid for e in extracted.untranslated_entries()] == []
    assert [e.msgid for e in extracted.fuzzy_entries()] == []
