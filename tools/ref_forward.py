#!/usr/bin/env python3
"""Independent reference forward pass for the engine's golden files.

    ref_forward.py MODEL_DIR PROMPT_IDS STEPS

Reads a Hugging Face checkpoint (config.json + model.safetensors, f32/f16/bf16) and greedily
decodes STEPS tokens after PROMPT_IDS (comma-separated token ids). Prints one JSON list, one
entry per step: {"token": greedy id, "top": [[id, log-probability], ...]} for the five most
likely tokens, best first.

Written from the Hugging Face definitions of Llama, Mistral, Qwen2 and Qwen3 (not from the
engine's code), in float64 throughout so that it is a reference for the engine's f32 and f16
paths alike: RMSNorm (x / sqrt(mean(x^2) + eps) * w), rotary embeddings on the two halves of
each head (Llama 3 frequency scaling when configured), grouped-query attention with a causal
mask (and Mistral's sliding window), Qwen3's per-head RMSNorm of q and k before the rotation,
projection biases where the checkpoint has them (Qwen2's q/k/v always), SwiGLU MLP, tied
embeddings. Needs only PyTorch (Debian: python3-torch); no cache: every step recomputes the
whole sequence, which is slow and simple.
"""
import json
import math
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


def load_safetensors(path):
    """Every tensor of a .safetensors file, as float64."""
    with open(path, "rb") as f:
        raw = f.read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + header_len].decode("utf-8"))
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        data = bytearray(raw[base + begin:base + end])  # writable copy: frombuffer shares memory
        t = torch.frombuffer(data, dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).to(torch.float64)
    return tensors


class Config:
    def __init__(self, d):
        self.model_type = d["model_type"]
        self.vocab = d["vocab_size"]
        self.hidden = d["hidden_size"]
        self.layers = d["num_hidden_layers"]
        self.heads = d["num_attention_heads"]
        self.kv_heads = d.get("num_key_value_heads") or self.heads
        self.head_dim = d.get("head_dim") or self.hidden // self.heads
        self.eps = d["rms_norm_eps"]
        self.theta = d.get("rope_theta", 10000.0)
        self.rope_scaling = d.get("rope_scaling")
        self.tied = d.get("tie_word_embeddings", False)
        if d.get("hidden_act", "silu") != "silu":
            raise SystemExit("unsupported hidden_act " + d["hidden_act"])
        # Mistral applies its window to every layer; Qwen2/3 only with use_sliding_window, from
        # layer max_window_layers on
        window = d.get("sliding_window")
        if self.model_type == "mistral":
            self.window = [window] * self.layers
        elif self.model_type in ("qwen2", "qwen3") and d.get("use_sliding_window", False):
            first = d.get("max_window_layers", self.layers)
            self.window = [window if i >= first else None for i in range(self.layers)]
        else:
            self.window = [None] * self.layers
        self.qk_norm = self.model_type == "qwen3"
        if self.model_type not in ("llama", "mistral", "qwen2", "qwen3"):
            raise SystemExit("unsupported model_type " + self.model_type)


def inverse_frequencies(cfg):
    dim = cfg.head_dim
    inv = 1.0 / (cfg.theta ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
    s = cfg.rope_scaling
    if not s:
        return inv
    kind = s.get("rope_type", s.get("type"))
    if kind == "default":
        return inv
    if kind != "llama3":
        raise SystemExit("unsupported rope_scaling " + str(kind))
    # Llama 3.1: long wavelengths are divided by the factor, short ones kept, and the band
    # between blended linearly in the inverse wavelength
    factor, low, high = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
    old = s["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv
    low_wavelen, high_wavelen = old / low, old / high
    scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    blended = (1 - smooth) * scaled / factor + smooth * scaled
    middle = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
    return torch.where(middle, blended, scaled)


def rms_norm(x, weight, eps):
    return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rotate(x, cos, sin):
    """Rotary embedding on [heads, T, Dh]: the first and second halves of each head form the pairs."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    rotated = torch.cat((-x2, x1), dim=-1)
    return x * cos + rotated * sin


def linear(x, w, b=None):
    y = x @ w.T
    return y + b if b is not None else y


def forward(cfg, w, ids):
    """Logits of every position of ids (a list of token ids), float64 [T, vocab]."""
    T = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    pos = torch.arange(T, dtype=torch.float64)
    angles = torch.outer(pos, inverse_frequencies(cfg))
    angles = torch.cat((angles, angles), dim=-1)
    cos, sin = torch.cos(angles), torch.sin(angles)
    q_idx = torch.arange(T).unsqueeze(1)
    k_idx = torch.arange(T).unsqueeze(0)
    group = cfg.heads // cfg.kv_heads
    for layer in range(cfg.layers):
        p = "model.layers.%d." % layer
        get = lambda n: w.get(p + n)
        h = rms_norm(x, w[p + "input_layernorm.weight"], cfg.eps)
        bias = lambda n: get("self_attn.%s_proj.bias" % n)
        if cfg.model_type == "qwen2":
            for n in ("q", "k", "v"):
                if bias(n) is None:
                    raise SystemExit("qwen2 checkpoint without %s_proj.bias" % n)
        q = linear(h, get("self_attn.q_proj.weight"), bias("q")).view(T, cfg.heads, cfg.head_dim).transpose(0, 1)
        k = linear(h, get("self_attn.k_proj.weight"), bias("k")).view(T, cfg.kv_heads, cfg.head_dim).transpose(0, 1)
        v = linear(h, get("self_attn.v_proj.weight"), bias("v")).view(T, cfg.kv_heads, cfg.head_dim).transpose(0, 1)
        if cfg.qk_norm:
            q = rms_norm(q, get("self_attn.q_norm.weight"), cfg.eps)
            k = rms_norm(k, get("self_attn.k_norm.weight"), cfg.eps)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        k = k.repeat_interleave(group, dim=0)  # kv head j serves query heads j*group .. j*group+group-1
        v = v.repeat_interleave(group, dim=0)
        allowed = k_idx <= q_idx
        if cfg.window[layer] is not None:
            allowed = allowed & (q_idx - k_idx < cfg.window[layer])
        scores = (q @ k.transpose(1, 2)) / math.sqrt(cfg.head_dim)
        scores = scores.masked_fill(~allowed, float("-inf"))
        attn = torch.softmax(scores, dim=-1) @ v  # [heads, T, Dh]
        attn = attn.transpose(0, 1).reshape(T, cfg.heads * cfg.head_dim)
        x = x + linear(attn, get("self_attn.o_proj.weight"), get("self_attn.o_proj.bias"))
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg.eps)
        gate = linear(h, get("mlp.gate_proj.weight"), get("mlp.gate_proj.bias"))
        up = linear(h, get("mlp.up_proj.weight"), get("mlp.up_proj.bias"))
        x = x + linear(torch.nn.functional.silu(gate) * up, get("mlp.down_proj.weight"), get("mlp.down_proj.bias"))
    x = rms_norm(x, w["model.norm.weight"], cfg.eps)
    head = w["model.embed_tokens.weight"] if cfg.tied or "lm_head.weight" not in w else w["lm_head.weight"]
    return x @ head.T


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: ref_forward.py MODEL_DIR PROMPT_IDS STEPS\n")
        return 2
    model_dir, prompt, steps = argv[1], [int(t) for t in argv[2].split(",")], int(argv[3])
    with open(model_dir + "/config.json") as f:
        cfg = Config(json.load(f))
    weights = load_safetensors(model_dir + "/model.safetensors")
    ids = list(prompt)
    out = []
    with torch.no_grad():
        for _ in range(steps):
            logprobs = torch.log_softmax(forward(cfg, weights, ids)[-1], dim=-1)
            token = int(torch.argmax(logprobs))
            top = torch.topk(logprobs, 5)
            out.append({"token": token,
                        "top": [[int(i), float(v)] for v, i in zip(top.values.tolist(), top.indices.tolist())]})
            ids.append(token)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
