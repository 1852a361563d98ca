#!/usr/bin/env bash
# Installs what the tests need from Debian's packages, if missing: PostgreSQL (the tests
# start and stop their own server; nothing is left running), Chromium (the web chat's
# browser tests drive it headless with Playwright) and the Liberation fonts (the console's
# stylesheet names local fonts, so the browser never fetches GOV.UK's; without them it
# would, and the browser tests see the 404s), npm (installs axe-core), and nginx and Redis
# (the cluster's fault tests start their own; Debian's services are stopped).
set -euo pipefail

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }
have_chromium() { [ -x /usr/bin/chromium ]; }
have_fonts() { compgen -G "/usr/share/fonts/truetype/liberation*/LiberationSans-Regular.ttf" >/dev/null; }
have_npm() { command -v npm >/dev/null; }
have_nginx() { [ -x /usr/sbin/nginx ]; }
have_redis() { command -v redis-server >/dev/null; }

missing=()
have_postgres || missing+=(postgresql)
have_chromium || missing+=(chromium)
have_fonts || missing+=(fonts-liberation)
have_npm || missing+=(npm)
have_nginx || missing+=(nginx)
have_redis || missing+=(redis-server)
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
for service in nginx redis-server; do
  if [[ " ${missing[*]} " == *" $service "* ]]; then
    # Debian may start the service on install; the tests and `make cluster` run their own.
    $SUDO service "$service" stop >/dev/null 2>&1 || true
  fi
done
have_postgres || { echo "postgresql installed but initdb not found" >&2; exit 1; }
have_chromium || { echo "chromium installed but /usr/bin/chromium not found" >&2; exit 1; }
have_fonts || { echo "fonts-liberation installed but Liberation Sans not found" >&2; exit 1; }
have_npm || { echo "npm installed but not found on PATH" >&2; exit 1; }
have_nginx || { echo "nginx installed but /usr/sbin/nginx not found" >&2; exit 1; }
have_redis || { echo "redis-server installed but not found on PATH" >&2; exit 1; }
echo "Installed: ${missing[*]}."
