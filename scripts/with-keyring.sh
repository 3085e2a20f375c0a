#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring,
# so keytar reaches a real Secret Service without touching the user's own keyring.
# HOME and XDG_* point at a temporary folder that is removed afterwards.
set -euo pipefail
if [ "$#" -eq 0 ]; then echo "usage: scripts/with-keyring.sh COMMAND [ARGS…]" >&2; exit 2; fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing: apt-get install -y dbus gnome-keyring" >&2; exit 1; }
done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keyhold-keyring.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/data" "$scratch/config" "$scratch/cache" "$scratch/runtime"
chmod 700 "$scratch/runtime"
export KEYHOLD_REAL_HOME="$HOME"
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
  XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime"
# npm's cache and config stay where they were: the scratch HOME must not make npm look elsewhere.
export npm_config_cache="${npm_config_cache:-$KEYHOLD_REAL_HOME/.npm}"
export npm_config_userconfig="${npm_config_userconfig:-$KEYHOLD_REAL_HOME/.npmrc}"
dbus-run-session -- bash -c '
  # --unlock reads the keyring password from stdin; without it the login keyring stays locked.
  echo -n keyhold-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"
' keyring-session "$@"
