#!/usr/bin/env bash
# The bundled demo model from nothing: the corpus builds, the tokenizer, pre-training, three
# fine-tunes of the pre-trained model on three corpus builds, their uniform average (a model soup),
# the f16 conversion into models/demo, its steering artifacts and its Activation Beacon parameters.
# docs/lab.md#training-the-demo-model explains each step; docs/results/demo-model.md the result.
#   tools/train-demo-model.sh [STEP ...]   steps: corpora pretrain finetune soup artifacts beacon
#                                          (all of them, in that order, when none is named)
# Every output goes under runs/ and data/ except the last three steps', which write models/demo.
# A step whose output exists is skipped, and a stopped train run resumes where it stopped: run the
# same command again.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(corpora pretrain finetune soup artifacts beacon)
SEP='\n<|doc|>\n'
FT="--context 256 --steps 1200 --batch 16 --lr 4e-4 --warmup 50 --eval-every 100 --eval-batches 8 --checkpoint-every 100 --seed 3"

corpus() { # DIR SHARES [EXTRAS]
  [ -f "$1/test.txt" ] && return
  tools/build-demo-corpus.sh "$1" --shares "$2" ${3:+--chat-extras "$3"} --passkey-tokens 32,200 --separator "$SEP"
}

for step in "${steps[@]}"; do
  case $step in
    corpora)
      corpus data/demo-v7c 0.6,0.2,0.1,0.1      # pre-training: mostly Brown text
      corpus data/demo-v11 0.47,0.15,0.3,0.08   # fine-tunes: many more chat dialogues
      corpus data/demo-v12 0.5,0.15,0.27,0.08 closings
      corpus data/demo-v13 0.47,0.15,0.3,0.08 paired-forms
      ;;
    pretrain)
      [ -f runs/demo-tokenizer-v7c/tokenizer.json ] ||
        ./vane train tokenizer --input data/demo-v7c/train.txt --vocab-size 8192 --digits 1 --output runs/demo-tokenizer-v7c
      ./vane train lm --tokenizer runs/demo-tokenizer-v7c --train data/demo-v7c/train.txt --valid data/demo-v7c/valid.txt \
        --doc-separator "$SEP" --out runs/demo-lm-v10 --layers 6 --hidden 256 --heads 8 --kv-heads 4 \
        --intermediate 704 --context 256 --steps 2500 --batch 16 --lr 1.5e-3 --warmup 100 --eval-every 100 \
        --eval-batches 8 --checkpoint-every 50 --seed 1
      [ -f runs/demo-pre/model.safetensors ] || ./vane convert --model runs/demo-lm-v10 --out runs/demo-pre --dtype f16
      ;;
    finetune) # each from the f16 pre-trained weights, with a fresh schedule (no optimizer state)
      for v in 11 12 13; do
        if [ ! -f runs/ft-v$v/model.safetensors ]; then
          mkdir -p runs/ft-v$v
          cp runs/demo-pre/{config.json,model.safetensors,tokenizer.json,tokenizer_config.json} runs/ft-v$v/
          printf '{"bos_token_id": 0, "eos_token_id": [1, 6], "repetition_penalty": 1.3}\n' > runs/ft-v$v/generation_config.json
        fi
        ./vane train lm --tokenizer runs/ft-v$v --train data/demo-v$v/train.txt --valid data/demo-v$v/valid.txt \
          --doc-separator "$SEP" --out runs/ft-v$v $FT
      done
      ;;
    soup) # the uniform average of the three fine-tunes, by two interpolations
      [ -f runs/soup-2/model.safetensors ] || ./vane merge --base runs/ft-v11 --model runs/ft-v13 --weight 0.5 --out runs/soup-2 --dtype f32
      [ -f runs/soup-3/model.safetensors ] || ./vane merge --base runs/soup-2 --model runs/ft-v12 --weight 0.3333333 --out runs/soup-3 --dtype f32
      ./vane convert --model runs/soup-3 --out models/demo --dtype f16
      ;;
    artifacts)
      tools/bundle-demo-artifacts.sh data/demo-v13
      ;;
    beacon) # on the frozen bundled weights; convert adds the beacon tensors to models/demo
      ./vane train beacon --model models/demo --train data/demo-v13/train.txt --valid data/demo-v13/valid.txt \
        --doc-separator "$SEP" --out runs/demo-beacon --window 64 --ratios 2,4,8 --sink 1 --length 1024 \
        --batch 2 --steps 450 --lr 1e-3 --warmup 20 --eval-every 150 --eval-batches 4 --checkpoint-every 50 --seed 1
      ./vane convert --model runs/demo-beacon --out models/demo --dtype f16
      ;;
    *) echo "unknown step: $step (corpora pretrain finetune soup artifacts beacon)" >&2; exit 2 ;;
  esac
done
