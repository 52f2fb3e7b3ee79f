#!/usr/bin/env bash
# Re-runs the steering effect tables of docs/steering.md on models/demo, end to end.
#   tools/steering-effects.sh [DATA (data/demo-v3)] [SETS_OUT (runs/s3-sets)] [REGISTRY_OUT (runs/s3-reg)]
set -x
cd "$(dirname "$0")/.."
D=${1:-data/demo-v3}; S=${2:-runs/s3-sets}; R=${3:-runs/s3-reg}
rm -rf $S $R
./vane data steering --data $D --out $S --target romance
./vane calibrate vectors --model models/demo --prompts $S/genre-romance/vector-pairs.jsonl --name genre-romance --registry $R --method mean-diff
./vane eval steering genre --data $D --target romance --registry $R --vector genre-romance --scale 1 --layers 2
./vane eval steering genre --data $D --target romance --registry $R --vector genre-romance --scale 2 --layers 2
./vane calibrate gact --model models/demo --prompts $S/genre-romance/gact-pairs.jsonl --name gact-romance --registry $R --seed 1
./vane eval steering genre --data $D --target romance --registry $R --gact gact-romance --alpha 1 --layers 2
./vane eval steering probes --data $D --target romance
./vane calibrate controller --model models/demo --chat --direction activations --lr 1e-3 --prompts $S/refusal/controller-prompts.jsonl --name refusal --registry $R
./vane eval steering refusal --data $D --registry $R --controller refusal --alpha 4 --mode paper
echo DONE
