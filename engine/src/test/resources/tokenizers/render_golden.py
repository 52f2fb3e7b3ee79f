#!/usr/bin/python3
"""Renders golden chat-template outputs with Python jinja2, the way HF transformers does.

Mirrors transformers' chat-template compilation: ImmutableSandboxedEnvironment(trim_blocks=True,
lstrip_blocks=True) with the loopcontrols extension, a `tojson` filter that calls json.dumps with
ensure_ascii=False, and the `raise_exception` / `strftime_now` globals. strftime_now uses a FIXED
date (FIXED_NOW) so outputs are deterministic; the Java tests use the same instant via a Clock.
The special-token variables (bos_token, eos_token, ...) are HF's special_tokens_map.

Usage (from this directory; needs Debian's python3-jinja2):
    /usr/bin/python3 render_golden.py
Writes <model>/chat_template_golden.json for each model directory and synthetic_golden.json.
Each file holds the cases (messages, flags, extra variables) and the expected output, so the
Java test reads its inputs from the same file.
"""

import datetime
import json
import os

import jinja2
from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime.datetime(2024, 7, 26, 9, 5, 3)  # a Friday; naive local time, as datetime.now()
HERE = os.path.dirname(os.path.abspath(__file__))
SPECIAL_KEYS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                "mask_token", "additional_special_tokens"]


def make_env():
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(fmt):
        return FIXED_NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def token_content(tok):
    if isinstance(tok, dict):
        return tok.get("content")
    return tok


def special_tokens_map(config):
    out = {}
    for key in SPECIAL_KEYS:
        value = config.get(key)
        if value is None:
            continue
        if isinstance(value, list):
            out[key] = [token_content(v) for v in value]
        else:
            out[key] = token_content(value)
    return out


def render(env, source, specials, case):
    template = env.from_string(source)
    kwargs = dict(specials)
    kwargs.update(case.get("extra", {}))
    try:
        return {"expected": template.render(messages=case["messages"],
                                            add_generation_prompt=case["add_generation_prompt"],
                                            **kwargs)}
    except TemplateError as e:
        return {"expected_error": str(e)}


def msg(role, content, **more):
    m = {"role": role, "content": content}
    m.update(more)
    return m


SYSTEM_USER = [msg("system", "You are a helpful assistant."), msg("user", "What is 2+2?")]
USER_ONLY = [msg("user", "Hello!")]
MULTI_TURN = [
    msg("user", "Hi, who are you?"),
    msg("assistant", "I am an assistant."),
    msg("user", "Tell me a joke."),
]
SYSTEM_MULTI_TURN = [msg("system", "Be brief.")] + MULTI_TURN
UNICODE = [
    msg("system", "  Réponds en français. 🇫🇷  "),
    msg("user", "\t日本語で答えて 👩‍💻\n\n"),
    msg("assistant", "はい、わかりました。"),
    msg("user", "مرحبا\r\nbye  "),
]

COMMON_CASES = [
    ("system_user_gen", SYSTEM_USER, True, {}),
    ("system_user_nogen", SYSTEM_USER, False, {}),
    ("user_only_gen", USER_ONLY, True, {}),
    ("user_only_nogen", USER_ONLY, False, {}),
    ("multi_turn_gen", MULTI_TURN, True, {}),
    ("multi_turn_nogen", MULTI_TURN, False, {}),
    ("system_multi_turn_gen", SYSTEM_MULTI_TURN, True, {}),
    ("unicode_whitespace_gen", UNICODE, True, {}),
]

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather for a city — e.g. Zürich or 東京",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}

QWEN3_CASES = [
    ("thinking_disabled", SYSTEM_USER, True, {"enable_thinking": False}),
    ("thinking_enabled_explicit", SYSTEM_USER, True, {"enable_thinking": True}),
    ("history_with_think", [
        msg("user", "What is 1+1?"),
        msg("assistant", "<think>\nSimple addition.\n</think>\n\nIt is 2."),
        msg("user", "And 2+2?"),
    ], True, {}),
    ("last_assistant_with_think", [
        msg("user", "What is 1+1?"),
        msg("assistant", "<think>\nSimple.\n</think>\n\n2"),
    ], False, {}),
    ("reasoning_content_field", [
        msg("user", "Q1"),
        msg("assistant", "A1", reasoning_content="R1"),
        msg("user", "Q2"),
        msg("assistant", "A2", reasoning_content="R2"),
    ], False, {}),
    ("tools_and_tool_calls", [
        msg("system", "You can call tools."),
        msg("user", "Weather in Zürich?"),
        msg("assistant", "", tool_calls=[{"type": "function", "function": {
            "name": "get_weather", "arguments": {"city": "Zürich", "days": 2}}}]),
        msg("tool", "{\"temp\": 21}"),
        msg("tool", "sunny"),
        msg("assistant", "It is 21 °C and sunny."),
        msg("user", "Thanks"),
    ], True, {"tools": [WEATHER_TOOL]}),
    ("tool_call_string_arguments", [
        msg("user", "Weather?"),
        msg("assistant", "Let me check.", tool_calls=[{"name": "get_weather",
                                                       "arguments": "{\"city\": \"Paris\"}"}]),
        msg("user", "<tool_response>\nrain\n</tool_response>"),
    ], True, {"tools": [WEATHER_TOOL]}),
]

# Templates that exercise Python/jinja2 features beyond the two fixtures.
SYNTHETIC = [
    ("strftime", "{{ strftime_now('%Y-%m-%d %H:%M:%S|%d %b %Y|%A %B %j|%y %I%p %a %e|%%') }}", [], {}),
    ("raise_exception",
     "{% if messages[0].role != 'system' %}{{ raise_exception('First message must be system') }}{% endif %}ok",
     USER_ONLY, {}),
    ("slicing",
     "{{ messages[::-1]|map(attribute='role')|join(',') }}|{{ messages[1:]|length }}|{{ messages[:-1]|length }}"
     "|{{ 'abcdef'[::2] }}|{{ 'abcdef'[-3:] }}|{{ 'abcdef'[1:-1:2] }}|{{ 'héllo👍'[::-1] }}|{{ [1,2,3,4][::-2] }}",
     MULTI_TURN, {}),
    ("string_methods",
     "{% set s = '  Hello, World  ' %}[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}]"
     "[{{ 'xxhixx'.strip('x') }}][{{ 'a,b,,c'.split(',') }}][{{ ' a  b '.split() }}][{{ 'a</t>'.split('</t>')[-1] }}]"
     "[{{ 'a.b.c'.split('.', 1) }}][{{ 'a.b.c'.rsplit('.', 1) }}][{{ s.startswith('  He') }}][{{ s.endswith('x') }}]"
     "[{{ 'Hi'.upper() }}{{ 'Hi'.lower() }}][{{ 'hello world'.title() }}][{{ 'hello'.capitalize() }}]"
     "[{{ 'aaa'.replace('a', 'b') }}][{{ 'aaa'.replace('a', 'b', 2) }}][{{ 'abcabc'.find('c') }}{{ 'abc'.find('z') }}]"
     "[{{ 'abcabc'.count('b') }}][{{ '-'.join(['x', 'y']) }}][{{ 'x'.startswith(('a', 'x')) }}]"
     "[{{ '\\n\\nx\\n'.lstrip('\\n') }}][{{ '123'.isdigit() }}{{ 'ab'.isalpha() }}{{ ' '.isspace() }}]"
     "[{{ 'Hello {}, {name}!'.format('you', name='me') }}][{{ 'prefix-x'.removeprefix('prefix-') }}]"
     "[{{ 'ab' in 'cabd' }}][{{ 'A\\tB\\u00e9\\x41' }}]",
     [], {}),
    ("namespace_loop",
     "{%- set ns = namespace(count=0, last=messages|length - 1, found=false) %}"
     "{%- for m in messages %}"
     "{%- if m.role == 'user' %}{%- set ns.count = ns.count + 1 %}{%- set ns.found = true %}{%- endif %}"
     "{{- loop.index }}/{{ loop.length }}:{{ loop.first }}:{{ loop.last }}:{{ loop.revindex0 }} "
     "{%- endfor %}{{ ns.count }} {{ ns.last }} {{ ns.found }}",
     MULTI_TURN, {}),
    ("loop_controls",
     "{% for m in messages %}{% if loop.first %}{% continue %}{% endif %}{{ m.role }}"
     "{% if m.role == 'assistant' %}{% break %}{% endif %}{% endfor %}",
     MULTI_TURN, {}),
    ("tojson_variants",
     "{{ tools|tojson }}\n{{ tools[0]|tojson(indent=2) }}\n{{ {'b': 1, 'a': [true, none, 1.5]}|tojson }}\n"
     "{{ {'b': 1, 'a': 'é'}|tojson(sort_keys=true) }}\n{{ 'quote\"and\\\\slash'|tojson }}",
     [], {"tools": [WEATHER_TOOL]}),
    ("dict_methods",
     "{% for k, v in tools[0].function.parameters.properties.items() %}{{ k }}={{ v.type }};{% endfor %}"
     "{{ tools[0].function.parameters.properties.keys()|list }}{{ tools[0].get('type') }}{{ tools[0].get('nope', 'dflt') }}"
     "{% for key in tools[0] %}<{{ key }}>{% endfor %}",
     [], {"tools": [WEATHER_TOOL]}),
    ("whitespace_control",
     "{% for m in messages %}\n    {% if m.role == 'user' %}\n        U: {{ m.content }}\n    {% else %}\n"
     "        A: {{ m.content }}\n    {% endif %}\n{% endfor %}\n  {{- '|end|' -}}  \n\n{# comment #}\n   tail\n",
     MULTI_TURN, {}),
    ("lstrip_trim_blocks", "\n".join([
        "{% if true %}2 tools {% endif %}x",
        "  {% if true %}a{% endif %}",
        "a",
        "  {# c #}",
        "b",
        "{% if true %}",
        "   {% if true %}x{% endif %}{% endif %}",
        "{{ 1 }}   {% if true %}x{% endif %}",
        " \t {%+ if true %}x{% endif %}",
        "  {%- if true %}x{% endif %}",
        "{% if true %}a{% endif %}  {% if true %}b{% endif %}",
        "  {{ 1 }}",
        "{% for m in messages %}",
        "    {% if loop.first %}",
        "  first: {{ m.role }}  ",
        "    {% else %}",
        "\t{{ m.role }}{% endif %}",
        "{% endfor %}",
        "  {% raw %}{{ x }}  {% endraw %}b",
        "end  ",
    ]), MULTI_TURN, {}),
    ("printf_format",
     "{{ '%s-%s' % ('a', 'b') }}|{{ '[INST] %s [/INST]' % messages[0].content }}|{{ '%d items, %.2f%%' % (3, 2.5) }}"
     "|{{ '%(x)s' % {'x': 1} }}|{{ '%5s|%-5s|%05d' % ('a', 'b', 42) }}|{{ '%r' % 'q' }}|{{ 'n=%s' % messages|length }}"
     "|{{ '%s' % messages[0]['role']|upper }}|{{ 'x' ~ '%s!' % 'y' }}",
     MULTI_TURN, {}),
    ("misc_python",
     "{{ 'role' in messages[0] }}{{ 'nope' in messages[0] }}{{ messages[0] is mapping }}{{ messages is sequence }}"
     "|{% macro r(x, y='d') %}<{{ x }}|{{ y }}>{% endmacro %}{{ r(1) }}{{ r(2, y='z') }}"
     "|{{ range(3)|list }}{{ dict(a=1)['a'] }}{{ '5'|int + 1 }}{{ 3|string }}{{ not none }}"
     "|{% if messages[0]['role'] == 'system' %}{% set sys = messages[0]['content'] %}{% set rest = messages[1:] %}"
     "{% else %}{% set sys = '' %}{% set rest = messages %}{% endif %}{{ sys }}{{ rest|length }}"
     "|{{ {'a': 1, 'b': 2}|items|list }}|{{ [3,1]|max }}{{ [1,2]|sum }}{{ [3, 1]|min }}"
     "|{{ messages|rejectattr('role', 'equalto', 'user')|map(attribute='content')|join }}"
     "|{{ messages|map(attribute='role')|unique|list }}|{{ 'x'|list }}|{{ messages[0]|dictsort }}"
     "|{% for m in messages %}{{ loop.cycle('a', 'b') }}{% endfor %}|{{ 1 == 1.0 }}|{{ 10 / 4 }}|{{ 2 * 3.5 }}",
     MULTI_TURN, {}),
    ("filters_and_tests",
     "{{ messages|length }}|{{ messages|selectattr('role', 'equalto', 'user')|list|length }}|{{ (messages|first).role }}"
     "|{{ messages|last }}|{{ ' x '|trim }}|{{ 'Ab'|lower }}{{ 'ab'|upper }}|{{ [3,1,2]|sort }}|{{ foo|default('d') }}"
     "|{{ foo is defined }}{{ messages is defined }}{{ none is none }}{{ 'a' is string }}{{ 1 is number }}"
     "|{{ [1,2]|join('-') }}|{{ 'abc'|length }}{{ '日本'|length }}|{{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 3 }}"
     "|{{ 'y' if messages else 'n' }}|{{ true }} {{ false }}|{{ messages[0]['role'] ~ '!' }}",
     MULTI_TURN, {}),
]


def write(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(path, HERE))


def case_json(name, messages, gen, extra, result):
    out = {"name": name, "messages": messages, "add_generation_prompt": gen, "extra": extra}
    out.update(result)
    return out


def main():
    env = make_env()
    meta = {"generator": "render_golden.py", "jinja2": jinja2.__version__,
            "fixed_now": FIXED_NOW.isoformat()}
    for model in ["llama3", "qwen3"]:
        with open(os.path.join(HERE, model, "tokenizer_config.json"), encoding="utf-8") as f:
            config = json.load(f)
        source = config["chat_template"]
        specials = special_tokens_map(config)
        cases = COMMON_CASES + (QWEN3_CASES if model == "qwen3" else [])
        out = []
        for name, messages, gen, extra in cases:
            case = {"messages": messages, "add_generation_prompt": gen, "extra": extra}
            out.append(case_json(name, messages, gen, extra, render(env, source, specials, case)))
        write(os.path.join(HERE, model, "chat_template_golden.json"),
              dict(meta, model=model, special_tokens=specials, cases=out))

    out = []
    for name, source, messages, extra in SYNTHETIC:
        for gen in (True,):
            case = {"messages": messages, "add_generation_prompt": gen, "extra": extra}
            c = case_json(name, messages, gen, extra, render(env, source, {}, case))
            c["template"] = source
            out.append(c)
    write(os.path.join(HERE, "synthetic_golden.json"), dict(meta, special_tokens={}, cases=out))


if __name__ == "__main__":
    main()
