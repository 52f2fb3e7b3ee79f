// The steering playground: one prompt, several columns generated with the same seed and
// sampling, each with its own `vane` object, streamed side by side with the trace the server
// returns. It calls the public API only (api.js); no framework, no other files.
import { interventions, stream } from './api.js';

const MAX_COLUMNS = 6;
const EXAMPLE = { prompt: 'The old town was quiet that evening, and', chat: 'Tell me about the old town.' };
const KIND_OF_ARTIFACT = { vector: 'vector-set', controller: 'controller', gact: 'gact', task: 'task-embedding' };
const KIND_LABEL = { vector: 'Steering vector', controller: 'Controller', gact: 'G-ACT', task: 'Task embedding' };

const $ = selector => document.querySelector(selector);
const page = {
  info: null,        // GET /v1/interventions
  columns: [],
  running: false,
  apiKey: sessionStorage.getItem('vane.apiKey') || '',
};

/** An element with properties (class, attributes, on* listeners) and children. */
function h(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) e.append(c);
  return e;
}

function options(select, list, value) {
  select.replaceChildren(...list.map(([v, text]) => h('option', { value: v }, text)));
  if (list.some(([v]) => v === value)) select.value = value;
}

const range = n => Array.from({ length: n }, (_, i) => i);
const fixed = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** A range input with its value beside it. */
function slider(name, min, max, step, value, onChange) {
  const input = h('input', { type: 'range', min, max, step, value });
  const out = h('output', {}, String(value));
  input.addEventListener('input', () => { out.value = input.value; onChange(); });
  return { label: h('label', {}, name + ' ', input, ' ', out), input };
}

function layerRange(layers, first, last, onChange) {
  const attrs = { type: 'number', min: 0, max: layers - 1, step: 1, onchange: onChange };
  const from = h('input', { ...attrs, value: first }), to = h('input', { ...attrs, value: last });
  return { label: h('span', { class: 'layers' }, h('label', {}, 'layers ', from), h('label', {}, 'to ', to)),
    value: () => [Number(from.value), Number(to.value)] };
}

/** Short text for an intervention spec, as in the request. */
function describe(spec) {
  const layers = spec.layers ? ' @' + (spec.layers[0] === spec.layers[1] ? spec.layers[0] : spec.layers.join('–')) : '';
  switch (spec.kind) {
    case 'vector': return `vector ${spec.artifact} ×${spec.scale ?? 1}${layers}`;
    case 'controller': return `controller ${spec.artifact} (${spec.mode ?? 'paper'}${spec.alpha != null ? ', α ' + spec.alpha : ''})`;
    case 'gact': return `G-ACT ${spec.artifact} α ${spec.alpha ?? 2}${layers}`;
    case 'task': return `task ${spec.artifact}`;
    default: return spec.kind;
  }
}

// ---------------------------------------------------------------------------------------------
// A column: its controls, its `vane` object, its run and its trace.

class Column {
  constructor(profile) {
    this.el = $('#column-template').content.firstElementChild.cloneNode(true);
    this.items = [];     // inline interventions: {li, spec()}
    this.history = [];   // chat mode: this column's conversation
    this.abort = null;
    const q = s => this.el.querySelector(s);
    this.f = {
      title: q('.column-title'), summary: q('.column-summary'), remove: q('.remove'), profile: q('.profile'),
      beacon: q('.beacon'), skipMode: q('.skip-mode'), skipAlpha: q('.skip-alpha'), skipQ: q('.skip-q'),
      skipPhase: q('.skip-phase'), list: q('.intervention-list'), addKind: q('.add-kind'), add: q('.add'),
      algorithm: q('.att-algorithm'), lognMode: q('.att-logn-mode'), logn: q('.att-logn'),
      output: q('.output'), status: q('.status'), error: q('.error'), stats: q('.stats'),
      heatmap: q('.heatmap-slot'), controller: q('.controller-slot'), probes: q('.probe-slot'),
      applied: q('.applied'), requestJson: q('.request-json'), vaneJson: q('.vane-json'),
    };
    for (const [range, out] of [['.skip-alpha', '.skip-alpha-value'], ['.skip-q', '.skip-q-value']])
      q(range).addEventListener('input', () => { q(out).value = q(range).value; });
    this.el.querySelector('.config').addEventListener('change', () => this.refresh());
    this.el.querySelector('.config').addEventListener('input', () => this.refresh());
    this.f.add.addEventListener('click', () => this.addIntervention(this.f.addKind.value));
    this.f.remove.addEventListener('click', () => removeColumn(this));
    this.setup(profile);
  }

  /** Fills the controls from the server's description, keeping what is selected. */
  setup(profile = this.f.profile.value) {
    const info = page.info, f = this.f;
    const defaultProfile = info.steering.default_profile;
    options(f.profile, [
      ...(defaultProfile ? [['', `server default (${defaultProfile})`]] : []),
      ['none', 'none: no profile'],
      ...[...info.profiles].sort((a, b) => a.name.localeCompare(b.name))
        .map(p => [p.name, `${p.name}: ${p.interventions.map(describe).join(', ')}`]),
    ], profile);
    const skipDefault = info.layer_skip.mode !== 'off';
    options(f.skipMode, [
      ...(skipDefault ? [['', `server default (${info.layer_skip.mode})`]] : []),
      ['off', 'off'], ['trace', 'trace'], ['readout', 'readout'], ['exit', 'exit'], ['skip-set', 'skip-set'],
    ], this.configured ? f.skipMode.value : 'off');
    const kinds = Object.keys(KIND_OF_ARTIFACT).filter(k => this.artifacts(k).length);
    options(f.addKind, kinds.map(k => [k, KIND_LABEL[k]]), f.addKind.value);
    f.add.disabled = kinds.length === 0;
    this.el.querySelector('.beacon-control').hidden = !info.beacon;
    if (info.beacon)
      options(f.beacon, [['', 'off'], ...info.beacon.ratios.map(r => [String(r), String(r)]), ['adapt', 'adapt']], f.beacon.value);
    const att = info.attention;
    this.el.querySelector('.attention-control').hidden = !att.per_request;
    options(f.algorithm, [['', `server's (${att.algorithm})`], ['reference', 'reference'], ['online', 'online'],
      ['two_pass', 'two_pass']], f.algorithm.value);
    options(f.lognMode, [['', `server's (${att.log_n === false ? 'off' : att.log_n})`], ['off', 'off'], ['on', 'on']],
      f.lognMode.value);
    this.configured = true;
    this.refresh();
  }

  artifacts(kind) {
    return page.info.artifacts.filter(a => a.kind === KIND_OF_ARTIFACT[kind]);
  }

  /** Adds an inline intervention of `kind` with its controls. */
  addIntervention(kind) {
    const arts = this.artifacts(kind);
    if (!arts.length) return;
    const refresh = () => this.refresh();
    const artifact = h('select', {}, arts.map(a => h('option', { value: a.name }, a.name)));
    const layersOf = () => arts.find(a => a.name === artifact.value).layers;
    const controls = h('span', { class: 'params' });
    let spec;
    const build = () => { // the parameters follow the artifact (its layers, its default alpha)
      const a = arts.find(x => x.name === artifact.value), L = page.info.layers;
      const first = Math.min(...layersOf()), last = Math.max(...layersOf());
      if (kind === 'vector') {
        const scale = slider('scale', -10, 10, 0.25, 1, refresh), layers = layerRange(L, first, last, refresh);
        controls.replaceChildren(scale.label, layers.label);
        spec = () => ({ kind, artifact: a.name, scale: Number(scale.input.value), layers: layers.value() });
      } else if (kind === 'controller') {
        const mode = h('select', {}, ['paper', 'prompt', 'code'].map(m => h('option', {}, m)));
        const alpha = slider('α', -10, 10, 0.1, a.alpha ?? 1, refresh);
        controls.replaceChildren(h('label', {}, 'mode ', mode), alpha.label);
        spec = () => ({ kind, artifact: a.name, mode: mode.value, alpha: Number(alpha.input.value) });
      } else if (kind === 'gact') {
        const alpha = slider('α', -10, 10, 0.1, 2, refresh), layers = layerRange(L, first, last, refresh);
        const select = h('select', {}, ['argmax', 'soft'].map(m => h('option', {}, m)));
        controls.replaceChildren(alpha.label, h('label', {}, 'select ', select), layers.label);
        spec = () => ({ kind, artifact: a.name, alpha: Number(alpha.input.value), select: select.value, layers: layers.value() });
      } else {
        controls.replaceChildren();
        spec = () => ({ kind, artifact: a.name });
      }
    };
    artifact.addEventListener('change', () => { build(); refresh(); });
    build();
    const item = { spec: () => spec() };
    item.li = h('li', { class: 'intervention' },
      h('span', { class: 'kind' }, KIND_LABEL[kind]), ' ', h('label', {}, 'artifact ', artifact), ' ', controls, ' ',
      h('button', { type: 'button', class: 'small', onclick: () => {
        this.items.splice(this.items.indexOf(item), 1);
        item.li.remove();
        this.refresh();
        this.f.addKind.focus();
      } }, 'Remove'));
    this.items.push(item);
    this.f.list.append(item.li);
    this.refresh();
    artifact.focus();
  }

  /** The request's `vane` object. */
  vane() {
    const f = this.f, v = {};
    if (f.profile.value) v.profile = f.profile.value;
    if (this.items.length) v.interventions = this.items.map(i => i.spec());
    const mode = f.skipMode.value;
    if (mode === 'off') v.layer_skip = { mode };
    else if (mode) {
      v.layer_skip = { mode, alpha: Number(f.skipAlpha.value) };
      if (mode === 'skip-set') v.layer_skip.q = Number(f.skipQ.value);
      else if (f.skipPhase.value !== 'both') v.layer_skip.phase = f.skipPhase.value;
    }
    if (page.info.attention.per_request) {
      const a = {};
      if (f.algorithm.value) a.algorithm = f.algorithm.value;
      if (f.lognMode.value === 'off') a.log_n = false;
      else if (f.lognMode.value === 'on') a.log_n = f.logn.value === '' ? null : Number(f.logn.value);
      if (Object.keys(a).length) v.attention = a;
    }
    if (page.info.beacon && f.beacon.value) v.beacon = { ratio: f.beacon.value === 'adapt' ? 'adapt' : Number(f.beacon.value) };
    v.trace = true;
    return v;
  }

  /** Title, summary and which controls apply, after any change. */
  refresh() {
    const f = this.f, v = this.vane(), mode = f.skipMode.value;
    const own = mode !== 'off' && mode !== ''; // '' is the server's default: its own parameters
    this.el.querySelector('.needs-skip').hidden = !own;
    this.el.querySelector('.needs-phase').hidden = !own || mode === 'skip-set';
    this.el.querySelector('.needs-skip-set').hidden = mode !== 'skip-set';
    this.el.querySelector('.needs-logn').hidden = f.lognMode.value !== 'on';
    const parts = [];
    if (v.profile !== 'none') parts.push(v.profile ? 'profile ' + v.profile : 'server default profile');
    for (const s of v.interventions || []) parts.push(describe(s));
    if (v.layer_skip?.mode !== 'off') parts.push(v.layer_skip ? `skip ${v.layer_skip.mode} α ${v.layer_skip.alpha}`
      + (v.layer_skip.q != null ? ` q ${v.layer_skip.q}` : '') : 'server default layer skipping');
    if (v.attention) parts.push('attention ' + JSON.stringify(v.attention));
    if (v.beacon) parts.push('beacon ' + v.beacon.ratio);
    const n = page.columns.indexOf(this) + 1;
    f.title.textContent = `${n || ''}${n ? ' · ' : ''}${parts.length ? 'Steered' : 'Baseline'}`;
    f.summary.textContent = parts.length ? parts.join(' · ') : 'no steering';
    this.el.setAttribute('aria-label', `Column ${n}: ${f.summary.textContent}`);
  }

  clearOutput() {
    this.history = [];
    this.f.output.replaceChildren();
    this.resetTrace();
    this.f.status.textContent = '';
    this.el.dataset.state = 'idle';
  }

  resetTrace() {
    const f = this.f;
    for (const e of [f.stats, f.heatmap, f.controller, f.probes, f.applied, f.requestJson, f.vaneJson]) e.replaceChildren();
    f.error.hidden = true;
    f.error.textContent = '';
  }

  /** Sends one request and streams its answer into the column. */
  async run(route, body, userText, chat) {
    const f = this.f;
    this.resetTrace();
    this.el.dataset.state = 'running';
    f.status.textContent = 'Generating…';
    f.requestJson.textContent = `POST ${route}\n${JSON.stringify(body, null, 2)}`;
    const generated = h('span', { class: 'generated' });
    if (chat) {
      f.output.append(h('div', { class: 'turn user' }, h('span', { class: 'who' }, 'You'), userText),
        h('div', { class: 'turn assistant' }, h('span', { class: 'who' }, 'Model'), generated));
    } else {
      f.output.replaceChildren(h('p', {}, h('span', { class: 'prompt-echo' }, userText), generated));
    }
    this.abort = new AbortController();
    const clock = { sent: performance.now(), first: 0, last: 0 };
    try {
      const result = await stream(route, body, { apiKey: page.apiKey, signal: this.abort.signal, onText: text => {
        clock.last = performance.now();
        if (!clock.first) clock.first = clock.last;
        generated.append(text);
      } });
      if (chat) this.history.push({ role: 'user', content: userText }, { role: 'assistant', content: generated.textContent });
      this.showTrace(result, clock);
      f.status.textContent = `Done: ${result.usage ? result.usage.completion_tokens : '?'} tokens (${result.finishReason}).`;
      this.el.dataset.state = 'done';
    } catch (e) {
      if (e.name === 'AbortError') {
        f.status.textContent = 'Stopped.';
        this.el.dataset.state = 'stopped';
      } else {
        f.status.textContent = '';
        f.error.textContent = e.message;
        f.error.hidden = false;
        this.el.dataset.state = 'error';
      }
      if (chat) generated.closest('.turn').classList.add('failed');
    } finally {
      this.abort = null;
    }
  }

  stop() {
    if (this.abort) this.abort.abort();
  }

  showTrace({ usage, vane }, clock) {
    const f = this.f, tokens = usage ? usage.completion_tokens : 0;
    const t = vane && vane.timings;
    const serverRate = t && tokens > 1 ? (tokens - 1) / ((t.total_ms - t.time_to_first_token_ms) / 1000) : NaN;
    const clientRate = tokens > 1 && clock.last > clock.first ? (tokens - 1) / ((clock.last - clock.first) / 1000) : NaN;
    f.stats.replaceChildren(
      h('span', {}, `first token ${fixed(t ? t.time_to_first_token_ms : NaN, 0)} ms`),
      h('span', { class: 'rate', title: 'decode: (tokens − 1) over the time from the first token to the end, from the response\'s vane.timings' },
        `${fixed(serverRate)} tok/s server`),
      h('span', { class: 'rate', title: 'decode: (tokens − 1) over the time between the first and the last text received here' },
        `${fixed(clientRate)} tok/s client`));
    f.vaneJson.textContent = 'response vane object:\n' + JSON.stringify(vane, null, 2);
    const applied = (vane && vane.applied || []).filter(a => a.choice === 0);
    const skip = applied.find(a => a.kind === 'layer_skip');
    f.heatmap.replaceChildren(skip ? heatmap(skip, page.info.layers)
      : h('p', { class: 'note' }, 'Layer skipping off: every layer ran for every token.'));
    f.controller.replaceChildren(...applied.filter(a => a.controller).map(controllerChart));
    f.probes.replaceChildren(...applied.filter(a => a.probe_choices).map(probeTable));
    f.applied.replaceChildren(...applied.map(a => h('li', {},
      h('strong', {}, a.kind === 'layer_skip' ? 'layer skip ' + a.mode : describe({ ...a, layers: null })),
      ` · ${a.source} · layers ${a.layers.join(',')} · ${a.positions} positions` + (a.ms != null ? ` · ${fixed(a.ms, 2)} ms` : ''))));
  }
}

// ---------------------------------------------------------------------------------------------
// Trace panels

/**
 * Per token (in the order the server lists them) and layer, what happened: `active` (ran; the
 * rule found it active), `void` (ran; the rule found it void), `ran` (ran; skip-set's generated
 * tokens, which the rule does not decide for) or `skipped` (left out). From the layer-skip
 * entry's token_layers (with trace), its mode, skip_set and per-phase counts.
 */
function layerGrid(entry, L) {
  const slots = phase => ((entry.layers_executed || {})[phase] || 0) + ((entry.layers_skipped || {})[phase] || 0);
  const decided = entry.token_layers || [];
  const rows = [];
  if (entry.mode === 'skip-set') {
    for (const active of decided) rows.push({ phase: 'prompt', cells: range(L).map(l => (active.includes(l) ? 'active' : 'void')) });
    const set = entry.skip_set || [];
    for (let i = 0; i < slots('generation') / L; i++)
      rows.push({ phase: 'generation', cells: range(L).map(l => (set.includes(l) ? 'skipped' : 'ran')) });
  } else {
    const promptRows = slots('prompt') / L;
    decided.forEach((active, i) => {
      // exit: the first void layer runs (and is undone), the layers above it are skipped
      let exit = L;
      if (entry.mode === 'exit') exit = range(L).find(l => !active.includes(l)) ?? L;
      rows.push({ phase: i < promptRows ? 'prompt' : 'generation',
        cells: range(L).map(l => (l > exit ? 'skipped' : active.includes(l) ? 'active' : 'void')) });
    });
  }
  return rows;
}

const CELL_TEXT = { active: 'ran, rule: active', void: 'ran, rule: void', ran: 'ran (not decided)', skipped: 'skipped' };

function heatmap(entry, L) {
  const rows = layerGrid(entry, L);
  const skippedCells = rows.reduce((n, r) => n + r.cells.filter(c => c === 'skipped').length, 0);
  const ex = entry.layers_executed || {}, sk = entry.layers_skipped || {};
  const reported = (sk.prompt || 0) + (sk.generation || 0), total = reported + (ex.prompt || 0) + (ex.generation || 0);
  const perPhase = ['prompt', 'generation'].filter(p => p in ex)
    .map(p => `${p} ${sk[p]} of ${ex[p] + sk[p]}`).join(', ');
  const summary = `Layer skipping ${entry.mode} (α ${entry.alpha}${entry.mode === 'skip-set' ? ', q ' + entry.q : ''}): `
    + `${reported} of ${total} layer executions skipped (${perPhase})`
    + (entry.skip_set ? `; skip set: ${entry.skip_set.length ? 'layers ' + entry.skip_set.join(', ') : 'empty'}` : '') + '.';
  const width = Math.max(3, Math.min(14, Math.floor(520 / Math.max(1, rows.length))));
  const grid = h('div', { class: 'grid', 'aria-hidden': 'true' });
  grid.style.gridTemplateColumns = `2.2em repeat(${rows.length}, ${width}px)`;
  for (let l = L - 1; l >= 0; l--) {
    grid.append(h('span', { class: 'layer-label' }, 'L' + l));
    rows.forEach((r, t) => grid.append(h('span', {
      class: `cell ${r.cells[l]}${t > 0 && r.phase !== rows[t - 1].phase ? ' phase-start' : ''}`,
      title: `token ${t} (${r.phase}), layer ${l}: ${CELL_TEXT[r.cells[l]]}`,
    })));
  }
  const present = Object.keys(CELL_TEXT).filter(k => rows.some(r => r.cells.includes(k)));
  const promptCount = rows.filter(r => r.phase === 'prompt').length;
  const figure = h('figure', { class: 'heatmap' },
    h('div', { class: 'grid-scroll' }, grid),
    h('div', { class: 'key', 'aria-hidden': 'true' },
      h('span', {}, `layers ↑ tokens → (${promptCount} prompt, ${rows.length - promptCount} generated)`),
      h('ul', { class: 'legend' }, present.map(k => h('li', {}, h('span', { class: 'cell ' + k }), ' ' + CELL_TEXT[k])),
        promptCount && promptCount < rows.length ? h('li', {}, h('span', { class: 'cell phase-start' }), ' first generated') : null)),
    h('figcaption', {}, summary));
  Object.assign(figure.dataset, { mode: entry.mode, tokens: rows.length, layers: L, skipped: skippedCells, reportedSkipped: reported });
  return figure;
}

function controllerChart(entry) {
  const { s, w } = entry.controller;
  const max = Math.max(1e-9, ...w.map(Math.abs));
  return h('figure', { class: 'controller' },
    h('figcaption', {}, `Controller ${entry.artifact}: s = ${fixed(s, 3)}, per-layer weights w`),
    h('div', { class: 'bars' }, w.map((x, i) => {
      const bar = h('span', { class: 'bar' + (x < 0 ? ' negative' : '') });
      bar.style.width = (100 * Math.abs(x) / max).toFixed(1) + '%';
      return h('div', { class: 'bar-row' }, h('span', { class: 'layer-label' }, 'L' + (entry.layers[i] ?? i)),
        h('span', { class: 'bar-track' }, bar), h('span', { class: 'value' }, fixed(x, 3)));
    })));
}

function probeTable(entry) {
  const layers = Object.keys(entry.probe_choices).sort((a, b) => a - b);
  const clusters = Math.max(...layers.map(l => entry.probe_choices[l].length));
  return h('table', { class: 'probes' },
    h('caption', {}, `G-ACT ${entry.artifact}: tokens per probe cluster`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'layer'), range(clusters).map(c => h('th', { scope: 'col' }, 'cluster ' + c)))),
    h('tbody', {}, layers.map(l => h('tr', {}, h('th', { scope: 'row' }, 'L' + l),
      range(clusters).map(c => h('td', {}, String(entry.probe_choices[l][c] ?? 0)))))));
}

// ---------------------------------------------------------------------------------------------
// The page

const isChat = () => document.querySelector('input[name="mode"]:checked').value === 'chat';

function addColumn(profile) {
  if (page.columns.length >= MAX_COLUMNS) return null;
  const c = new Column(profile);
  page.columns.push(c);
  $('#columns').append(c.el);
  page.columns.forEach(x => x.refresh());
  updateButtons();
  return c;
}

function removeColumn(c) {
  if (page.running || page.columns.length <= 1) return;
  const i = page.columns.indexOf(c);
  page.columns.splice(i, 1);
  c.el.remove();
  page.columns.forEach(x => x.refresh());
  updateButtons();
  (page.columns[i] || page.columns[i - 1]).el.querySelector('.profile').focus();
}

function updateButtons() {
  $('#run').disabled = page.running || !page.info;
  $('#stop').disabled = !page.running;
  $('#add-column').disabled = page.running || !page.info || page.columns.length >= MAX_COLUMNS;
  for (const c of page.columns) c.f.remove.disabled = page.running || page.columns.length <= 1;
}

/** A number field's value, or undefined when it is empty (the server's default applies). */
function numberField(id, parse = Number) {
  const v = $('#' + id).value.trim();
  return v === '' ? undefined : parse(v);
}

async function runAll() {
  if (page.running || !page.info) return;
  const text = $('#prompt').value;
  if (!text.trim()) {
    $('#prompt').focus();
    return;
  }
  const chat = isChat();
  const sampling = {
    max_tokens: numberField('max-tokens', v => parseInt(v, 10)),
    temperature: numberField('temperature'),
    top_p: numberField('top-p'),
    repetition_penalty: numberField('repetition-penalty'),
    seed: numberField('seed', v => parseInt(v, 10)),
  };
  page.running = true;
  updateButtons();
  await Promise.all(page.columns.map(c => {
    const body = chat ? { messages: [...c.history, { role: 'user', content: text }] } : { prompt: text };
    Object.assign(body, sampling, { stream: true, stream_options: { include_usage: true }, vane: c.vane() });
    return c.run(chat ? '/v1/chat/completions' : '/v1/completions', JSON.parse(JSON.stringify(body)), text, chat);
  }));
  page.running = false;
  updateButtons();
  if (chat) $('#prompt').value = '';
}

function stopAll() {
  page.columns.forEach(c => c.stop());
}

function setMode() {
  const chat = isChat();
  $('#prompt-label').textContent = chat ? 'Message' : 'Prompt';
  $('#prompt').placeholder = chat ? EXAMPLE.chat : EXAMPLE.prompt;
  $('#new-conversation').hidden = !chat;
  page.columns.forEach(c => c.clearOutput());
}

async function connect() {
  const status = $('#server-info');
  try {
    page.info = await interventions(page.apiKey);
  } catch (e) {
    page.info = null;
    status.textContent = e.status === 401
      ? 'This server needs an API key: enter it above.' : 'Could not read /v1/interventions: ' + e.message;
    status.classList.add('problem');
    if (e.status === 401) $('#api-key').focus();
    updateButtons();
    return;
  }
  const i = page.info;
  status.classList.remove('problem');
  status.textContent = `Model ${i.model} · ${i.layers} layers · steering ${i.steering.enabled ? 'on' : 'off (requests are checked, nothing is applied)'}`
    + ` · ${i.profiles.length} profiles · ${i.artifacts.length} artifacts · attention ${i.attention.kernel}`
    + (i.beacon ? ` · beacon window ${i.beacon.window}` : ' · no beacon parameters');
  if (page.columns.length) page.columns.forEach(c => c.setup());
  else {
    // the baseline, and the server's default profile or else one of steering vectors, whose
    // effect shows on any prompt
    addColumn('none');
    const profiles = [...i.profiles].sort((a, b) => a.name.localeCompare(b.name));
    const vectors = profiles.find(p => p.interventions.every(x => x.kind === 'vector'));
    addColumn(i.steering.default_profile ? '' : (vectors || profiles[0] || { name: 'none' }).name);
  }
  updateButtons();
}

$('#api-key').value = page.apiKey;
$('#key-form').addEventListener('submit', e => e.preventDefault()); // Enter in the field: the change event connects
$('#api-key').addEventListener('change', e => {
  page.apiKey = e.target.value.trim();
  sessionStorage.setItem('vane.apiKey', page.apiKey);
  connect();
});
$('#run').addEventListener('click', runAll);
$('#stop').addEventListener('click', stopAll);
$('#add-column').addEventListener('click', () => {
  const c = addColumn('none');
  if (c) c.f.profile.focus();
});
$('#new-conversation').addEventListener('click', () => page.columns.forEach(c => c.clearOutput()));
for (const r of document.querySelectorAll('input[name="mode"]')) r.addEventListener('change', setMode);
document.addEventListener('keydown', e => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    runAll();
  } else if (e.key === 'Escape' && page.running) {
    e.preventDefault();
    stopAll();
  }
});
$('#prompt').value = EXAMPLE.prompt;
updateButtons();
connect();
