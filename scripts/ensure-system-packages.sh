#!/usr/bin/env bash
# Installs the services the tests start (PostgreSQL) from Debian's packages, if missing.
# The tests start and stop their own server; nothing is left running.
set -euo pipefail

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }

if have_postgres; then
  exit 0
fi
echo "PostgreSQL is not installed; installing it from Debian's packages..."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install postgresql." >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# Debian starts a cluster on install; the tests run their own, so stop it if it runs.
$SUDO service postgresql stop >/dev/null 2>&1 || true
have_postgres || { echo "postgresql installed but initdb not found" >&2; exit 1; }
echo "PostgreSQL installed."
