#!/usr/bin/env bash
# Fits the steering artifacts bundled with models/demo into models/demo/steering/artifacts, with the
# pair files they were fitted from in models/demo/steering/pairs (one command per artifact; each
# artifact's manifest records its command line and its prompt file's SHA-256).
#   tools/bundle-demo-artifacts.sh [CORPUS (default data/demo-v13, tools/build-demo-corpus.sh)]
set -euo pipefail
cd "$(dirname "$0")/.."
D=${1:-data/demo-v13}
M=models/demo
B=$M/steering
R=$B/artifacts
P=$B/pairs
S=runs/bundle-sets
rm -rf "$R" "$S"
mkdir -p "$P"
./vane data steering --data "$D" --out "$S" --target romance
cp "$S/genre-romance/vector-pairs.jsonl" "$P/romance-vector-pairs.jsonl"
cp "$S/genre-romance/gact-pairs.jsonl" "$P/romance-gact-pairs.jsonl"
cp "$S/refusal/controller-prompts.jsonl" "$P/refusal-controller-prompts.jsonl"
python3 tools/sentiment-pairs.py > "$P/sentiment-pairs.jsonl"
./vane calibrate vectors --model $M --prompts $P/romance-vector-pairs.jsonl --name romance --registry $R --method mean-diff
./vane calibrate vectors --model $M --prompts $P/sentiment-pairs.jsonl --name sentiment --registry $R --method mean-diff
./vane calibrate gact --model $M --prompts $P/romance-gact-pairs.jsonl --name romance-gact --registry $R --seed 1
./vane calibrate controller --model $M --chat --direction gaps --lr 1e-3 --alpha 2 --prompts $P/refusal-controller-prompts.jsonl --name refusal --registry $R
for t in first_letter uppercase word_length; do
  ./vane calibrate task-embedding --model $M --loss answer --task "$D/icl/tasks/$t.jsonl" --name "task-${t//_/-}" --registry $R
done
