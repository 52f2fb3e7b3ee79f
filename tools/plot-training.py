#!/usr/bin/env python3
"""Plots the loss curve of a `vane train lm` run from its trainer_state.json.

usage: /usr/bin/python3 tools/plot-training.py RUN_DIR OUT.png   (Debian's python3-matplotlib)
"""
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

state = json.load(open(sys.argv[1] + "/trainer_state.json"))
log = state["log"]
steps = [e["step"] for e in log]
train = [e["train_loss"] for e in log]
val = [(e["step"], e["val_loss"]) for e in log if "val_loss" in e]
smooth, s = [], None
for v in train:
    s = v if s is None else 0.95 * s + 0.05 * v
    smooth.append(s)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(steps, train, color="#bbb", lw=0.6, label="train (per step)")
ax.plot(steps, smooth, color="C0", label="train (EMA 0.95)")
if val:
    ax.plot([p[0] for p in val], [p[1] for p in val], "o-", color="C1", label="validation")
ax.set_xlabel("optimiser step (16 × 256 tokens)")
ax.set_ylabel("cross-entropy (nats / token)")
ax.set_title("Vane demo model: training curve")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
print("wrote", sys.argv[2])
