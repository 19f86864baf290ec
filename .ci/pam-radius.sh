#!/usr/bin/env bash
# pam_radius >= 3.0.0 for the SSH test (tests/e2e/test_radius_ssh.py, decision 0035), plus
# OpenSSH's server. Debian 12 ships libpam-radius-auth 2.0.0, which sends no
# Message-Authenticator, and Tandem drops such requests (Blast-RADIUS, CVE-2024-3596); bookworm-
# backports has no newer one. Debian 13 (trixie) has 3.0.0, which always sends one: its source
# package is fetched with apt from trixie's deb-src index (a private apt folder: the machine's own
# sources are not touched; apt checks the files against the signed index) and built here
# against bookworm's libpam (~10 s). Output: $TANDEM_PAM_RADIUS (default below), kept between runs.
# Debian 12's own 2.0.0 is unpacked (not installed) beside it, for the test that shows it refused.
set -euo pipefail

out="${TANDEM_PAM_RADIUS:-/var/cache/tandem-ci/pam_radius/pam_radius_auth.so}"
old="${TANDEM_PAM_RADIUS_OLD:-/var/cache/tandem-ci/pam_radius/2.0.0/pam_radius_auth.so}"

install_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1) \
        || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null)
}

install_packages openssh-server openssh-client libpam0g-dev gcc make

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! [ -f "$old" ]; then
    (cd "$work" && (apt-get download -q libpam-radius-auth >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get download -q libpam-radius-auth >/dev/null)))
    dpkg-deb -x "$work"/libpam-radius-auth_*.deb "$work/old"
    mkdir -p "$(dirname "$old")"
    install -m 0644 "$work/old/lib/x86_64-linux-gnu/security/pam_radius_auth.so" "$old"
    echo "pam_radius: unpacked Debian 12's $(basename "$work"/libpam-radius-auth_*.deb) into $old"
fi

if [ -f "$out" ]; then
    echo "pam_radius: $out (built before)"
    exit 0
fi
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/parts" "$work/src"
echo "deb-src http://deb.debian.org/debian trixie main" > "$work/apt/sources.list"
apt_private=(-o Dir::Etc::SourceList="$work/apt/sources.list" -o Dir::Etc::SourceParts="$work/apt/parts"
             -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt/cache" -o APT::Sandbox::User=root -q)
apt-get "${apt_private[@]}" update >/dev/null
version="$(apt-cache "${apt_private[@]}" showsrc libpam-radius-auth | sed -n 's/^Version: //p' | sort -V | tail -1)"
case "$version" in
    [3-9].*) ;;
    *) echo "pam_radius: trixie has libpam-radius-auth '$version', not >= 3.0.0" >&2; exit 1 ;;
esac
# The .dsc and Debian patches may be missing from the mirror; the upstream tarball is what is built.
(cd "$work/src" && apt-get "${apt_private[@]}" source --download-only "libpam-radius-auth=$version" >/dev/null 2>&1) || true
tarball="$(ls "$work"/src/libpam-radius-auth_*.orig.tar.* 2>/dev/null | head -1 || true)"
if [ -z "$tarball" ]; then
    echo "pam_radius: the source of libpam-radius-auth $version could not be fetched" >&2
    exit 1
fi
tar -xf "$tarball" -C "$work/src"
dir="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'pam_radius*' | head -1)"
(cd "$dir" && ./configure >/dev/null && make >/dev/null 2>&1)
grep -q "PW_MESSAGE_AUTHENTICATOR" "$dir/src/pam_radius_auth.c"
mkdir -p "$(dirname "$out")"
install -m 0644 "$dir/pam_radius_auth.so" "$out"
echo "pam_radius: built $(basename "$tarball") ($(sha256sum "$tarball" | cut -c1-16)…) into $out"
