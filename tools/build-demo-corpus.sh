#!/usr/bin/env bash
# Builds the demo corpus end to end: fetches Brown (and WordNet for antonyms) and runs
# `./vane data demo`. Extra arguments go to it (--seed N, ...; ./vane data demo --help lists them).
#   tools/build-demo-corpus.sh [OUT_DIR (default data/demo)] [data demo flags...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-data/demo}
[ $# -gt 0 ] && shift
brown=$(tools/fetch-brown.sh)
wordnet=$(tools/fetch-wordnet.sh)
exec ./vane data demo --brown "$brown" --wordnet "$wordnet" --out "$out" "$@"
