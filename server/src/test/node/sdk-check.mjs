// Drives a Vane server with the official OpenAI Node SDK, unmodified. Exits non-zero on the first
// mismatch. usage: node sdk-check.mjs BASE_URL MODEL_ID
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0 });
const check = (cond, what) => { if (!cond) { console.error("FAIL: " + what); process.exit(1); } };

const models = await client.models.list();
check(models.data.some((m) => m.id === model), "models.list contains " + model);

const c = await client.completions.create({ model, prompt: "Hello there", max_tokens: 5, temperature: 0, logprobs: 2 });
check(c.object === "text_completion" && c.choices.length === 1, "completion shape");
check(c.usage.completion_tokens === 5 || c.choices[0].finish_reason === "stop", "completion usage");
check(c.choices[0].logprobs.tokens.length === c.usage.completion_tokens, "completion logprobs");

let streamed = "", chunks = 0, usage = null;
const s = await client.completions.create({ model, prompt: "Hello there", max_tokens: 5, temperature: 0, stream: true,
  stream_options: { include_usage: true } });
for await (const chunk of s) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  for (const ch of chunk.choices) streamed += ch.text;
}
check(streamed === c.choices[0].text, "streamed completion text equals the non-streamed one");
check(usage && usage.completion_tokens === c.usage.completion_tokens, "include_usage chunk");

const chat = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hi!" }],
  max_tokens: 6, temperature: 0, n: 2, logprobs: true, top_logprobs: 2 });
check(chat.object === "chat.completion" && chat.choices.length === 2, "chat shape with n=2");
check(chat.choices[0].message.role === "assistant", "assistant role");
check(chat.choices[0].logprobs.content.length > 0, "chat logprobs");

let chatText = "", role = null;
const cs = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hi!" }],
  max_tokens: 6, temperature: 0, stream: true });
for await (const chunk of cs) {
  for (const ch of chunk.choices) {
    if (ch.delta.role) role = ch.delta.role;
    if (ch.delta.content) chatText += ch.delta.content;
  }
}
check(role === "assistant" && chatText === chat.choices[0].message.content, "streamed chat equals non-streamed");

try {
  await client.completions.create({ model, prompt: "x", temperature: -1 });
  check(false, "negative temperature must fail");
} catch (e) {
  check(e instanceof OpenAI.BadRequestError && e.param === "temperature", "400 names the field: " + e.message);
}
try {
  await client.completions.create({ model: "no-such-model", prompt: "x" });
  check(false, "unknown model must fail");
} catch (e) {
  check(e instanceof OpenAI.NotFoundError, "404 for an unknown model");
}
// embeddings (the SDK asks for base64 and decodes it), the tokenizer routes, echo, logit_bias
const emb = await client.embeddings.create({ model, input: ["Hello there", "Once upon"] });
check(emb.data.length === 2 && emb.data[0].embedding.length > 0, "embeddings shape");
check(Math.abs(Math.hypot(...emb.data[0].embedding) - 1) < 1e-4, "unit-length embeddings");
const root = baseURL.replace(/\/v1\/?$/, "");
const post = async (path, body) => (await fetch(root + path, { method: "POST", headers: { "content-type": "application/json" },
  body: JSON.stringify(body) })).json();
const text = "Grüße, 東京!";
const tok = await post("/tokenize", { model, prompt: text, add_special_tokens: false });
const detok = await post("/detokenize", { model, tokens: tok.tokens });
check(detok.prompt === text && tok.count === tok.tokens.length, "tokenize / detokenize round trip");
const echoed = await client.completions.create({ model, prompt: tok.tokens, max_tokens: 1, logprobs: 1, echo: true, temperature: 0 });
const lp = echoed.choices[0].logprobs;
check(lp.token_logprobs.length === tok.tokens.length + 1 && lp.token_logprobs[0] === null, "echo gives the prompt's log-probabilities");
const forced = (await post("/detokenize", { tokens: [1000, 1000, 1000] })).prompt;
const biased = await client.completions.create({ model, prompt: "Hi", max_tokens: 3, temperature: 0, logit_bias: { "1000": 100 } });
check(biased.choices[0].text === forced, "logit_bias +100 forces the token");

// structured output: a plain JSON-schema response_format (no zod), the content parsed and checked
const schema = { type: "object", additionalProperties: false, required: ["name", "age", "tags"], properties: {
  name: { type: "string", maxLength: 6 }, age: { type: "integer", minimum: 0, maximum: 120 },
  tags: { type: "array", items: { enum: ["a", "b"] }, maxItems: 2 } } };
for (const seed of [1, 2, 3]) {
  const r = await client.chat.completions.create({ model, messages: [{ role: "user", content: "A person as JSON" }],
    max_tokens: 200, temperature: 1, seed, response_format: { type: "json_schema", json_schema: { name: "person", strict: true, schema } } });
  const content = r.choices[0].message.content;
  check(r.choices[0].finish_reason === "stop", "structured output ends with stop: " + content);
  const p = JSON.parse(content);
  check(Object.keys(p).join() === "name,age,tags" && [...p.name].length <= 6 && Number.isInteger(p.age) && p.age >= 0 && p.age <= 120
    && Array.isArray(p.tags) && p.tags.length <= 2 && p.tags.every((t) => t === "a" || t === "b"), "the content is valid: " + content);
}
try {
  await client.chat.completions.create({ model, messages: [{ role: "user", content: "x" }],
    response_format: { type: "json_schema", json_schema: { name: "bad", schema: { type: "integer", minimum: 5, maximum: 1 } } } });
  check(false, "an unsatisfiable schema must fail");
} catch (e) {
  check(e instanceof OpenAI.BadRequestError && e.param === "response_format.json_schema.schema.minimum", "400 names the keyword: " + e.message);
}

// a tool call forced by tool_choice, and the round trip with the tool's answer
const tools = [{ type: "function", function: { name: "get_weather", description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string", enum: ["Paris", "Rome"] } }, required: ["city"],
    additionalProperties: false } } }];
const asked = [{ role: "user", content: "What is the weather in Paris?" }];
const called = await client.chat.completions.create({ model, messages: asked, tools, max_tokens: 40, temperature: 1, seed: 5,
  tool_choice: { type: "function", function: { name: "get_weather" } } });
const toolCall = called.choices[0].message.tool_calls?.[0];
check(called.choices[0].finish_reason === "tool_calls" && toolCall?.function.name === "get_weather"
  && ["Paris", "Rome"].includes(JSON.parse(toolCall.function.arguments).city), "a forced tool call: " + JSON.stringify(called));
const answered = await client.chat.completions.create({ model, tools, tool_choice: "none", max_tokens: 5, temperature: 0,
  messages: [...asked, called.choices[0].message, { role: "tool", tool_call_id: toolCall.id, content: "sunny, 21 C" }] });
check(typeof answered.choices[0].message.content === "string", "the answer after the tool's result");

console.log("openai-node " + OpenAI.VERSION + ": all checks passed");
