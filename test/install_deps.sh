#!/usr/bin/env bash
# Installs everything Berqenas builds, tests and demos with, from Debian 12's packages.
# Idempotent: packages already present are left alone. Run as root (or through sudo).
set -euo pipefail

PACKAGES=(
    build-essential cmake pkg-config
    postgresql-15 postgresql-server-dev-15 postgresql-client-15 postgresql-contrib
    postgresql-15-cron postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
    postgresql-15-tds-fdw freetds-dev freetds-bin
    libpq-dev libsodium-dev libgtest-dev googletest
    libcli11-dev libfmt-dev nlohmann-json3-dev libcurl4-openssl-dev
    wireguard-go wireguard-tools iproute2 nginx-light
    python3 procps util-linux
)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    echo "installing: ${missing[*]}"
    # The Debian cluster that postgresql-15 creates is not used; tests start their own.
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "dependencies ready"
