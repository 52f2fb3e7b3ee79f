"""Drives a Vane server with the official OpenAI Python SDK, unmodified.

Exits non-zero on the first mismatch. usage: python sdk_check.py BASE_URL MODEL_ID
"""
import asyncio
import sys

import json
import urllib.request

import enum
from typing import List, Literal, Optional

import openai
import pydantic
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


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def surface_checks(client, base_url, model):
    # embeddings: the SDK asks for base64 unless told otherwise, and decodes it
    e = client.embeddings.create(model=model, input=["Hello there", "Once upon"])
    check(len(e.data) == 2 and len(e.data[0].embedding) > 0, "embeddings shape")
    check(abs(sum(x * x for x in e.data[0].embedding) ** 0.5 - 1) < 1e-4, "unit-length embeddings")
    f = client.embeddings.create(model=model, input="Hello there", encoding_format="float")
    check(max(abs(a - b) for a, b in zip(f.data[0].embedding, e.data[0].embedding)) < 1e-6, "float and base64 embeddings agree")

    # vLLM's tokenizer routes, beside /v1
    root = base_url.rsplit("/v1", 1)[0]
    text = "Grüße, 東京!"
    t = post(root + "/tokenize", {"model": model, "prompt": text, "add_special_tokens": False})
    d = post(root + "/detokenize", {"model": model, "tokens": t["tokens"]})
    check(d["prompt"] == text and t["count"] == len(t["tokens"]), "tokenize / detokenize round trip")

    # echo with the prompt's log-probabilities, as lm-evaluation-harness asks for a log-likelihood
    ec = client.completions.create(model=model, prompt=t["tokens"], max_tokens=1, logprobs=1, echo=True, temperature=0)
    lp = ec.choices[0].logprobs
    check(len(lp.token_logprobs) == len(t["tokens"]) + 1 and lp.token_logprobs[0] is None
          and all(x is not None for x in lp.token_logprobs[1:]), "echo gives the prompt's log-probabilities")

    # logit_bias forces a token
    forced = post(root + "/detokenize", {"tokens": [1000, 1000, 1000]})["prompt"]
    lb = client.completions.create(model=model, prompt="Hi", max_tokens=3, temperature=0, logit_bias={"1000": 100})
    check(lb.choices[0].text == forced, "logit_bias +100 forces the token")


class Pet(str, enum.Enum):
    cat = "cat"
    dog = "dog"


class Address(pydantic.BaseModel):
    city: str = pydantic.Field(max_length=8)
    zip: int = pydantic.Field(ge=10000, le=99999)


class Person(pydantic.BaseModel):
    name: str = pydantic.Field(max_length=6, description="first name")
    age: Optional[int] = pydantic.Field(ge=0, le=120)
    pet: Pet
    address: Address
    tags: List[Literal["a", "b"]] = pydantic.Field(max_length=2)
    score: float = pydantic.Field(gt=0, lt=1)


def structured_checks(client, model):
    # the SDK's structured-output helper: a Pydantic model as a strict json_schema response_format,
    # the answer parsed back into the model (nested model and enum as $defs/$ref, Optional as anyOf)
    parse = client.chat.completions.parse if hasattr(client.chat.completions, "parse") else client.beta.chat.completions.parse
    for seed in range(3):
        r = parse(model=model, messages=[{"role": "user", "content": "A person as JSON"}], response_format=Person,
                  max_tokens=200, temperature=1, seed=seed)
        m = r.choices[0].message
        check(r.choices[0].finish_reason == "stop", "structured output ends with stop: " + m.content)
        check(isinstance(m.parsed, Person), "parsed into the Pydantic model: " + m.content)
        check(Person.model_validate_json(m.content) == m.parsed, "the content is the parsed model's JSON")
        check(0 < m.parsed.score < 1 and len(m.parsed.name) <= 6, "bounds hold: " + m.content)
    o = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "JSON"}], max_tokens=16,
                                       temperature=1, seed=1, response_format={"type": "json_object"})
    check(o.choices[0].message.content.startswith("{"), "json_object opens an object")
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "x"}], response_format={
            "type": "json_schema", "json_schema": {"name": "bad", "schema": {"type": "string", "pattern": "^a$"}}})
        check(False, "an unsupported schema keyword must fail")
    except openai.BadRequestError as e:
        check(e.status_code == 400 and e.param == "response_format.json_schema.schema.pattern", "400 names the keyword: " + str(e))


def tool_checks(client, model):
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Rome"]}},
                       "required": ["city"], "additionalProperties": False}}}]
    asked = [{"role": "user", "content": "What is the weather in Paris?"}]
    r = client.chat.completions.create(model=model, messages=asked, tools=tools, max_tokens=40, temperature=1, seed=5,
                                       tool_choice={"type": "function", "function": {"name": "get_weather"}})
    message = r.choices[0].message
    check(r.choices[0].finish_reason == "tool_calls" and len(message.tool_calls) == 1, "a forced tool call: " + str(r))
    call = message.tool_calls[0]
    check(call.function.name == "get_weather" and json.loads(call.function.arguments)["city"] in ("Paris", "Rome"),
          "the call's arguments follow the tool's schema: " + call.function.arguments)
    # the round trip: the assistant's message as the SDK gives it back, then the tool's answer
    r2 = client.chat.completions.create(model=model, messages=asked + [message, {"role": "tool", "tool_call_id": call.id,
                                                                               "content": "sunny, 21 C"}],
                                        tools=tools, tool_choice="none", max_tokens=5, temperature=0)
    check(r2.choices[0].message.content is not None and r2.choices[0].message.tool_calls is None, "the answer after the tool's result")


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
    surface_checks(client, base_url, model)
    structured_checks(client, model)
    tool_checks(client, model)
    expected = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi!"}],
                                              max_tokens=6, temperature=0).choices[0].message.content
    asyncio.run(async_checks(base_url, model, expected))
    print("openai-python " + openai.__version__ + ": all checks passed")


if __name__ == "__main__":
    main()
