#!/usr/bin/env python3
"""Builds .probe/ (repo root): everything tools/recipe_probe/probe.py needs to replicate
`train lm` + the pass-key / ICL parts of `eval demo` on a machine without the repo's data.

    python3 tools/recipe_probe/prep.py [--run runs/demo-lm-v5] [--tokenizer runs/demo-tokenizer-d1]
                                       [--data data/demo-v5] [--out .probe] [--max-shots 32]

Needs only numpy. Writes:
  train.npz / valid.npz   token streams (uint16, from the trainer's *-docs-*.tokens caches,
                          i.e. exactly what `train lm --doc-separator` trains on)
  tokenizer.json, tokenizer_config.json, config.json (the run's model config)
  passkey_test.jsonl      test-split pass-key rows (text, answer)
  brown_prompts.json      the first 12 words of the first 100 test-split Brown documents (the
                          prompts of eval demo's continuation table are the first five)
  icl.json                per task: test rows, and the train rows that the fixed shots
                          (train[i*7 % n], i < max-shots) pick, keyed by index, with n
  manifest.json           sources, sizes and the run's command-line recipe
"""
import argparse, glob, json, os, shutil, sys
import numpy as np


def stream(path):
    a = np.fromfile(path, dtype="<i4")
    if a.size == 0 or a.min() < 0 or a.max() >= 65536:
        sys.exit(f"{path}: ids out of uint16 range")
    return a.astype(np.uint16)


def one(pattern):
    files = sorted(glob.glob(pattern))
    if len(files) != 1:
        sys.exit(f"expected exactly one file for {pattern}, found {files}")
    return files[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="runs/demo-lm-v5")
    ap.add_argument("--tokenizer", default="runs/demo-tokenizer-d1")
    ap.add_argument("--data", default="data/demo-v5")
    ap.add_argument("--out", default=".probe")
    ap.add_argument("--max-shots", type=int, default=32)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    man = {"sources": {}}

    for split in ("train", "valid"):
        src = one(f"{a.run}/data/{split}-docs-*.tokens")
        t = stream(src)
        np.savez_compressed(f"{a.out}/{split}.npz", tokens=t)
        man["sources"][split] = src
        man[f"{split}_tokens"] = int(t.size)
        man[f"{split}_docs_bos0"] = int((t == 0).sum())

    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(f"{a.tokenizer}/{f}", f"{a.out}/{f}")
    shutil.copy(f"{a.run}/config.json", f"{a.out}/config.json")

    n = 0
    with open(f"{a.data}/passkey/passkey.jsonl") as fin, open(f"{a.out}/passkey_test.jsonl", "w") as fout:
        for line in fin:
            d = json.loads(line)
            if d["split"] == "test":
                fout.write(json.dumps({"text": d["text"], "answer": d["answer"]}) + "\n")
                n += 1
    man["passkey_test_rows"] = n

    prompts = []
    for line in open(f"{a.data}/brown/documents.jsonl"):
        d = json.loads(line)
        if d["split"] == "test" and len(prompts) < 100:
            prompts.append({"prompt": " ".join(d["text"].split()[:12]), "genre": d["genre"]})
    with open(f"{a.out}/brown_prompts.json", "w") as fo:
        json.dump(prompts, fo)
    man["brown_prompts"] = len(prompts)

    icl = {}
    for f in sorted(glob.glob(f"{a.data}/icl/tasks/*.jsonl")):
        train, test = [], []
        for line in open(f):
            e = json.loads(line)
            row = {"input": e["input"], "output": e["output"]}
            if e["split"] == "train":
                train.append(row)
            elif e["split"] == "test":
                test.append(row)
        m = len(train)
        keep = sorted({i * 7 % m for i in range(min(a.max_shots, m))}) if m else []
        icl[os.path.basename(f)[:-len(".jsonl")]] = {
            "n_train": m, "train": {str(i): train[i] for i in keep}, "test": test}
    with open(f"{a.out}/icl.json", "w") as fo:
        json.dump({"max_shots": a.max_shots, "tasks": icl}, fo)
    man["icl_tasks"] = {k: len(v["test"]) for k, v in icl.items()}

    ts = f"{a.run}/trainer_state.json"
    if os.path.exists(ts):  # the Java run's validation curve, for comparison
        log = json.load(open(ts)).get("log", [])
        man["java_val_log"] = [[e["step"], e["val_loss"]] for e in log if "val_loss" in e]
    with open(f"{a.out}/manifest.json", "w") as fo:
        json.dump(man, fo, indent=1)
    total = sum(os.path.getsize(os.path.join(a.out, x)) for x in os.listdir(a.out))
    print(json.dumps({k: v for k, v in man.items() if k != "java_val_log"}))
    print(f"{a.out}: {total / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
