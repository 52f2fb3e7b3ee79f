#!/usr/bin/env bash
# Runs a benchmark main of the bench module: bench/run.sh DecodeBench --preset smollm2-135m --dtype f16
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tools/jdk.sh"
cd "$root"
main=$1; shift
mvn -q -pl bench -am package dependency:build-classpath -DskipTests -Dmdep.outputFile=target/classpath.txt >/dev/null
exec java -Dai.djl.offline=true -Dvane.presets="$root/bench/target/presets" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx16g \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "dev.vane.bench.$main" "$@"
