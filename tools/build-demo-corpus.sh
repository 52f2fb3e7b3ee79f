#!/usr/bin/env bash
# Builds the demo corpus end to end: fetches Brown (and WordNet for antonyms), compiles the
# engine and runs dev.vane.engine.data.DemoData. Extra arguments go to DemoData (--seed N, ...).
#   tools/build-demo-corpus.sh [OUT_DIR (default data/demo)] [DemoData options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tools/jdk.sh"
cd "$root"
out=${1:-data/demo}
[ $# -gt 0 ] && shift
brown=$(tools/fetch-brown.sh)
wordnet=$(tools/fetch-wordnet.sh)
mvn -B -ntp -q -pl engine -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
exec java -cp "engine/target/classes:$(cat engine/target/classpath.txt)" dev.vane.engine.data.DemoData \
  --brown "$brown" --wordnet "$wordnet" --out "$out" "$@"
