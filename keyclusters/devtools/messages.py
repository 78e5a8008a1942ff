"""After ``makemessages``: English msgstr = msgid (msgids are English), then compile both .mo.

Run by ``make messages``; compiling with polib needs no GNU gettext on the machine.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def main() -> None:
    english = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    for entry in english:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    english.save()
    for language in ("pl", "en"):
        folder = LOCALE / language / "LC_MESSAGES"
        catalogue = polib.pofile(str(folder / "django.po"))
        catalogue.save_as_mofile(str(folder / "django.mo"))
        missing = len(catalogue.untranslated_entries()) + len(catalogue.fuzzy_entries())
        print(f"{language}: {len(catalogue)} messages, {missing} untranslated or fuzzy")


if __name__ == "__main__":
    main()
