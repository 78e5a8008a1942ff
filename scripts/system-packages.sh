#!/usr/bin/env bash
# Debian packages the suite needs besides Python: GNU gettext (message extraction), Pango and
# DejaVu fonts (WeasyPrint PDFs with Polish letters). Installed when missing and we are root.
set -euo pipefail
missing=()
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]}…" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "Missing ${missing[*]} and this user cannot install them: the tests that need them skip." >&2
fi
