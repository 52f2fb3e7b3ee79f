#!/usr/bin/env python3
"""Golden dequantisation of GGML block formats, computed by llama.cpp's own ggml library.

usage: ggml-dequant-golden.py LIBGGML_BASE_SO OUT.json

Writes random blocks of Q8_0, Q4_0, Q4_K and Q6_K (the raw bytes, hex) and the f32 values ggml's
dequantize_row_* gives for them (as IEEE bit patterns), so the engine's tests can hold its own
dequantisation to llama.cpp's bit for bit. The K-quant blocks come from quantize_row_*_ref of
random values (so their packed scales are well formed); Q8_0 and Q4_0 blocks are random bytes with
finite f16 scales. libggml-base.so ships with the npm package node-llama-cpp (bins/linux-x64/).
"""
import ctypes, json, random, struct, sys

lib = ctypes.CDLL(sys.argv[1])
rng = random.Random(7)
F = ctypes.c_float
# (name, block elements, block bytes, quantiser from f32 or None, dequantiser)
FORMATS = [("Q8_0", 32, 34, None, lib.dequantize_row_q8_0), ("Q4_0", 32, 18, None, lib.dequantize_row_q4_0),
           ("Q4_K", 256, 144, lib.quantize_row_q4_K_ref, lib.dequantize_row_q4_K),
           ("Q6_K", 256, 210, lib.quantize_row_q6_K_ref, lib.dequantize_row_q6_K)]
out = {}
for name, qk, size, quantize, dequantize in FORMATS:
    blocks = 6
    n = blocks * qk
    raw = ctypes.create_string_buffer(blocks * size)
    if quantize:
        x = (F * n)(*[rng.gauss(0, 1) * (0.01 if i < n // 2 else 1.0) for i in range(n)])
        quantize(x, raw, ctypes.c_int64(n))
    else:
        data = bytearray()
        for b in range(blocks):
            data += struct.pack("<e", rng.uniform(-0.05, 0.05)) + bytes(rng.randrange(256) for _ in range(size - 2))
        ctypes.memmove(raw, bytes(data), len(data))
    y = (F * n)()
    dequantize(raw, y, ctypes.c_int64(n))
    out[name] = {"blocks": raw.raw.hex(), "values": [struct.unpack("<I", struct.pack("<f", v))[0] for v in y]}
json.dump(out, open(sys.argv[2], "w"))
print("wrote", sys.argv[2], {k: len(v["values"]) for k, v in out.items()})
