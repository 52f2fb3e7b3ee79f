// Vane's public API as the playground uses it: GET /v1/interventions, and the two OpenAI routes
// streamed as server-sent events. Nothing here touches the page, so it reads as an API example.

/** An error the server answered with ({"error": {"message", ...}}), or one of the connection. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function headers(apiKey, json) {
  const h = {};
  if (json) h['Content-Type'] = 'application/json';
  if (apiKey) h.Authorization = 'Bearer ' + apiKey;
  return h;
}

/** The message of an error response: its body's error.message, else the status line. */
async function failure(res) {
  let message = res.status + ' ' + res.statusText;
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  const retry = res.headers.get('Retry-After');
  if (res.status === 429 && retry) message += ' (retry after ' + retry + ' s)';
  return new ApiError(message, res.status);
}

/** GET /v1/interventions: the model, its layers, profiles, artifacts and the options a request may set. */
export async function interventions(apiKey) {
  const res = await fetch('/v1/interventions', { headers: headers(apiKey, false) });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/**
 * POSTs `body` (with "stream": true) to `route` and reads the SSE answer. Calls onText(text) for
 * each piece of text as it arrives; resolves with {finishReason, usage, vane} once "data: [DONE]"
 * came. Rejects with an ApiError for an error status or an error event, and with the AbortError of
 * `signal` when the caller stops it.
 */
export async function stream(route, body, { apiKey, signal, onText }) {
  const res = await fetch(route, {
    method: 'POST', headers: headers(apiKey, true), body: JSON.stringify(body), signal,
  });
  if (!res.ok) throw await failure(res);
  const result = { finishReason: null, usage: null, vane: null };
  const chat = route.endsWith('/chat/completions');
  for await (const data of events(res.body)) {
    if (data === '[DONE]') return result;
    const chunk = JSON.parse(data);
    if (chunk.error) throw new ApiError(chunk.error.message, 500);
    for (const c of chunk.choices) {
      const text = chat ? c.delta && c.delta.content : c.text;
      if (text) onText(text);
      if (c.finish_reason) result.finishReason = c.finish_reason;
    }
    // the last chunk, with empty choices, carries usage (stream_options.include_usage) and vane
    if (chunk.usage) result.usage = chunk.usage;
    if (chunk.vane) result.vane = chunk.vane;
  }
  throw new ApiError('the stream ended before data: [DONE]', 0);
}

/** The data of each server-sent event of a byte stream; comments (": keep-alive") are skipped. */
async function* events(byteStream) {
  const reader = byteStream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = event.split(/\r?\n/).filter(l => l.startsWith('data:')).map(l => l.slice(5).replace(/^ /, ''));
      if (data.length) yield data.join('\n');
    }
  }
}
