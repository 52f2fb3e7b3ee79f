#!/usr/bin/env python3
"""Plots the length-extrapolation experiment and prints its tables (docs/results/attention.md).

usage: /usr/bin/python3 tools/plot-attention.py RESULTS.jsonl OUT.png   (Debian's python3-matplotlib)
RESULTS.jsonl: one `vane eval attention` line per variant, the first the baseline (softmax).
Every row scores the same text regions at every length, so differences are paired over regions:
the interval of a difference is Student's t over the regions' differences.
"""
import json, math, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

# t(0.975, df) for df = 1 .. 30
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def paired(a, b):
    """Mean of b - a over regions and its 95% interval."""
    d = [y - x for x, y in zip(a, b)]
    n = len(d)
    mean = sum(d) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
    half = (T975[n - 2] if n - 1 <= len(T975) else 1.96) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = rows[0]["train_length"]
mults = [x["multiple"] for x in rows[0]["results"]]
base = rows[0]
fig, (growth_ax, key_ax) = plt.subplots(1, 2, figsize=(11, 4))
for i, r in enumerate(rows):
    first = r["results"][0]["loss_regions"]
    g = [paired(first, x["loss_regions"]) for x in r["results"]]
    growth_ax.errorbar(mults, [v[0] for v in g], yerr=[[v[0] - v[1] for v in g], [v[2] - v[0] for v in g]],
                       marker="o", capsize=3, label=r["label"], color=f"C{i}")
    if r["results"][0]["passkey_docs"] > 0:
        acc = [100 * x["passkey_correct"] / x["passkey_docs"] for x in r["results"]]
        key_ax.errorbar(mults, acc, yerr=[[a - 100 * x["passkey_low"] for a, x in zip(acc, r["results"])],
                                          [100 * x["passkey_high"] - a for a, x in zip(acc, r["results"])]],
                        marker="o", capsize=3, label=r["label"], color=f"C{i}")
for ax in (growth_ax, key_ax):
    ax.set_xscale("log", base=2)
    ax.set_xticks(mults)
    ax.set_xticklabels([f"{m}×" for m in mults])
    ax.set_xlabel(f"context / training length ({n} tokens)")
    ax.grid(alpha=0.3)
growth_ax.set_ylabel("test loss − its loss at 1× (nats / token), 95% interval")
growth_ax.set_title("Loss beyond the training length (same tokens)")
key_ax.set_ylabel("pass-key accuracy (%), 95% Wilson interval")
key_ax.set_title("Pass-key retrieval")
key_ax.set_ylim(-5, 105)
growth_ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)

fmt = lambda v: f"{v[0]:+.3f} ({v[1]:+.3f} – {v[2]:+.3f})"
print("| variant | " + " | ".join(f"loss {m}×" for m in mults) + " |")
print("|---|" + "---|" * len(mults))
for r in rows:
    print(f"| {r['label']} | " + " | ".join(f"{x['loss']:.3f}" for x in r["results"]) + " |")
print()
print(f"| variant | " + " | ".join(f"loss {m}× − loss 1×" for m in mults[1:]) + " |")
print("|---|" + "---|" * (len(mults) - 1))
for r in rows:
    first = r["results"][0]["loss_regions"]
    print(f"| {r['label']} | " + " | ".join(fmt(paired(first, x["loss_regions"])) for x in r["results"][1:]) + " |")
print()
print(f"| variant | " + " | ".join(f"{m}×: − {base['label']}" for m in mults) + " |")
print("|---|" + "---|" * len(mults))
for r in rows[1:]:
    print(f"| {r['label']} | " + " | ".join(fmt(paired(b["loss_regions"], x["loss_regions"]))
                                          for b, x in zip(base["results"], r["results"])) + " |")
print()
print("| variant | " + " | ".join(f"pass key {m}×" for m in mults) + " |")
print("|---|" + "---|" * len(mults))
for r in rows:
    print(f"| {r['label']} | " + " | ".join(
        f"{x['passkey_correct']}/{x['passkey_docs']} (0 – {100 * x['passkey_high']:.0f}%)" if x["passkey_correct"] == 0 else
        f"{x['passkey_correct']}/{x['passkey_docs']} ({100 * x['passkey_low']:.0f} – {100 * x['passkey_high']:.0f}%)"
        for x in r["results"]) + " |")
