#!/usr/bin/env bash
# Shared by build.sh and test.sh: install Debian packages that are missing, make .venv, and
# install the project into it. Usage: scripts/setup.sh [extra]   (extra: "test")
set -euo pipefail
cd "$(dirname "$0")/.."

extra="${1:-}"
apt_packages=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so || apt_packages+=(libpango-1.0-0 libpangoft2-1.0-0)
have_lib libharfbuzz-subset || apt_packages+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi dejavu || apt_packages+=(fonts-dejavu-core fontconfig)
command -v dot >/dev/null || apt_packages+=(graphviz)
python3 -m venv --help >/dev/null 2>&1 || apt_packages+=(python3-venv)
if [ "$extra" = test ]; then
  command -v chromium >/dev/null || apt_packages+=(chromium)
  command -v pdftotext >/dev/null || apt_packages+=(poppler-utils)
  command -v git >/dev/null || apt_packages+=(git)
  command -v npm >/dev/null || apt_packages+=(npm)
  # scripts/test.sh runs the fast tests again with the clock moved ahead (libfaketime).
  command -v faketime >/dev/null || apt_packages+=(faketime)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing Debian packages: ${apt_packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${apt_packages[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
if [ "$extra" = test ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
# axe-core for the accessibility checks in tests/browser (injected into pages; not a runtime need).
if [ "$extra" = test ] && [ ! -f .cache/node/node_modules/axe-core/axe.min.js ]; then
  npm install --no-audit --no-fund --silent --prefix .cache/node axe-core@4 >/dev/null
fi
