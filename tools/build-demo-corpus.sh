#!/usr/bin/env bash
# Builds the demo corpus end to end: fetches Brown (and WordNet for antonyms) and runs
# `./vane data demo` (the lab module's corpus builder). Extra arguments go to it (--seed N, ...).
#   tools/build-demo-corpus.sh [OUT_DIR (default data/demo)] [DemoData options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tools/jdk.sh"
cd "$root"
out=${1:-data/demo}
[ $# -gt 0 ] && shift
brown=$(tools/fetch-brown.sh)
wordnet=$(tools/fetch-wordnet.sh)
exec ./vane data demo --brown "$brown" --wordnet "$wordnet" --out "$out" "$@"
