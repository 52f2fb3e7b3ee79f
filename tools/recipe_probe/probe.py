#!/usr/bin/env python3
"""PyTorch replica of Vane's `train lm` recipe (engine/.../train) plus the pass-key and ICL parts
of `eval demo`, to try training recipes quickly on a GPU.

    python3 tools/recipe_probe/prep.py                       # once, on the repo machine -> .probe/
    python3 tools/recipe_probe/probe.py --data .probe --eval-at 1000,2000 --log $OUT/probe.jsonl \
        --save-dir $OUT --runs "java:;lr1e-3:lr=1e-3;long:steps=6000,eval_at=2000/4000"

Flags give every run's defaults (those of the running `train lm`: 3000 steps, batch 16, context
256, lr 3e-3, warm-up 100, min-lr-ratio 0.1, wd 0.1, clip 1, seed 1); --runs overrides them per
run ("name:key=val,..." separated by ';', keys as the flags with - or _, and '/' for the commas
of eval_at); extra keys: until (stop early on the same schedule, as Java --until), save=0,
wd_skip_1d=1 (no decay on norms and embedding: NOT the Java recipe), beta2.

What is replicated exactly (same integers, floats up to rounding order):
  * weights at step 0: FixtureWriter Init.TRAINING, per tensor SplittableRandom(seed*GOLDEN +
    name.hashCode()), uniform with std 0.02, o_proj/down_proj 0.02/sqrt(2L), norms exactly 1;
  * the batches: TokenDataset.batch(seed, step, B, T) with java.util.SplittableRandom and
    alignToDocument (BOS id 0 starts a document); validation = batch(-1, i) for i < eval-batches;
  * loss: mean next-token cross-entropy; AdamW.java (decoupled, lr-scaled decay on every
    parameter, norms and embedding included); global-norm clip; TrainConfig.learningRate;
  * eval: DemoEval.passKey / icl (tok.encode(text, true) = BOS + ids, greedy 8 new tokens, stop at
    EOS, decode without special tokens, Java String.trim semantics).
Each eval point prints one JSON line.  Modes: train (default, one or several --runs) or
--eval-ckpt DIR (evaluate an HF checkpoint such as runs/demo-lm-v5, and --check-steps S,...
to score the exact training batches of those steps for comparison with trainer_state.json).
"""
import argparse, json, math, os, re, sys, time
import numpy as np
import torch
import torch.nn.functional as F

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


# ----------------------------------------------------------------------------- Java RNG

def _mix32(z):
    z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & M64
    r = (((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3) & M64) >> 32
    return r - (1 << 32) if r >= 1 << 31 else r


class SplittableRandom:
    """java.util.SplittableRandom(long seed): nextInt(bound) as RandomSupport.boundedNextInt."""

    def __init__(self, seed):
        self.seed = seed & M64

    def _next_seed(self):
        self.seed = (self.seed + GOLDEN) & M64
        return self.seed

    def next_int(self, bound=None):
        r = _mix32(self._next_seed())
        if bound is None:
            return r
        m = bound - 1
        if bound & m == 0:
            return r & m
        u = (r & 0xFFFFFFFF) >> 1
        while True:
            r = u % bound
            if u + m - r < (1 << 31):  # no int overflow in Java's u + m - r
                return r
            u = (_mix32(self._next_seed()) & 0xFFFFFFFF) >> 1


def java_long(x):
    return x & M64


def java_string_hash(s):
    h = 0
    for ch in s.encode("utf-16-le").decode("utf-16-le"):  # BMP names only
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def java_uniform_doubles(seed, n):
    """n successive SplittableRandom(seed).nextDouble() values, vectorised."""
    with np.errstate(over="ignore"):
        k = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(seed & M64) + k * np.uint64(GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def java_trim(s):
    i, j = 0, len(s)
    while i < j and ord(s[i]) <= 32:
        i += 1
    while j > i and ord(s[j - 1]) <= 32:
        j -= 1
    return s[i:j]


# ----------------------------------------------------------------------------- data

class TokenDataset:
    """TokenDataset.java with document start = BOS (0)."""

    def __init__(self, tokens, device, doc_start=0):
        self.np = tokens
        self.n = int(tokens.size)
        self.starts = np.flatnonzero(tokens == doc_start).astype(np.int64)
        self.dev = torch.from_numpy(tokens.astype(np.int64)).to(device)

    def align(self, pos, span):
        i = int(np.searchsorted(self.starts, pos, side="right")) - 1  # last start <= pos
        if i >= 0 and self.starts[i] == pos:
            return pos
        return int(self.starts[i]) if i >= 0 and pos - int(self.starts[i]) < span else pos

    def starts_of(self, seed, step, batch, length):
        rng = SplittableRandom(java_long(seed * GOLDEN + step))
        span = min(length, self.n - 1)
        return [self.align(rng.next_int(self.n - span), span) for _ in range(batch)], span

    def batch(self, seed, step, batch, length):
        st, span = self.starts_of(seed, step, batch, length)
        idx = torch.tensor(st, device=self.dev.device)[:, None] + torch.arange(span + 1, device=self.dev.device)
        w = self.dev[idx]
        return w[:, :-1], w[:, 1:]


# ----------------------------------------------------------------------------- model

def names(c):
    out = ["model.embed_tokens.weight"]
    for l in range(c["layers"]):
        p = f"model.layers.{l}."
        out += [p + "input_layernorm.weight", p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
                p + "self_attn.v_proj.weight", p + "self_attn.o_proj.weight", p + "post_attention_layernorm.weight",
                p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight", p + "mlp.down_proj.weight"]
    return out + ["model.norm.weight"]


def shape_of(c, n):
    d, hd, h, g, ff, v = c["hidden"], c["head_dim"], c["heads"], c["kv_heads"], c["intermediate"], c["vocab"]
    for suf, s in (("embed_tokens.weight", (v, d)), ("norm.weight", (d,)), ("q_proj.weight", (h * hd, d)),
                   ("k_proj.weight", (g * hd, d)), ("v_proj.weight", (g * hd, d)), ("o_proj.weight", (d, h * hd)),
                   ("gate_proj.weight", (ff, d)), ("up_proj.weight", (ff, d)), ("down_proj.weight", (d, ff))):
        if n.endswith(suf):
            return s
    raise KeyError(n)


def init_weights(c, seed, device):
    """FixtureWriter.write(..., Init.TRAINING): bit-for-bit the Java trainer's step-0 weights."""
    residual = 0.02 / math.sqrt(2.0 * c["layers"])
    W = {}
    for n in names(c):
        shape = shape_of(c, n)
        if n.endswith("norm.weight"):
            std, mean = 0.0, 1.0
        elif n.endswith("o_proj.weight") or n.endswith("down_proj.weight"):
            std, mean = residual, 0.0
        else:
            std, mean = 0.02, 0.0
        cnt = int(np.prod(shape))
        u = java_uniform_doubles(java_long(seed * GOLDEN + java_string_hash(n)), cnt)
        vals = (mean + (u * 2 - 1) * (std * math.sqrt(3))).astype(np.float32).reshape(shape)
        W[n] = torch.from_numpy(vals).to(device)
    return W


def load_weights(d, c, device):
    from safetensors.torch import load_file
    raw = load_file(os.path.join(d, "model.safetensors"))
    W = {n: raw[n].float().to(device) for n in names(c)}
    extra = set(raw) - set(W)
    if extra - {"lm_head.weight"}:
        raise SystemExit(f"unexpected tensors {sorted(extra)[:5]}")
    if "lm_head.weight" in raw:
        raise SystemExit("untied lm_head not supported (the recipe ties embeddings)")
    return W


class Rope:
    def __init__(self, c, n, device):
        hd = c["head_dim"]
        inv = (1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))).float()
        fr = torch.outer(torch.arange(n).float(), inv)
        emb = torch.cat((fr, fr), -1)
        self.cos, self.sin = emb.cos().to(device), emb.sin().to(device)


def rms(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rot(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), -1)


def forward(W, c, rope, ids, pos=None, mask=None, last_only=False):
    """ids [B,T] -> logits [B,T,V] (or [B,V] with last_only). pos [B,T] + bool mask [B,1,T,T] for
    left-padded batches; otherwise positions 0..T-1 and a causal mask."""
    B, T = ids.shape
    nh, kv, hd, eps = c["heads"], c["kv_heads"], c["head_dim"], c["eps"]
    x = F.embedding(ids, W["model.embed_tokens.weight"])
    if pos is None:
        cos, sin = rope.cos[:T], rope.sin[:T]
    else:
        cos, sin = rope.cos[pos][:, None], rope.sin[pos][:, None]
    for l in range(c["layers"]):
        p = f"model.layers.{l}."
        h = rms(x, W[p + "input_layernorm.weight"], eps)
        q = (h @ W[p + "self_attn.q_proj.weight"].T).view(B, T, nh, hd).transpose(1, 2)
        k = (h @ W[p + "self_attn.k_proj.weight"].T).view(B, T, kv, hd).transpose(1, 2)
        v = (h @ W[p + "self_attn.v_proj.weight"].T).view(B, T, kv, hd).transpose(1, 2)
        q = q * cos + rot(q) * sin
        k = k * cos + rot(k) * sin
        if nh != kv:
            k = k.repeat_interleave(nh // kv, 1)
            v = v.repeat_interleave(nh // kv, 1)
        if mask is None:
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            o = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + o.transpose(1, 2).reshape(B, T, nh * hd) @ W[p + "self_attn.o_proj.weight"].T
        h = rms(x, W[p + "post_attention_layernorm.weight"], eps)
        g = h @ W[p + "mlp.gate_proj.weight"].T
        u = h @ W[p + "mlp.up_proj.weight"].T
        x = x + (F.silu(g) * u) @ W[p + "mlp.down_proj.weight"].T
    if last_only:
        x = x[:, -1]
    x = rms(x, W["model.norm.weight"], eps)
    return x @ W["model.embed_tokens.weight"].T


def ce(W, c, rope, inp, tgt):
    logits = forward(W, c, rope, inp)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1))


# ----------------------------------------------------------------------------- optimiser

class AdamW:
    """AdamW.java: m,v moments; p -= lr*(m̂/(sqrt(v̂)+eps) + wd*p); global-norm clip first."""

    def __init__(self, params, wd, beta1=0.9, beta2=0.999, eps=1e-8, decay_mask=None):
        self.p = params
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.b1, self.b2, self.eps, self.wd = beta1, beta2, eps, wd
        self.decay = decay_mask or [True] * len(params)
        self.t = 0

    @torch.no_grad()
    def step(self, lr, clip):
        self.t += 1
        g = [p.grad for p in self.p]
        norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(g)))
        if clip > 0:
            coef = torch.where(norm > clip, clip / norm, torch.ones_like(norm))
            torch._foreach_mul_(g, coef)
        bc1 = 1 - self.b1 ** self.t
        bc2 = 1 - self.b2 ** self.t
        torch._foreach_mul_(self.m, self.b1)
        torch._foreach_add_(self.m, g, alpha=1 - self.b1)
        torch._foreach_mul_(self.v, self.b2)
        torch._foreach_addcmul_(self.v, g, g, value=1 - self.b2)
        den = torch._foreach_div(self.v, bc2)
        torch._foreach_sqrt_(den)
        torch._foreach_add_(den, self.eps)
        upd = torch._foreach_div(self.m, bc1)
        torch._foreach_div_(upd, den)
        if self.wd > 0:
            dp = [p for p, d in zip(self.p, self.decay) if d]
            du = [u for u, d in zip(upd, self.decay) if d]
            torch._foreach_add_(du, dp, alpha=self.wd)
        torch._foreach_add_(self.p, upd, alpha=-lr)
        for p in self.p:
            p.grad = None
        return norm


def learning_rate(s, r):
    """TrainConfig.learningRate(s), s 0-based."""
    lr, wu, steps, mr = r["lr"], r["warmup"], r["steps"], r["min_lr_ratio"]
    if s < wu:
        return lr * (s + 1) / wu
    prog = min(1.0, (s - wu) / max(1, steps - wu))
    mn = lr * mr
    return mn + (lr - mn) * 0.5 * (1 + math.cos(math.pi * prog))


# ----------------------------------------------------------------------------- eval

class Evaluator:
    def __init__(self, data, tok, eos_ids, device, eval_batch):
        self.tok, self.eos, self.device, self.eval_batch = tok, eos_ids, device, eval_batch
        self.passkey = [json.loads(l) for l in open(os.path.join(data, "passkey_test.jsonl"))]
        self.icl = json.load(open(os.path.join(data, "icl.json")))
        bp = os.path.join(data, "brown_prompts.json")
        self.brown = json.load(open(bp)) if os.path.exists(bp) else []
        self._enc = {}

    def encode(self, text):  # tok.encode(text, true): the post-processor adds BOS
        ids = self._enc.get(text)
        if ids is None:
            ids = self._enc[text] = self.tok.encode(text, add_special_tokens=True).ids
        return ids

    @torch.no_grad()
    def generate(self, W, c, rope, prompts, new=8):
        """Greedy `new` tokens for each id list; returns decoded texts (stop at EOS, no specials)."""
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        out = [None] * len(prompts)
        for s in range(0, len(order), self.eval_batch):
            idx = order[s:s + self.eval_batch]
            rows = [prompts[i] for i in idx]
            L = max(len(r) for r in rows)
            B = len(rows)
            ids = torch.full((B, L + new), 2, dtype=torch.long)
            pad = torch.tensor([L - len(r) for r in rows])
            for b, r in enumerate(rows):
                ids[b, L - len(r):L] = torch.tensor(r)
            ids, pad = ids.to(self.device), pad.to(self.device)
            gen = []
            for t in range(new):
                T = L + t
                ar = torch.arange(T, device=self.device)
                pos = (ar[None] - pad[:, None]).clamp(min=0)
                valid = ar[None] >= pad[:, None]                          # [B,T] real tokens
                mask = (ar[None, :, None] >= ar[None, None, :]) & valid[:, None, :]
                mask = (mask | torch.eye(T, dtype=torch.bool, device=self.device)[None])[:, None]
                nxt = forward(W, c, rope, ids[:, :T], pos=pos, mask=mask, last_only=True).argmax(-1)
                ids[:, T] = nxt
                gen.append(nxt)
            gen = torch.stack(gen, 1).cpu().tolist()
            for b, i in enumerate(idx):
                g = gen[b]
                for j, t in enumerate(g):
                    if t in self.eos:
                        g = g[:j]
                        break
                out[i] = self.tok.decode(g, skip_special_tokens=True)
        return out

    def passkey_eval(self, W, c, rope, context, n):
        prompts, answers, skipped = [], [], 0
        for d in self.passkey:
            ids = self.encode(d["text"])
            if len(ids) + 8 > context:
                skipped += 1
                continue
            if n is not None and len(prompts) >= n:
                continue
            prompts.append(ids)
            answers.append(d["answer"])
        outs = self.generate(W, c, rope, prompts)
        ok = three = 0
        for o, a in zip(outs, answers):
            got = java_trim(o)
            ok += got.startswith(a)
            three += got.startswith(a[:min(3, len(a))])
        k = max(1, len(outs))
        return {"passkey_n": len(outs), "passkey_acc": ok / k, "passkey_first3": three / k,
                "passkey_skipped_long": skipped, "passkey_sample": outs[:2]}

    def icl_eval(self, W, c, rope, context, per_task, shots):
        prompts, meta, skipped = [], [], 0
        for task, t in sorted(self.icl["tasks"].items()):
            m = t["n_train"]
            if shots > self.icl["max_shots"] and shots <= m:
                raise SystemExit(f"--shots {shots} > prep --max-shots {self.icl['max_shots']}")
            demo = "".join("Q: %s\nA: %s\n\n" % (e["input"], e["output"])
                           for e in (t["train"][str(i * 7 % m)] for i in range(min(shots, m))))
            for q in t["test"][:per_task]:
                for arm, pre in (("zero", ""), ("few", demo)):
                    ids = self.encode(pre + "Q: " + q["input"] + "\nA:")
                    if len(ids) + 8 > context:  # DemoEval would throw here (checkContext)
                        skipped += 1
                        continue
                    prompts.append(ids)
                    meta.append((task, arm, q["output"]))
        outs = self.generate(W, c, rope, prompts)
        acc = {}
        for (task, arm, exp), o in zip(meta, outs):
            a = acc.setdefault(task, {"zero": [0, 0], "few": [0, 0]})[arm]
            a[0] += java_trim(o.split("\n", 1)[0]) == exp
            a[1] += 1
        per = {k: [round(v["zero"][0] / max(1, v["zero"][1]), 4), round(v["few"][0] / max(1, v["few"][1]), 4)]
               for k, v in acc.items()}
        n = max(1, len(per))
        return {"icl_0shot": sum(p[0] for p in per.values()) / n, f"icl_{shots}shot": sum(p[1] for p in per.values()) / n,
                "icl_per_task_0_vs_n": per, "icl_skipped_too_long": skipped}


    def continuation_eval(self, W, c, rope, new=32):
        """eval demo's greedy continuations (argmax, `new` tokens) of held-out Brown openings: the
        first five texts, and over all prompts the share with a run of three or more lone capital
        letters ("U.S. S. W. H.", "H O U"), and the share of distinct word 3-grams."""
        if not self.brown:
            return {}
        outs = self.generate(W, c, rope, [self.encode(p["prompt"]) for p in self.brown], new=new)
        runs = sum(1 for o in outs if re.search(r"(?:\b[A-Z]\b[^A-Za-z0-9]*){3,}", o))
        grams = total = 0
        for o in outs:
            w = o.split()
            g = [tuple(w[i:i + 3]) for i in range(len(w) - 2)]
            grams += len(set(g))
            total += len(g)
        return {"cont_initial_runs": round(runs / len(outs), 4), "cont_distinct_3grams": round(grams / max(1, total), 4),
                "cont_first5": outs[:5]}


@torch.no_grad()
def val_loss(W, c, rope, valid, batch, context, batches):
    s = 0.0
    for i in range(batches):
        inp, tgt = valid.batch(-1, i, batch, context)
        s += float(ce(W, c, rope, inp, tgt))
    return s / batches


# ----------------------------------------------------------------------------- runs

DEFAULTS = dict(steps=3000, batch=16, context=256, lr=3e-3, warmup=100, min_lr_ratio=0.1, weight_decay=0.1,
                clip=1.0, beta2=0.999, wd_skip_1d=0, layers=6, hidden=256, heads=8, kv_heads=4, intermediate=704,
                seed=1, until=0, save=1, eval_at="", eval_batches=8, passkey_n=-1, icl_per_task=25, shots=10, tag="run")
INTS = {"steps", "batch", "context", "warmup", "layers", "hidden", "heads", "kv_heads", "intermediate", "seed",
        "eval_batches", "passkey_n", "icl_per_task", "shots", "wd_skip_1d", "until", "save"}


def conv(k, v):
    if k not in DEFAULTS:
        raise SystemExit(f"unknown run key {k} (known: {sorted(DEFAULTS)})")
    if k in ("eval_at", "tag"):
        return str(v)
    return int(v) if k in INTS else float(v)


def model_cfg(r, base):
    return dict(vocab=base["vocab_size"], hidden=r["hidden"], layers=r["layers"], heads=r["heads"],
                kv_heads=r["kv_heads"], head_dim=r["hidden"] // r["heads"], intermediate=r["intermediate"],
                eps=base["rms_norm_eps"], rope_theta=base["rope_theta"])


def hf_config(c, base, context):
    h = dict(base)
    h.update(hidden_size=c["hidden"], intermediate_size=c["intermediate"], num_hidden_layers=c["layers"],
             num_attention_heads=c["heads"], num_key_value_heads=c["kv_heads"], head_dim=c["head_dim"],
             max_position_embeddings=context, torch_dtype="float32", tie_word_embeddings=True)
    return h


def save(W, c, base, context, d, data):
    from safetensors.torch import save_file
    import shutil
    os.makedirs(d, exist_ok=True)
    save_file({n: W[n].detach().float().contiguous().cpu() for n in names(c)}, os.path.join(d, "model.safetensors"),
              metadata={"format": "pt"})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(hf_config(c, base, context), f, indent=2)
    for fn in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(data, fn), os.path.join(d, fn))


def emit(obj, logf):
    line = json.dumps(obj)
    print(line, flush=True)
    if logf:
        with open(logf, "a") as f:
            f.write(line + "\n")


def evaluate(W, c, rope, r, ev, valid, t0, extra, logf):
    te = time.time()
    rec = dict(extra)
    rec["val_loss"] = round(val_loss(W, c, rope, valid, r["batch"], r["context"], r["eval_batches"]), 5)
    rec.update(ev.passkey_eval(W, c, rope, r["context"], None if r["passkey_n"] < 0 else r["passkey_n"]))
    rec.update(ev.icl_eval(W, c, rope, r["context"], r["icl_per_task"], r["shots"]))
    rec.update(ev.continuation_eval(W, c, rope))
    for k in ("passkey_acc", "passkey_first3", "icl_0shot", f"icl_{r['shots']}shot"):
        rec[k] = round(rec[k], 4)
    rec["eval_s"] = round(time.time() - te, 2)
    rec["elapsed_s"] = round(time.time() - t0, 2)
    emit(rec, logf)


def train_run(r, a, base, ev, train, valid, device):
    torch.manual_seed(0)
    c = model_cfg(r, base)
    rope = Rope(c, r["context"], device)
    W = init_weights(c, r["seed"], device)
    params = [W[n] for n in names(c)]
    for p in params:
        p.requires_grad_(True)
    decay = [not (r["wd_skip_1d"] and (p.dim() == 1 or n == "model.embed_tokens.weight"))
             for n, p in zip(names(c), params)]
    opt = AdamW(params, r["weight_decay"], beta2=r["beta2"], decay_mask=decay)
    last = min(r["until"], r["steps"]) if r["until"] > 0 else r["steps"]  # Java --until: stop early, same schedule
    evals = sorted({int(x) for x in r["eval_at"].split(",") if x.strip() and int(x) <= last} | {last})
    nparams = sum(p.numel() for p in params)
    emit({"tag": r["tag"], "event": "start", "params": nparams, "device": str(device), "tf32": a.tf32_on,
          "recipe": {k: r[k] for k in DEFAULTS if k not in ("eval_at", "tag", "save")}}, a.log)
    t0 = time.time()
    train_s = 0.0
    losses = []
    if 0 in evals:
        evaluate(W, c, rope, r, ev, valid, t0, {"tag": r["tag"], "step": 0, "tokens": 0, "train_loss": None}, a.log)
    last_eval = 0
    for s in range(last):
        ts = time.time()
        inp, tgt = train.batch(r["seed"], s, r["batch"], r["context"])
        loss = ce(W, c, rope, inp, tgt)
        loss.backward()
        gn = opt.step(learning_rate(s, r), r["clip"])
        losses.append(loss.detach())
        step = s + 1
        if step <= a.trace_steps:
            emit({"tag": r["tag"], "trace_step": step, "loss": round(float(loss.detach()), 6), "lr": learning_rate(s, r),
                  "grad_norm": round(float(gn), 4), "step_s": round(time.time() - ts, 3)}, a.log)
        if step in evals:
            tl = torch.stack(losses[last_eval:]).tolist()
            train_s += time.time() - ts
            ts_end = time.time()
            evaluate(W, c, rope, r, ev, valid, t0,
                     {"tag": r["tag"], "step": step, "tokens": step * r["batch"] * r["context"],
                      "train_loss": round(sum(tl) / len(tl), 5), "train_loss_last": round(tl[-1], 5),
                      "lr": learning_rate(s, r), "train_s": round(train_s, 2),
                      "s_per_step": round(train_s / step, 4)}, a.log)
            last_eval = step
        else:
            train_s += time.time() - ts
    if a.save_dir and r["save"]:
        d = os.path.join(a.save_dir, r["tag"])
        save(W, c, base, r["context"], d, a.data)
        emit({"tag": r["tag"], "event": "saved", "dir": d}, a.log)
    del W, params, opt


def parse_runs(spec, base):
    runs = []
    for part in [p for p in spec.split(";") if p.strip()]:
        name, _, kvs = part.partition(":")
        r = dict(base)
        r["tag"] = name.strip()
        for kv in [x for x in kvs.split(",") if x.strip()]:
            k, _, v = kv.partition("=")
            k = k.strip().replace("-", "_")
            r[k] = conv(k, v.strip().replace("/", ","))  # eval_at=500/1000 inside --runs
        runs.append(r)
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=".probe")
    for k, v in DEFAULTS.items():
        ap.add_argument("--" + k.replace("_", "-"), default=v, type=type(v) if k not in ("passkey_n",) else int)
    ap.add_argument("--runs", default="", help='"name:key=val,key=val;name2:..." (keys as flags, - or _; '
                                               'eval-at inside a run uses / as separator)')
    ap.add_argument("--save-dir", default="", help="save each run's final weights (HF layout) to DIR/<tag>/")
    ap.add_argument("--eval-ckpt", default="", help="evaluate this HF checkpoint dir instead of training")
    ap.add_argument("--check-steps", default="", help="with --eval-ckpt: score training batches of these steps")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--no-tf32", action="store_true")
    ap.add_argument("--eval-batch", type=int, default=256, help="prompts per generation batch")
    ap.add_argument("--trace-steps", type=int, default=0, help="print the loss of each of the first N steps")
    ap.add_argument("--log", default="", help="also append the JSON lines to this file")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if a.device == "auto" else a.device)
    a.tf32_on = device.type == "cuda" and not a.no_tf32
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = a.tf32_on
        torch.backends.cudnn.allow_tf32 = a.tf32_on
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(a.data, "tokenizer.json"))
    tcfg = json.load(open(os.path.join(a.data, "tokenizer_config.json")))
    base_cfg = json.load(open(os.path.join(a.data, "config.json")))
    eos = {base_cfg["eos_token_id"]} if isinstance(base_cfg.get("eos_token_id"), int) else set(base_cfg.get("eos_token_id") or [])
    if tcfg.get("eos_token"):
        eos.add(tok.token_to_id(tcfg["eos_token"]))
    assert tok.encode("a", add_special_tokens=True).ids[0] == base_cfg["bos_token_id"], "tokenizer does not add BOS"
    ev = Evaluator(a.data, tok, eos, device, a.eval_batch)
    valid = TokenDataset(np.load(os.path.join(a.data, "valid.npz"))["tokens"], device)
    base = {k: getattr(a, k) for k in DEFAULTS}
    emit({"event": "env", "torch": torch.__version__, "device": str(device),
          "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else None, "tf32": a.tf32_on,
          "threads": torch.get_num_threads(), "eos": sorted(eos)}, a.log)

    if a.eval_ckpt:
        hc = json.load(open(os.path.join(a.eval_ckpt, "config.json")))
        r = dict(base)
        r.update(hidden=hc["hidden_size"], layers=hc["num_hidden_layers"], heads=hc["num_attention_heads"],
                 kv_heads=hc["num_key_value_heads"], intermediate=hc["intermediate_size"],
                 tag=a.tag if a.tag != "run" else a.eval_ckpt)
        c = model_cfg(r, hc)
        W = load_weights(a.eval_ckpt, c, device)
        rope = Rope(c, r["context"], device)
        t0 = time.time()
        if a.check_steps:
            train = TokenDataset(np.load(os.path.join(a.data, "train.npz"))["tokens"], device)
            with torch.no_grad():
                for s in [int(x) for x in a.check_steps.split(",")]:
                    inp, tgt = train.batch(r["seed"], s, r["batch"], r["context"])
                    emit({"tag": r["tag"], "check_step": s, "log_step": s + 1,
                          "train_batch_loss": round(float(ce(W, c, rope, inp, tgt)), 6)}, a.log)
        evaluate(W, c, rope, r, ev, valid, t0, {"tag": r["tag"], "step": None}, a.log)
        return

    train = TokenDataset(np.load(os.path.join(a.data, "train.npz"))["tokens"], device)
    runs = parse_runs(a.runs, base) if a.runs else [base]
    for r in runs:
        train_run(r, a, base_cfg, ev, train, valid, device)


if __name__ == "__main__":
    main()
