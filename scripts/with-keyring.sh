#!/usr/bin/env bash
# Run a command with a real, unlocked Secret Service: GNOME Keyring in a private
# D-Bus session, its keyring files in a throw-away home. Used by scripts/test.sh
# so the keychain tests talk to a real keychain, never to the user's.
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keyring: needs dbus-run-session and gnome-keyring-daemon" >&2
  echo "  (Debian: apt-get install dbus-daemon gnome-keyring; scripts/setup.sh --test does it)" >&2
  exit 1
fi
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export COURIER_KEYRING_HOME="$keyring_home"
# The locked-keychain tests make gnome-keyring try its unlock prompt, which has no
# display here: its complaints (SystemPrompter, gcr-prompter) are filtered from stderr.
# shellcheck disable=SC2016 # expanded by the inner shell
dbus-run-session -- sh -c '
  export HOME="$COURIER_KEYRING_HOME" XDG_DATA_HOME="$COURIER_KEYRING_HOME/data"
  mkdir -p "$XDG_DATA_HOME"
  printf "courier-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' with-keyring "$@" 2> >(grep -v -E "Failed to set fd limit|SystemPrompter|gcr-prompter|cannot open display: *$|^$" >&2)
