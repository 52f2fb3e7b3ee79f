"""Drives a Vane server with the official OpenAI Python SDK, unmodified.

Exits non-zero on the first mismatch. usage: python sdk_check.py BASE_URL MODEL_ID
"""
import asyncio
import sys

import openai
from openai import AsyncOpenAI, OpenAI


def check(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        sys.exit(1)


def sync_checks(client, model):
    models = client.models.list()
    check(any(m.id == model for m in models.data), "models.list contains " + model)

    c = client.completions.create(model=model, prompt="Hello there", max_tokens=5, temperature=0, logprobs=2)
    check(c.object == "text_completion" and len(c.choices) == 1, "completion shape")
    check(c.usage.completion_tokens == 5 or c.choices[0].finish_reason == "stop", "completion usage")
    check(len(c.choices[0].logprobs.tokens) == c.usage.completion_tokens, "completion logprobs")

    streamed, usage = "", None
    for chunk in client.completions.create(model=model, prompt="Hello there", max_tokens=5, temperature=0,
                                           stream=True, stream_options={"include_usage": True}):
        if chunk.usage:
            usage = chunk.usage
        for ch in chunk.choices:
            streamed += ch.text
    check(streamed == c.choices[0].text, "streamed completion text equals the non-streamed one")
    check(usage is not None and usage.completion_tokens == c.usage.completion_tokens, "include_usage chunk")

    batch = client.completions.create(model=model, prompt=["Hello there", "Once upon"], max_tokens=3, temperature=0)
    check(sorted(ch.index for ch in batch.choices) == [0, 1], "a list of prompts gives one choice each")

    chat = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi!"}],
                                          max_tokens=6, temperature=0, n=2, logprobs=True, top_logprobs=2)
    check(chat.object == "chat.completion" and len(chat.choices) == 2, "chat shape with n=2")
    check(chat.choices[0].message.role == "assistant", "assistant role")
    check(len(chat.choices[0].logprobs.content) > 0, "chat logprobs")
    check(len(chat.choices[0].logprobs.content[0].top_logprobs) == 2, "top_logprobs")

    text, role = "", None
    for chunk in client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi!"}],
                                                max_tokens=6, temperature=0, stream=True):
        for ch in chunk.choices:
            role = ch.delta.role or role
            text += ch.delta.content or ""
    check(role == "assistant" and text == chat.choices[0].message.content, "streamed chat equals non-streamed")

    try:
        client.completions.create(model=model, prompt="x", temperature=-1)
        check(False, "negative temperature must fail")
    except openai.BadRequestError as e:
        check(e.status_code == 400 and e.param == "temperature", "400 names the field: " + str(e))
    try:
        client.completions.create(model="no-such-model", prompt="x")
        check(False, "unknown model must fail")
    except openai.NotFoundError as e:
        check(e.status_code == 404, "404 for an unknown model")


async def async_checks(base_url, model, expected):
    client = AsyncOpenAI(base_url=base_url, api_key="unused", max_retries=0)
    stream = await client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi!"}],
                                                  max_tokens=6, temperature=0, stream=True)
    text = ""
    async for chunk in stream:
        for ch in chunk.choices:
            text += ch.delta.content or ""
    check(text == expected, "async streamed chat equals the sync one")
    await client.close()


def main():
    base_url, model = sys.argv[1], sys.argv[2]
    client = OpenAI(base_url=base_url, api_key="unused", max_retries=0)
    sync_checks(client, model)
    expected = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi!"}],
                                              max_tokens=6, temperature=0).choices[0].message.content
    asyncio.run(async_checks(base_url, model, expected))
    print("openai-python " + openai.__version__ + ": all checks passed")


if __name__ == "__main__":
    main()
