// Drift view: replay runs (sandbox vs baseline) and, for one run, its endpoints with their
// differences side by side, breaking ones first.
import { getJson } from './api.js';
import { h, clear } from './dom.js';
import * as fmt from './format.js';

const ORDER = { error: 0, breaking: 1, compatible: 2, ok: 3 };
const CLASS_ORDER = { breaking: 0, compatible: 1 };

export function mountDrift(root, params, ctx) {
  let state = { ...params };
  const body = h('div', { id: 'drift-body' });
  root.append(h('div', { class: 'drift' }, body));

  async function load() {
    clear(body).append(h('p', { class: 'info' }, 'Loading drift runs…'));
    try {
      if (state.run) await showRun(state.run);
      else await showRuns();
    } catch (e) {
      clear(body).append(h('p', { class: 'error', role: 'alert' },
        e.status === 404 ? `No drift run ${state.run} is known to this recorder (only the most recent runs are kept).` : `Could not load drift runs: ${e.message}`),
      h('p', null, h('a', { href: '#/drift' }, '← All runs')));
    }
  }

  async function showRuns() {
    const data = await getJson('/api/drift/runs');
    const runs = data.runs ?? [];
    clear(body);
    body.append(h('p', { class: 'lead' }, 'Each run replays recorded requests against a sandbox and its baseline and compares the responses. Newest first.'));
    if (data.enabled === false) {
      body.append(h('div', { class: 'empty' }, h('h2', null, 'Drift results are off'),
        h('p', null, 'This recorder was started without access to Kafka, so it cannot read replay results from the tapline.drift topic.')));
      return;
    }
    if (!runs.length) {
      body.append(h('div', { class: 'empty', id: 'drift-empty' }, h('h2', null, 'No drift runs yet'),
        h('p', null, 'Run a replay against a sandbox and its results show up here:'),
        h('pre', { class: 'example' }, 'tapline replay --baseline http://baseline:8080 --sandbox http://sandbox:8080 --routing-key my-sandbox'),
        h('p', { class: 'hint' }, `Results are read from the Kafka topic ${data.topic ?? 'tapline.drift'}.`)));
      return;
    }
    body.append(h('table', { class: 'grid runs', id: 'runs' },
      h('thead', null, h('tr', null, ['Started', 'Sandbox', 'Routing key', 'Verdict', 'Endpoints', 'Breaking', 'Compatible', 'Exchanges']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, runs.map((r) => h('tr', { dataset: { run: r.runId } },
        h('td', null, h('a', { href: ctx.routeHash('drift', { run: r.runId }), title: 'Show this run' }, fmt.when(r.startedAt))),
        h('td', null, r.sandbox ?? ''),
        h('td', null, r.routingKey ?? '—'),
        h('td', null, verdict(r.verdict)),
        h('td', { class: 'num' }, String(r.counts?.endpoints ?? '')),
        h('td', { class: 'num' }, String(r.counts?.breaking ?? '')),
        h('td', { class: 'num' }, String(r.counts?.compatible ?? '')),
        h('td', { class: 'num' }, String(r.counts?.exchanges ?? '')))))));
  }

  async function showRun(runId) {
    const r = await getJson(`/api/drift/runs/${encodeURIComponent(runId)}`);
    clear(body);
    const eps = (r.endpoints ?? []).slice().sort((a, b) =>
      (ORDER[a.verdict] ?? 9) - (ORDER[b.verdict] ?? 9) || (b.differences?.length ?? 0) - (a.differences?.length ?? 0));
    body.append(
      h('p', null, h('a', { href: '#/drift' }, '← All runs')),
      h('h2', { id: 'run-title' }, 'Drift run ', verdict(r.verdict)),
      h('dl', { class: 'facts' },
        fact('Sandbox', r.sandbox), fact('Baseline', r.baseline), fact('Routing key', r.routingKey ?? '—'),
        fact('Started', fmt.when(r.startedAt)), fact('Finished', fmt.when(r.finishedAt)),
        fact('Fails on', r.failOn ?? 'breaking'),
        fact('Counts', `${r.counts?.endpoints ?? 0} endpoints · ${r.counts?.exchanges ?? 0} exchanges · ${r.counts?.breaking ?? 0} breaking · ${r.counts?.compatible ?? 0} compatible · ${r.counts?.ignored ?? 0} ignored as noise`),
        fact('Run id', r.runId)));
    if (!eps.length) body.append(h('p', { class: 'hint' }, 'This run compared no endpoints.'));
    for (const ep of eps) body.append(endpointBlock(ep));
  }

  function endpointBlock(ep) {
    const diffs = (ep.differences ?? []).slice().sort((a, b) => (CLASS_ORDER[a.class] ?? 9) - (CLASS_ORDER[b.class] ?? 9));
    const block = h('details', { class: `drift-endpoint v-${ep.verdict}`, open: ep.verdict === 'breaking' || ep.verdict === 'error' },
      h('summary', null, verdict(ep.verdict), ' ', h('span', { class: 'method' }, ep.method ?? ''), ' ',
        h('code', null, ep.template ?? ''), ep.operation ? h('span', { class: 'operation' }, ` ${ep.operation}`) : null,
        h('span', { class: 'count' },
          ` · ${fmt.plural(ep.exchanges ?? 0, 'exchange')} · ${fmt.plural(diffs.length, 'difference')}`)));
    if (diffs.length) {
      block.append(h('table', { class: 'grid diffs' },
        h('thead', null, h('tr', null, ['Class', 'Where', 'Change', 'Baseline', 'Sandbox', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, diffs.map((d) => h('tr', { class: `c-${d.class}` },
          h('td', null, h('span', { class: `badge b-${d.class}` }, d.class ?? '')),
          h('td', null, h('code', null, d.path ?? '')),
          h('td', null, h('div', null, d.kind ?? ''), d.message ? h('div', { class: 'hint' }, d.message) : null),
          h('td', { class: 'side baseline' }, h('pre', null, show(d.baseline))),
          h('td', { class: 'side sandbox' }, h('pre', null, show(d.sandbox))),
          h('td', null, d.exchangeId ? h('a', { href: ctx.routeHash('live', { id: d.exchangeId }), title: 'The recorded exchange this came from' }, 'exchange') : null))))));
    } else {
      block.append(h('p', { class: 'hint' }, ep.verdict === 'error' ? 'The replay of this endpoint failed.' : 'No differences.'));
    }
    if (ep.ignored?.length) {
      block.append(h('details', { class: 'ignored' },
        h('summary', null, `${fmt.plural(ep.ignored.length, 'field')} ignored as noise`),
        h('ul', null, ep.ignored.map((i) => h('li', null, h('code', null, i.path ?? ''), ` — ${i.reason ?? ''}`)))));
    }
    return block;
  }

  load();
  return {
    update(next) {
      state = { ...next };
      load();
      return true;
    },
  };
}

function show(v) {
  return v === undefined ? '(absent)' : JSON.stringify(v, null, 2);
}

function verdict(v) {
  return h('span', { class: `badge b-${v ?? 'unknown'}` }, v ?? 'unknown');
}

function fact(label, value) {
  return [h('dt', null, label), h('dd', null, value ?? '')];
}
