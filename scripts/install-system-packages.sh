#!/usr/bin/env bash
# Installs the Debian packages the app needs, only those missing (called by `make install`).
#   - WeasyPrint: libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 (the last one makes CJK subsetting fast)
#   - Chinese text in PDFs and in the browser: fonts-noto-cjk
#   - PDF checks in tests: poppler-utils;  .mo compilation: gettext
#   - browser tests (only with --with-browser): chromium libatomic1
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils gettext)
if [ "${1:-}" = "--with-browser" ]; then
  packages+=(chromium libatomic1)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "Please install as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2; exit 1
  fi
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
