#!/usr/bin/env python3
"""Plots the length-extrapolation experiment and prints its tables (docs/results/attention.md).

usage: /usr/bin/python3 tools/plot-attention.py RESULTS.jsonl OUT.png   (Debian's python3-matplotlib)
RESULTS.jsonl: one `vane eval attention` line per variant.
"""
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = rows[0]["train_length"]
fig, (loss_ax, key_ax) = plt.subplots(1, 2, figsize=(11, 4))
for i, r in enumerate(rows):
    xs = [x["multiple"] for x in r["results"]]
    loss_ax.errorbar(xs, [x["loss"] for x in r["results"]],
                     yerr=[[x["loss"] - x["loss_low"] for x in r["results"]], [x["loss_high"] - x["loss"] for x in r["results"]]],
                     marker="o", capsize=3, label=r["label"], color=f"C{i}")
    if r["results"][0]["passkey_docs"] > 0:
        acc = [100 * x["passkey_correct"] / x["passkey_docs"] for x in r["results"]]
        key_ax.errorbar(xs, acc, yerr=[[a - 100 * x["passkey_low"] for a, x in zip(acc, r["results"])],
                                       [100 * x["passkey_high"] - a for a, x in zip(acc, r["results"])]],
                        marker="o", capsize=3, label=r["label"], color=f"C{i}")
for ax in (loss_ax, key_ax):
    ax.set_xscale("log", base=2)
    ax.set_xticks([x["multiple"] for x in rows[0]["results"]])
    ax.set_xticklabels([f"{x['multiple']}×" for x in rows[0]["results"]])
    ax.set_xlabel(f"context / training length ({n} tokens)")
    ax.grid(alpha=0.3)
loss_ax.set_ylabel("test loss (nats / token), 95% interval")
loss_ax.set_title("Validation loss beyond the training length")
key_ax.set_ylabel("pass-key accuracy (%), 95% Wilson interval")
key_ax.set_title("Pass-key retrieval")
key_ax.set_ylim(-5, 105)
loss_ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)

mults = [x["multiple"] for x in rows[0]["results"]]
print("| variant | " + " | ".join(f"loss {m}×" for m in mults) + " |")
print("|---|" + "---|" * len(mults))
for r in rows:
    print(f"| {r['label']} | " + " | ".join(f"{x['loss']:.3f} ({x['loss_low']:.3f} – {x['loss_high']:.3f})" for x in r["results"]) + " |")
print()
print("| variant | " + " | ".join(f"pass key {m}×" for m in mults) + " |")
print("|---|" + "---|" * len(mults))
for r in rows:
    print(f"| {r['label']} | " + " | ".join(
        f"{x['passkey_correct']}/{x['passkey_docs']} ({100 * x['passkey_low']:.0f} – {100 * x['passkey_high']:.0f}%)" for x in r["results"]) + " |")
