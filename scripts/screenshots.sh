#!/usr/bin/env bash
# Regenerates screenshots/*.png from a real run of the curtop binary in tmux on the demo data:
# each screen is reached with keys, waited for (polling the pane for a text, with a deadline),
# captured with its colours (`capture-pane -e`) and rendered by scripts/ansi2png.py (Pillow,
# installed from PyPI into target/screenshot-venv on first use).
#
#   bash scripts/screenshots.sh        (CURTOP_BIN=path uses a prebuilt binary)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -z "${CURTOP_BIN:-}" ]; then
  cargo build --quiet
  CURTOP_BIN=$ROOT/target/debug/curtop
fi
VENV=$ROOT/target/screenshot-venv
if ! "$VENV/bin/python" -c 'import PIL' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pillow
fi
OUT=$ROOT/screenshots
mkdir -p "$OUT"
WORK=$(mktemp -d)
BASE=curtop-shots-$$
RUN=0
SOCK=$BASE-0
cleanup() { tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
COLS=120
ROWS=36
# Screens of a fixed date, so a regeneration differs only where the code changed.
AS_OF=${AS_OF:-2026-11-18}

# A config with the demo and a profile whose CUR folder is missing.
cat > "$WORK/broken.toml" <<'EOF'
default-profile = "broken"

[profiles.demo]
source = "demo"

[profiles.broken]
source = "local"
path = "/nonexistent/cur-bucket-copy"
EOF

start() { # args for curtop
  # A fresh tmux server per run: reusing one right after kill-server races its shutdown.
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  RUN=$((RUN + 1))
  SOCK=$BASE-$RUN
  tmux -L "$SOCK" -f /dev/null new-session -d -x $COLS -y $ROWS \
    "env -u NO_COLOR HOME=$WORK XDG_CONFIG_HOME=$WORK/config CURTOP_CONFIG= TERM=xterm-256color sh -c 'exec $CURTOP_BIN --as-of $AS_OF $*'"
}

wait_for() { # text
  local deadline=$((SECONDS + 60))
  until tmux -L "$SOCK" capture-pane -p | grep -qF -- "$1"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "timed out waiting for '$1'; the screen:" >&2
      tmux -L "$SOCK" capture-pane -p >&2
      exit 1
    fi
    sleep 0.05
  done
}

keys() { tmux -L "$SOCK" send-keys "$@"; }
text() { tmux -L "$SOCK" send-keys -l "$1"; }

shot() { # name
  tmux -L "$SOCK" capture-pane -e -p > "$WORK/$1.ansi"
  "$VENV/bin/python" scripts/ansi2png.py "$WORK/$1.ansi" "$OUT/$1.png" $COLS $ROWS
  echo "screenshots/$1.png"
}

start ""
wait_for "clusters ("
shot overview
keys Enter
wait_for "namespaces ("
text ":ns payments"
keys Enter
wait_for "workloads ("
shot drill-down
text "/scheduler"
wait_for "shown 1 of"
keys Enter Enter
wait_for "pods ("
wait_for "nodes"
shot pod-detail

start "--no-color"
wait_for "clusters ("
shot no-color

start "--config $WORK/broken.toml"
wait_for "path-not-found"
wait_for "skipped because"   # the profile's checks, run after the failed fetch
shot diagnostics
keys i
wait_for "integrations"
wait_for "ready"
shot integrations
keys q
