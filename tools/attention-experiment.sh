#!/usr/bin/env bash
# The length-extrapolation experiment of docs/results/attention.md: trains the same small model at
# length N = 128 with softmax, LSSA and sigmoid attention on the demo corpus, then measures every
# variant (softmax, softmax + log-n, LSSA, LSSAR with p chosen on the validation split, sigmoid)
# at 1, 2, 4, 8 and 16 times N on the test split, and plots the result.
#   tools/attention-experiment.sh [DATA (data/demo-v11)] [OUT (runs/attention)]
# Training resumes where a run stopped; each model takes about 12 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
D=${1:-data/demo-v11}; O=${2:-runs/attention}
N=128
mkdir -p "$O"
for k in softmax lssa sigmoid; do
  ./vane train lm --tokenizer models/demo --train "$D/train.txt" --valid "$D/valid.txt" --out "$O/$k" \
    --layers 4 --hidden 128 --heads 4 --kv-heads 2 --intermediate 384 --context $N \
    --steps 1200 --batch 16 --warmup 100 --eval-every 200 --checkpoint-every 200 --doc-separator '\n<|doc|>\n' \
    --attention $k
done
# LSSAR re-weights the LSSA model without training: p by the mean validation loss over the contexts
best=""; bestLoss=""
: > "$O/lssar-sweep.jsonl"
for p in 1.5 2 3 4; do
  line=$(./vane eval attention --model "$O/lssa" --data "$D" --attention lssar:$N:$p --force-attention \
    --label "lssar-p$p" --passkeys 0 --split valid)
  echo "$line" >> "$O/lssar-sweep.jsonl"
  mean=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1])["results"]; print(sum(x["loss"] for x in r)/len(r))' "$line")
  if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $mean < $bestLoss else 1)"; then best=$p; bestLoss=$mean; fi
done
echo "LSSAR: p = $best (mean validation loss $bestLoss)" >&2
{
  ./vane eval attention --model "$O/softmax" --data "$D" --label softmax
  ./vane eval attention --model "$O/softmax" --data "$D" --attention-log-n $N --label softmax-logn
  ./vane eval attention --model "$O/lssa" --data "$D" --label lssa
  ./vane eval attention --model "$O/lssa" --data "$D" --attention lssar:$N:$best --force-attention --label "lssar-p$best"
  ./vane eval attention --model "$O/sigmoid" --data "$D" --label sigmoid
} > "$O/results.jsonl"
/usr/bin/python3 tools/plot-attention.py "$O/results.jsonl" docs/img/attention-length.png
