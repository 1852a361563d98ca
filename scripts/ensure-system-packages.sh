#!/usr/bin/env bash
# Installs what the tests need from Debian's packages, if missing: PostgreSQL (the tests
# start and stop their own server; nothing is left running), Chromium (the web chat's
# browser tests drive it headless with Playwright) and npm (installs axe-core).
set -euo pipefail

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }
have_chromium() { [ -x /usr/bin/chromium ]; }
have_npm() { command -v npm >/dev/null; }

missing=()
have_postgres || missing+=(postgresql)
have_chromium || missing+=(chromium)
have_npm || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Not installed: ${missing[*]}; installing from Debian's packages..."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install ${missing[*]}." >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  # Debian starts a cluster on install; the tests run their own, so stop it if it runs.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
have_postgres || { echo "postgresql installed but initdb not found" >&2; exit 1; }
have_chromium || { echo "chromium installed but /usr/bin/chromium not found" >&2; exit 1; }
have_npm || { echo "npm installed but not found on PATH" >&2; exit 1; }
echo "Installed: ${missing[*]}."
