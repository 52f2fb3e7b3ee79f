// llama.cpp on a GGUF file, through the prebuilt CPU binaries of the npm package node-llama-cpp,
// timed as Vane's DecodeBench times itself (see docs/results/performance.md).
//   node peer.mjs decode  FILE.gguf THREADS [TOKENS]     greedy tokens/s after a 5-token prompt, best of 3
//   node peer.mjs prefill FILE.gguf THREADS [PROMPT]     prompt tokens/s to the first token, best of 3
//   node peer.mjs greedy  FILE.gguf IDS N                N greedy token ids after the comma-separated prompt ids
import { getLlama } from "node-llama-cpp";

const [mode, file, arg3, arg4] = process.argv.slice(2);
const threads = mode === "greedy" ? 2 : Number(arg3 ?? 2);
const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath: file });
const context = await model.createContext({ contextSize: 1024, threads, batchSize: 512 });

/** Evaluates `prompt` and returns the first `n` greedy tokens, leaving the context empty. */
async function generate(prompt, n) {
  const sequence = context.getSequence();
  const tokens = [];
  for await (const t of sequence.evaluate(prompt, { temperature: 0 })) {
    tokens.push(t);
    if (tokens.length === n) break;
  }
  await sequence.clearHistory();
  sequence.dispose();
  return tokens;
}

async function best(run) {
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await run();
    fastest = Math.min(fastest, (performance.now() - t0) / 1000);
  }
  return fastest;
}

if (mode === "greedy") {
  console.log(JSON.stringify(await generate(arg3.split(",").map(Number), Number(arg4))));
} else if (mode === "prefill") {
  const length = Number(arg4 ?? 512);
  const prompt = Array.from({ length }, (_, i) => 1000 + ((i * 7919) % 90000));
  const s = await best(() => generate(prompt, 1));
  console.log(JSON.stringify({ peer: "llama.cpp", threads, prompt_len: length, ttft_ms: +(s * 1000).toFixed(1), prefill_tok_s: +(length / s).toFixed(1) }));
} else if (mode === "decode") {
  const n = Number(arg4 ?? 64);
  const s = await best(() => generate([128000, 791, 4062, 14198, 39935], n));
  console.log(JSON.stringify({ peer: "llama.cpp", threads, gen_len: n, decode_tok_s: +(n / s).toFixed(2) }));
} else {
  console.error("usage: node peer.mjs decode|prefill|greedy FILE.gguf ...");
  process.exit(2);
}
process.exit(0);
