#!/usr/bin/env bash
# Prepare this checkout to run and test Courier: the system libraries Qt needs
# (Debian/Ubuntu, installed when we are root, otherwise listed), then a .venv at
# the repository root with Courier and its test/dev tools.  Safe to re-run: it
# does nothing when everything is already in place.
#
#   scripts/setup.sh            libraries for running + testing
#   scripts/setup.sh --gui      also what a real window under Xvfb needs
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

want_gui=0
want_test=0
for arg in "$@"; do
  case "$arg" in
    --gui) want_gui=1 ;;
    --test) want_test=1 ;;
  esac
done

say() { printf 'courier setup: %s\n' "$*" >&2; }

# --- 1. System packages (Debian 12 / Ubuntu names) ---------------------------
# What Qt's offscreen and xcb platforms load (libEGL, libGL, fontconfig,
# xkbcommon, the xcb helper libraries), a font, dbus for the keyring tests.
debian_packages=(
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 fonts-dejavu-core
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxcb-shm0 libx11-xcb1
)
if [ "$want_gui" = 1 ]; then
  debian_packages+=(xvfb xauth)
fi
if [ "$want_test" = 1 ]; then
  # a real Secret Service for the keychain tests, in a private D-Bus session
  debian_packages+=(dbus dbus-daemon gnome-keyring)
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for pkg in "${debian_packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      say "missing system packages: ${missing[*]}"
      say "install them with: sudo apt-get install ${missing[*]}"
      say "(continuing; Qt may fail to start without them)"
    fi
  fi
fi

# --- 2. Python ----------------------------------------------------------------
python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
fi
if [ -z "$python" ]; then
  say "Courier needs Python 3.11 or newer (none found on PATH; set PYTHON=/path/to/python3.11)"
  exit 1
fi

venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing python3-venv"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      "$python" -m venv "$venv"
    else
      say "could not create a virtual environment: install python3-venv"
      exit 1
    fi
  fi
fi

# Install exactly what requirements/lock.txt names (versions and hashes), then
# Courier itself without touching its dependencies.  Re-install only when the
# lock or pyproject.toml changed.  scripts/lock.sh regenerates the lock.
stamp="$venv/.courier-installed"
fingerprint=$(cat pyproject.toml requirements/lock.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
  say "installing Courier and its locked dependencies into .venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --only-binary=:all: -r requirements/lock.txt
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps --no-build-isolation -e .
  echo "$fingerprint" > "$stamp"
fi
