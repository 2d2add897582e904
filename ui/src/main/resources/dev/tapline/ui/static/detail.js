// Exchange detail: one recorded request/response with headers, bodies, timing and redactions.
import { getJson, qs, term, endpointQuery } from './api.js';
import { h, download, copyText } from './dom.js';
import * as fmt from './format.js';
import { graphqlRequests, prettyGraphql } from './graphql.js';

const TREE_LIMIT = 200_000; // characters; bigger JSON is shown pretty-printed as plain text

export async function renderDetail(root, id, ctx, { onClose, related }) {
  const close = h('button', { type: 'button', class: 'close', id: 'detail-close', title: 'Close the detail (Esc)', 'aria-label': 'Close' }, '×');
  close.addEventListener('click', onClose);
  root.append(h('div', { class: 'detail-head' }, h('h2', null, 'Exchange'), close),
    h('p', { class: 'info' }, 'Loading…'));
  let ex;
  let summary = null;
  try {
    [ex, summary] = await Promise.all([
      getJson(`/api/exchanges/${encodeURIComponent(id)}`),
      getJson(`/api/exchanges${qs({ q: term('id', id), limit: 1 })}`)
        .then((p) => (p.items ?? p.exchanges ?? [])[0] ?? null).catch(() => null),
    ]);
  } catch (e) {
    root.lastChild.replaceWith(h('p', { class: 'error', role: 'alert' },
      e.status === 404 ? `No exchange with id ${id} is in the index (it may have expired).` : `Could not load the exchange: ${e.message}`));
    return;
  }
  root.lastChild.remove();
  const req = ex.request ?? {};
  const res = ex.response;
  const url = `${req.scheme ?? 'http'}://${req.authority ?? ''}${req.path ?? ''}${req.query ? `?${req.query}` : ''}`;
  const template = summary?.template ?? null;
  const operation = summary?.operation || null;

    root.append(h('div', { class: 'detail-body', id: 'detail-body' },
    h('p', { class: 'reqline' },
      h('span', { class: 'method' }, req.method ?? ''), ' ',
      h('span', { class: 'url' }, url), ' ',
      res ? h('span', { class: `status s${fmt.statusClass(res.status)}` }, String(res.status))
        : h('span', { class: 'status serr' }, 'no response')),
    h('dl', { class: 'facts' },
      fact('Time', `${fmt.time(ex.startedAt)} (${fmt.isoTime(ex.startedAt)})`),
      fact('Duration', fmt.duration(ex.durationMicros)),
      fact('Service', ex.service),
      fact('Target', h('span', { class: `target ${fmt.targetKind(ex.target)}`, title: ex.target ?? '' }, fmt.targetLabel(ex.target, ex.routingKey))),
      fact('Routing key', ex.routingKey ?? '— (baseline traffic)'),
      template ? fact('Endpoint', `${req.method} ${template}`) : null,
      operation ? fact('Operation', h('span', { class: 'operation', id: 'operation' }, operation)) : null,
      ex.traceparent ? fact('traceparent', ex.traceparent) : null,
      ex.baggage ? fact('baggage', ex.baggage) : null,
      fact('Proxy', ex.proxy),
      fact('Id', ex.id)),
    actions(ex, req, url, template, operation, ctx, related),
    ex.error ? h('section', { class: 'error-box' }, h('h3', null, 'No response'),
      h('p', null, `${ex.error.kind}: ${ex.error.message ?? ''}`)) : null,
    redactions(ex.redactions ?? []),
    graphqlSection(req),
    section('Request', req.headers ?? [], req.body),
    res ? section(`Response · ${res.status}`, res.headers ?? [], res.body) : null));
}

function fact(label, value) {
  return [h('dt', null, label), h('dd', null, value ?? '')];
}

/** The GraphQL operations of the request: name, the document indented, the variables. */
function graphqlSection(req) {
  const ops = graphqlRequests(req);
  if (!ops.length) return null;
  return h('section', { class: 'graphql', id: 'graphql' },
    h('h3', null, ops.length > 1 ? `GraphQL batch · ${ops.length} operations` : 'GraphQL'),
    ops.map((op) => h('div', { class: 'gql-op' },
      h('p', { class: 'gql-name' }, op.operationName ?? 'unnamed operation'),
      h('pre', { class: 'gql-doc' }, prettyGraphql(op.query)),
      op.variables !== undefined && op.variables !== null
        ? h('div', { class: 'gql-vars' }, h('p', { class: 'hint' }, 'Variables'), jsonView(op.variables, JSON.stringify(op.variables)))
        : null)));
}

function actions(ex, req, url, template, operation, ctx, related) {
  const curlText = curl(req, url);
  const curlPre = h('pre', { class: 'curl', id: 'curl', hidden: true }, curlText);
  const copyBtn = h('button', { type: 'button', id: 'copy-curl', title: 'Copy this request as a curl command' }, 'Copy as curl');
  copyBtn.addEventListener('click', async () => {
    curlPre.hidden = false;
    const ok = await copyText(curlText, curlPre);
    copyBtn.textContent = ok ? 'Copied ✓' : 'Selected — press Ctrl+C';
    setTimeout(() => { copyBtn.textContent = 'Copy as curl'; }, 2000);
  });
  const dl = h('button', { type: 'button', id: 'download-json', title: 'Save the whole exchange as JSON' }, 'Download JSON');
  dl.addEventListener('click', () => download(`exchange-${ex.id}.json`, JSON.stringify(ex, null, 2), 'application/json'));
  const bar = h('div', { class: 'actions' }, copyBtn, dl);
  if (template) {
    // A batch carries several operations: its related exchanges are the endpoint's, not one operation's.
    const single = operation && !operation.includes(',') ? operation : null;
    const q = endpointQuery(ex.service, req.method, template, single);
    bar.append(h('a', {
      id: 'related', class: 'button', href: ctx.routeHash('live', related(q, ex.routingKey)),
      title: 'All recorded exchanges of this endpoint with the same routing key',
    }, `Other ${req.method} ${template}${single ? ` ${single}` : ''} exchanges (${ex.routingKey ? `routing key ${ex.routingKey}` : 'baseline'})`));
  }
  return [bar, curlPre];
}

function shellQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/** A curl command that repeats the request; redacted values stay redacted and must be filled in. */
export function curl(req, url) {
  const parts = ['curl'];
  if (req.method && req.method !== 'GET') parts.push('-X', req.method);
  parts.push(shellQuote(url));
  for (const [name, value] of req.headers ?? []) {
    const n = name.toLowerCase();
    if (n === 'host' || n === 'content-length' || n === 'connection' || n === 'transfer-encoding') continue;
    parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  const b = req.body;
  if (b && typeof b.text === 'string' && b.text.length) parts.push('--data-raw', shellQuote(b.text));
  else if (b && b.base64) parts.push('--data-binary', '@body.bin');
  return parts.join(' ');
}

function redactions(list) {
  if (!list.length) return null;
  return h('section', { class: 'redactions', id: 'redactions' },
    h('h3', null, 'Redacted before capture'),
    h('p', { class: 'hint' }, `These values were replaced by [REDACTED] in the proxy; the originals never left it.`),
    h('ul', null, list.map((r) => h('li', null, r))));
}

function section(title, headers, body) {
  return h('section', { class: 'message' },
    h('h3', null, title),
    headersTable(headers),
    bodyView(body));
}

function headersTable(headers) {
  if (!headers.length) return h('p', { class: 'hint' }, 'No headers.');
  return h('details', { class: 'headers', open: true },
    h('summary', null, fmt.plural(headers.length, 'header')),
    h('table', { class: 'kv' }, h('tbody', null, headers.map(([n, v]) =>
      h('tr', null, h('th', { scope: 'row' }, n),
        h('td', { class: String(v).startsWith('[REDACTED') ? 'redacted' : null }, v))))));
}

function bodyView(body) {
  if (!body || (!body.text && !body.base64 && !body.size)) return h('p', { class: 'hint' }, 'No body.');
  const meta = [body.contentType ?? 'no content type', fmt.bytes(body.size ?? 0)];
  if (body.encoding) meta.push(`sent ${body.encoding}-encoded`);
  const notes = [h('p', { class: 'body-meta' }, meta.join(' · '))];
  if (body.truncated) {
    const kept = body.text !== undefined ? new TextEncoder().encode(body.text).length : Math.floor((body.base64?.length ?? 0) * 3 / 4);
    notes.push(h('p', { class: 'warn' }, `Truncated: the first ${fmt.bytes(kept)} of ${fmt.bytes(body.size)} were captured.`));
  }
  if (body.base64 !== undefined && body.text === undefined) {
    return h('div', { class: 'body' }, notes, h('p', { class: 'binary' }, `Binary body (${fmt.bytes(body.size ?? 0)}, ${body.contentType ?? 'unknown type'}) — not shown.`));
  }
  const text = body.text ?? '';
  const json = looksJson(body.contentType, text) ? tryParse(text) : undefined;
  if (json !== undefined) {
    return h('div', { class: 'body' }, notes, jsonView(json, text));
  }
  return h('div', { class: 'body' }, notes, h('pre', { class: 'raw' }, text));
}

function looksJson(ct, text) {
  return /[/+]json\b/i.test(ct ?? '') || /^\s*[[{]/.test(text);
}

function tryParse(text) {
  try { return JSON.parse(text); } catch { return undefined; }
}

function jsonView(value, raw) {
  const pretty = JSON.stringify(value, null, 2);
  const container = h('div', { class: 'json' });
  const bar = h('div', { class: 'json-bar' });
  const tree = raw.length <= TREE_LIMIT ? h('div', { class: 'json-tree' }, node(value, null, 0, true)) : null;
  const plain = h('pre', { class: 'json-pretty', hidden: !!tree }, pretty);
  if (tree) {
    const expand = h('button', { type: 'button', class: 'link' }, 'Expand all');
    expand.addEventListener('click', () => tree.querySelectorAll('details').forEach((d) => { d.open = true; }));
    const collapse = h('button', { type: 'button', class: 'link' }, 'Collapse all');
    collapse.addEventListener('click', () => tree.querySelectorAll('details').forEach((d, i) => { d.open = i === 0; }));
    const toggle = h('button', { type: 'button', class: 'link' }, 'Show as text');
    toggle.addEventListener('click', () => {
      tree.hidden = !tree.hidden;
      plain.hidden = !plain.hidden;
      toggle.textContent = tree.hidden ? 'Show as tree' : 'Show as text';
    });
    bar.append(expand, collapse, toggle);
  }
  container.append(bar, tree ?? '', plain);
  return container;
}

function keyLabel(key) {
  if (key === null) return null;
  return typeof key === 'number' ? h('span', { class: 'k idx' }, `${key}: `) : h('span', { class: 'k' }, `${JSON.stringify(key)}: `);
}

function node(value, key, depth, last) {
  const comma = last ? '' : ',';
  if (value !== null && typeof value === 'object') {
    const isArr = Array.isArray(value);
    const entries = isArr ? value.map((v, i) => [i, v]) : Object.entries(value);
    const [open, close] = isArr ? ['[', ']'] : ['{', '}'];
    if (!entries.length) return h('div', { class: 'leaf' }, keyLabel(key), `${open}${close}${comma}`);
    const count = isArr ? fmt.plural(entries.length, 'item') : fmt.plural(entries.length, 'key');
    return h('details', { class: 'node', open: depth < 4 },
      h('summary', null, keyLabel(key), open, h('span', { class: 'count' }, ` ${count} `)),
      h('div', { class: 'children' }, entries.map(([k, v], i) => node(v, k, depth + 1, i === entries.length - 1))),
      h('div', { class: 'json-close' }, `${close}${comma}`));
  }
  const type = value === null ? 'null' : typeof value;
  const text = JSON.stringify(value);
  return h('div', { class: 'leaf' }, keyLabel(key),
    h('span', { class: `v ${type}${typeof value === 'string' && value.startsWith('[REDACTED') ? ' redacted' : ''}` }, text), comma);
}
