#!/usr/bin/env bash
# Re-runs the steering effect table of docs/results/steering.md on models/demo, end to end
# (section 0: genre vector and G-ACT on every held-out prompt, G-ACT vs ACT probes, the refusal
# controller and a refusal vector with 10 samples per request at temperature 0.8).
#   tools/steering-effects.sh [DATA (data/demo-v13)] [SETS_OUT (runs/steer-sets)] [REGISTRY_OUT (runs/steer-reg)]
set -x
cd "$(dirname "$0")/.."
D=${1:-data/demo-v13}; S=${2:-runs/steer-sets}; R=${3:-runs/steer-reg}
rm -rf $S $R
./vane data steering --data $D --out $S --target romance
# genre: a mean-difference vector and G-ACT at the middle block, on all 147 held-out openings
./vane calibrate vectors --model models/demo --prompts $S/genre-romance/vector-pairs.jsonl --name genre-romance --registry $R --method mean-diff
./vane eval steering genre --data $D --target romance --registry $R --vector genre-romance --scale 1 --layers 2 --prompts 147
./vane eval steering genre --data $D --target romance --registry $R --vector genre-romance --scale 2 --layers 2 --prompts 147
./vane calibrate gact --model models/demo --prompts $S/genre-romance/gact-pairs.jsonl --name gact-romance --registry $R --seed 1
./vane eval steering genre --data $D --target romance --registry $R --gact gact-romance --alpha 1 --layers 2 --prompts 147
./vane eval steering probes --data $D --target romance
# refusal: the controller (per-layer activation gaps) in paper and prompt modes
./vane calibrate controller --model models/demo --chat --direction gaps --lr 1e-3 --prompts $S/refusal/controller-prompts.jsonl --name refusal-gaps --registry $R
for a in 1 2; do for m in paper prompt code; do
  ./vane eval steering refusal --data $D --registry $R --controller refusal-gaps --alpha $a --mode $m --temperature 0.8 --samples 10
done; done
./vane eval steering refusal --data $D --registry $R --controller refusal-gaps --alpha 1 --mode prompt --temperature 0.8 --samples 20
./vane eval steering refusal --data $D --registry $R --controller refusal-gaps --alpha 1 --mode prompt --temperature 0.8 --samples 40
# refusal: a steering vector from the same requests (harmful vs benign train requests, paired in file order)
python3 - "$S/refusal/controller-prompts.jsonl" "$S/refusal/vector-pairs.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out = open(sys.argv[2], "w")
for split in ("train", "valid"):
    h = [r["text"] for r in rows if r["split"] == split and r["label"] == "harmful"]
    b = [r["text"] for r in rows if r["split"] == split and r["label"] == "benign"]
    for p, n in zip(h, b):
        out.write(json.dumps({"positive": p, "negative": n, "split": split}) + "\n")
PY
./vane calibrate vectors --model models/demo --prompts $S/refusal/vector-pairs.jsonl --name refusal-vec --registry $R --chat
./vane eval steering refusal --data $D --registry $R --vector refusal-vec --scale 1 --layers 3 --temperature 0.8 --samples 10
# ... and at the layer the calibration ranks best on the bundled model (layer 5, held-out accuracy 1.000)
for sc in 1 2; do
  ./vane eval steering refusal --data $D --registry $R --vector refusal-vec --scale $sc --layers 5 --temperature 0.8 --samples 10
done
echo DONE
