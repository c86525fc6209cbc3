#!/usr/bin/env bash
# Sets up lost-archives on a fresh machine: ffmpeg, espeak-ng and the Noto fonts (every script a story
# may be told in) from the system's packages,
# the npm dependencies, and the build. With --postgres it also makes sure PostgreSQL answers on
# 127.0.0.1:5432 (the test suite needs it; the tool itself does not).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need=()
{ command -v ffmpeg && command -v ffprobe; } >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v fc-list >/dev/null || need+=(fontconfig)
[ -f /usr/share/fonts/truetype/noto/NotoSerifDevanagari-Regular.ttf ] || need+=(fonts-noto-core)
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
# the tests compare the drawn text with HarfBuzz's own rendering (hb-view)
[ "${1:-}" != "--postgres" ] || command -v hb-view >/dev/null || need+=(libharfbuzz-bin)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if command -v apt-get >/dev/null; then apt_install "${need[@]}"
  elif command -v brew >/dev/null; then brew install ffmpeg espeak-ng
  else echo "setup: please install ${need[*]} with your package manager" >&2; exit 1; fi
fi

if [ "${1:-}" = "--postgres" ]; then
  ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
  if ! command -v pg_isready >/dev/null; then echo "setup: installing postgresql"; apt_install postgresql; fi
  if ! ready; then
    echo "setup: starting PostgreSQL"
    ver=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    for _ in $(seq 1 30); do ready && break; sleep 1; done
    ready || { echo "setup: PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
  fi
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error
# `npm ci` builds through the prepare script; build here only if that was skipped (ignore-scripts)
[ -f dist/bin/lost-archives.js ] || npm run --silent build
echo "setup: ready ($(node dist/bin/lost-archives.js --version))"
