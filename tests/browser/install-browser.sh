#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing and we may (root),
# and axe-core (npm) for the accessibility tests when tests/browser/axe/node_modules is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian's chromium for the browser tests…" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium is missing and this user cannot install it: the browser tests will skip." >&2
    fi
fi
if [ ! -f "$here/axe/node_modules/axe-core/axe.min.js" ]; then
    if command -v npm >/dev/null 2>&1; then
        echo "Installing axe-core for the accessibility tests…" >&2
        npm install --prefix "$here/axe" --no-audit --no-fund --loglevel=error
    else
        echo "npm is missing: the accessibility tests will skip (and fail in CI)." >&2
    fi
fi
