#!/usr/bin/env bash
# Regenerates the golden files of the engine's parity tests: writes each tiny fixture with the
# project's FixtureWriter, then runs the independent reference forward pass (tools/ref_forward.py,
# float64, Debian's python3-torch) on it. Run from the repository root after changing a preset.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ref=${REF_FORWARD:-$root/tools/ref_forward.py}
source "$root/tools/jdk.sh"
cd "$root"
mvn -q -o -pl engine -am compile dependency:build-classpath -Dmdep.outputFile=target/engine.cp >/dev/null
cp="engine/target/classes:attention/target/classes:$(cat engine/target/engine.cp)"
out=engine/src/test/resources/golden
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prompt="1,17,250,3,99,411,7,64"
seed=1234
for spec in tiny-llama:f32 tiny-llama:bf16 tiny-llama:f16 tiny-mistral:f32 tiny-qwen2:f32 tiny-qwen3:f32; do
  preset=${spec%%:*}; dtype=${spec##*:}
  dir="$tmp/$preset-$dtype"
  java --add-modules jdk.incubator.vector -Dai.djl.offline=true -cp "$cp" dev.vane.engine.fixture.FixtureWriter "$preset" "$dtype" "$seed" "$dir"
  steps=$(/usr/bin/python3 "$ref" "$dir" "$prompt" 16)
  printf '{"preset":"%s","file_dtype":"%s","seed":%s,"prompt":[%s],"steps":%s}\n' \
    "$preset" "$dtype" "$seed" "$prompt" "$steps" > "$out/$preset-$dtype.json"
  echo "wrote $out/$preset-$dtype.json"
done
