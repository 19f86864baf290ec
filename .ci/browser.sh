#!/usr/bin/env bash
# Installs what the browser tests and the QR decoding tests need: headless Chromium and its
# driver, zbarimg (decodes the QR pictures), rsvg-convert (SVG → PNG) from Debian, selenium from
# PyPI. Safe to run again: already installed packages are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== browser test tools (Debian: chromium, chromium-driver, zbar-tools, librsvg2-bin; PyPI: selenium)"

packages=(chromium chromium-driver zbar-tools librsvg2-bin)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check -r tests/browser/requirements.txt

chromium --version 2>/dev/null | tail -n 1
chromedriver --version
zbarimg --version
rsvg-convert --version
