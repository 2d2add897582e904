// Live view: history (newest first) plus the live tail, one filter for both. Rows arrive in bursts
// of hundreds per second; they are queued and written in batches on animation frames, and the list
// keeps at most MAX_ROWS rows so the page stays smooth however long it runs.
import { ApiError, getJson, getText, qs, effectiveQuery, STATUS_CLASSES } from './api.js';
import { h, clear } from './dom.js';
import * as fmt from './format.js';
import { renderDetail } from './detail.js';

const MAX_ROWS = 1000;
// At most one DOM update per this many ms: under a flood fewer, bigger batches keep frames short
// while rows still appear well within a second.
const MIN_FLUSH_MS = 100;
const PAGE = 200;
// How soon to ask the recorder again, until a response's retry: field says otherwise, and the
// longest wait between attempts while it cannot be reached.
const RETRY_MS = 500;
const MAX_RETRY_MS = 8000;

export function mountLive(root, params, ctx) {
  let state = { ...params };
  let tail = null; // the running live tail: { stop() }
  let paused = false;
  let pending = [];
  let droppedWhilePaused = 0;
  let frame = 0;
  let timer = 0;
  let lastFlush = 0;
  let cursor = null;
  let generation = 0;
  const shown = new Map(); // id -> <tr>
  const services = new Set();
  const routingKeys = new Set();

  // --- toolbar ---
  const search = h('input', {
    id: 'search', type: 'search', class: 'search', spellcheck: 'false', autocomplete: 'off',
    placeholder: 'Search, e.g. status:[500 TO 599] or path:"/orders" or body:ann',
    'aria-label': 'Search (Lucene query syntax)',
    title: 'Lucene syntax over: service, routingKey, target, method, path, template, operation, operationType, field, status, duration, header, body',
  });
  search.value = state.q ?? '';
  const serviceSel = h('select', { id: 'filter-service', 'aria-label': 'Service', title: 'Only this service' },
    h('option', { value: '' }, 'All services'));
  const rkSel = h('select', { id: 'filter-rk', 'aria-label': 'Routing key', title: 'Only this sandbox (routing key)' },
    h('option', { value: '' }, 'All routing keys'), h('option', { value: '(baseline)' }, 'Baseline only'));
  const statusSel = h('select', { id: 'filter-status', 'aria-label': 'Status class', title: 'Only this status class' },
    h('option', { value: '' }, 'Any status'),
    STATUS_CLASSES.map((c) => h('option', { value: c }, c === 'err' ? 'No response' : c)));
  const pauseBtn = h('button', { id: 'pause', type: 'button', title: 'Stop adding rows; new exchanges are counted meanwhile' }, 'Pause');
  const clearBtn = h('button', { id: 'clear-filters', type: 'button', class: 'link', title: 'Remove the search and every filter' }, 'Clear filters');
  const form = h('form', { class: 'toolbar', role: 'search' },
    search, h('button', { type: 'submit', id: 'search-go' }, 'Search'),
    serviceSel, rkSel, statusSel, pauseBtn, clearBtn);
  const errorLine = h('div', { id: 'query-error', class: 'error', role: 'alert', hidden: true });
  const info = h('p', { id: 'live-info', class: 'info' });
  // Rows are CSS grid rows, not <tr>: with content-visibility the browser skips the layout and
  // paint of the hundreds of rows below the fold, which a <table> cannot do.
  const tbody = h('div', { id: 'rows', class: 'rows', role: 'rowgroup' });
  const table = h('div', { class: 'exchanges', id: 'exchanges', role: 'table', 'aria-label': 'Recorded exchanges' },
    h('div', { class: 'row head', role: 'row' },
      [['Time', 'c-time'], ['Service', 'c-service'], ['Target', 'c-target'], ['Method', 'c-method'], ['Path', 'c-path'],
        ['Status', 'c-status'], ['Duration', 'c-duration'], ['Size req → resp', 'c-size']]
        .map(([t, c]) => h('div', { role: 'columnheader', class: `cell ${c}` }, t))),
    tbody);
  const empty = h('div', { id: 'empty', class: 'empty', hidden: true });
  const more = h('button', { id: 'load-older', type: 'button', hidden: true }, 'Load older exchanges');
  const listPane = h('section', { class: 'list-pane' }, table, empty, more);
  const detailPane = h('aside', { id: 'detail', class: 'detail-pane', hidden: true, 'aria-label': 'Exchange detail' });
  const split = h('div', { class: 'split' }, listPane, detailPane);
  root.append(h('div', { class: 'live' }, form, errorLine, info, split));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply({ q: search.value.trim() });
  });
  for (const [sel, key] of [[serviceSel, 'service'], [rkSel, 'rk'], [statusSel, 'status']]) {
    sel.addEventListener('change', () => apply({ [key]: sel.value }));
  }
  clearBtn.addEventListener('click', () => apply({ q: '', service: '', rk: '', status: '' }));
  pauseBtn.addEventListener('click', () => setPaused(!paused));
  more.addEventListener('click', loadOlder);
  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('.row[data-id]');
    if (!tr || e.target.closest('a')) return;
    select(tr.dataset.id);
  });

  function apply(change) {
    ctx.navigate('live', { ...state, ...change, id: undefined });
  }

  function select(id) {
    ctx.navigate('live', { ...state, id });
  }

  function setPaused(p) {
    paused = p;
    pauseBtn.textContent = p ? 'Resume' : 'Pause';
    pauseBtn.classList.toggle('active', p);
    if (!p) schedule();
    updateInfo();
    ctx.setConnection(p ? 'paused' : tail ? 'live' : 'off', p ? 'paused' : tail ? 'live' : 'not live');
  }

  // --- data ---
  function filterKey(s) {
    return JSON.stringify([s.q ?? '', s.service ?? '', s.rk ?? '', s.status ?? '']);
  }

  async function reload() {
    const gen = ++generation;
    stopTail();
    pending = [];
    droppedWhilePaused = 0;
    shown.clear();
    clear(tbody);
    cursor = null;
    search.value = state.q ?? '';
    ensureOption(serviceSel, state.service);
    ensureOption(rkSel, state.rk);
    serviceSel.value = state.service ?? '';
    rkSel.value = state.rk ?? '';
    statusSel.value = state.status ?? '';
    errorLine.hidden = true;
    search.classList.remove('invalid');
    search.removeAttribute('aria-invalid');
    const q = effectiveQuery(state);
    follow(q);
    try {
      const page = await getJson(`/api/exchanges${qs({ q, limit: PAGE })}`);
      if (gen !== generation) return;
      appendHistory(page);
    } catch (e) {
      if (gen !== generation) return;
      stopTail();
      showError(await ownError(e));
    }
    updateInfo();
    loadServices(gen);
  }

  // With quick filters on, the recorder reports positions in the combined query; ask again with
  // the typed query alone so the message points into what the user wrote.
  async function ownError(e) {
    const q = state.q?.trim();
    if (!(e instanceof ApiError) || e.status !== 400 || !q || q === effectiveQuery(state)) return e;
    try {
      await getJson(`/api/exchanges${qs({ q, limit: 1 })}`);
      return e;
    } catch (own) {
      return own instanceof ApiError && own.status === 400 ? own : e;
    }
  }

  function showError(e) {
    ctx.setConnection('off', 'not live');
    clear(errorLine);
    errorLine.hidden = false;
    if (e instanceof ApiError && e.status === 400) {
      search.classList.add('invalid');
      search.setAttribute('aria-invalid', 'true');
      errorLine.append(h('p', null, `This search is not valid: ${e.detail ?? e.error}`));
      const pos = Number(e.body?.position);
      const q = e.body?.query ?? state.q ?? '';
      if (Number.isInteger(pos) && pos >= 0 && q) {
        errorLine.append(h('pre', { class: 'caret' }, `${q}\n${' '.repeat(Math.min(pos, q.length))}^`));
      }
      errorLine.append(h('p', { class: 'hint' },
        'Syntax: field:value · "quoted phrase" · AND / OR / NOT · ranges like status:[500 TO 599] · wildcards path:/orders* . '
        + 'Fields: service, routingKey, target, method, path, template, operation, operationType, field, status, duration, time, host, header, body, error.'));
    } else {
      errorLine.append(h('p', null, `Could not load exchanges: ${e.message}`));
    }
  }

  // The live tail. With follow=false each request to /api/stream is answered at once with what was
  // indexed after our position and ends with the position to ask from next; we ask again when its
  // retry: field says.
  // No request stays open waiting for traffic, so nothing that waits for the page's network to go
  // quiet (a buffering proxy, a headless renderer with a virtual time budget) is held up by it.
  function follow(q) {
    const abort = new AbortController();
    let next = 0;
    let position = null; // Last-Event-ID: an exchange id, or @<sequence> from an 'end' event
    let retry = RETRY_MS;
    let failures = 0;
    const me = { stop() { abort.abort(); clearTimeout(next); } };
    tail = me;
    const ask = async () => {
      let wait;
      try {
        const text = await getText(`/api/stream${qs({ q, follow: 'false' })}`,
          { signal: abort.signal, headers: position ? { 'Last-Event-ID': position } : {} });
        if (tail !== me) return;
        const read = readEvents(text, onExchange);
        position = read.lastId ?? position;
        retry = read.retry ?? retry;
        failures = 0;
        wait = retry;
        ctx.setConnection(paused ? 'paused' : 'live', paused ? 'paused' : 'live');
      } catch (e) {
        if (tail !== me) return;
        if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
          // a query the recorder refuses: the history request reports it
          stopTail();
          ctx.setConnection('off', 'not live');
          return;
        }
        failures++;
        // one miss is not worth a word; a second one in a row is
        if (failures > 1) ctx.setConnection('off', 'reconnecting…');
        wait = Math.min(MAX_RETRY_MS, retry * 2 ** failures);
      }
      next = setTimeout(ask, wait);
    };
    ask();
  }

  function stopTail() {
    tail?.stop();
    tail = null;
  }

  function onExchange(data) {
    let s;
    try { s = JSON.parse(data); } catch { return; }
    if (!s || !s.id) return;
    pending.push(s);
    if (pending.length > MAX_ROWS) {
      droppedWhilePaused += pending.length - MAX_ROWS;
      pending.splice(0, pending.length - MAX_ROWS);
    }
    schedule();
  }

  function schedule() {
    if (frame || timer) return;
    const wait = lastFlush + MIN_FLUSH_MS - performance.now();
    if (wait > 0) {
      timer = setTimeout(() => { timer = 0; frame = requestAnimationFrame(flush); }, wait);
    } else {
      frame = requestAnimationFrame(flush);
    }
  }

  // Writes every queued live row in one DOM update per frame.
  function flush() {
    frame = 0;
    lastFlush = performance.now();
    if (paused) {
      updateInfo();
      return;
    }
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    droppedWhilePaused = 0;
    const frag = document.createDocumentFragment();
    // A highlight helps the eye at a trickle; at hundreds per second it only costs frames.
    const highlight = batch.length <= 3;
    // Events arrive oldest first; the newest goes on top.
    for (let i = batch.length - 1; i >= 0; i--) {
      const s = batch[i];
      if (shown.has(s.id)) continue;
      const tr = row(s, highlight);
      shown.set(s.id, tr);
      frag.append(tr);
    }
    tbody.prepend(frag);
    trim();
    updateInfo();
  }

  function trim() {
    let trimmed = false;
    while (tbody.childElementCount > MAX_ROWS) {
      const last = tbody.lastElementChild;
      shown.delete(last.dataset.id);
      last.remove();
      trimmed = true;
    }
    if (trimmed) cursor = null; // older pages no longer line up with what is shown
  }

  function appendHistory(page) {
    const frag = document.createDocumentFragment();
    for (const s of page.items ?? page.exchanges ?? []) {
      if (shown.has(s.id)) continue;
      const tr = row(s, false);
      shown.set(s.id, tr);
      frag.append(tr);
    }
    tbody.append(frag);
    cursor = page.nextCursor ?? null;
    trim();
  }

  async function loadOlder() {
    if (!cursor) return;
    const gen = generation;
    more.disabled = true;
    try {
      const page = await getJson(`/api/exchanges${qs({ q: effectiveQuery(state), limit: PAGE, cursor })}`);
      if (gen === generation) appendHistory(page);
    } catch (e) {
      showError(e);
    } finally {
      more.disabled = false;
      updateInfo();
    }
  }

  async function loadServices(gen) {
    try {
      const cat = await getJson('/api/endpoints');
      if (gen !== generation) return;
      for (const ep of cat.endpoints ?? cat.items ?? cat ?? []) noteService(ep.service);
    } catch {
      // the filter still fills from rows as they arrive
    }
  }

  function ensureOption(sel, value) {
    if (!value || [...sel.options].some((o) => o.value === value)) return;
    sel.append(h('option', { value }, value));
  }

  function noteService(s) {
    if (s && !services.has(s)) {
      services.add(s);
      ensureOption(serviceSel, s);
    }
  }

  function noteRoutingKey(k) {
    if (k && !routingKeys.has(k)) {
      routingKeys.add(k);
      ensureOption(rkSel, k);
    }
  }

  function row(s, fresh) {
    noteService(s.service);
    noteRoutingKey(s.routingKey);
    const cls = fmt.statusClass(s.status);
        const link = ctx.routeHash('live', { ...state, id: s.id });
    const tr = h('div', { role: 'row', dataset: { id: s.id }, class: `row${fresh ? ' fresh' : ''}${s.id === state.id ? ' selected' : ''}` },
      h('div', { role: 'cell', class: 'cell time c-time', title: fmt.isoTime(s.time) }, fmt.time(s.time)),
      h('div', { role: 'cell', class: 'cell service c-service' }, s.service ?? ''),
      h('div', { role: 'cell', class: 'cell c-target' }, h('span', { class: `target ${fmt.targetKind(s.target)}`, title: s.target ?? '' },
        fmt.targetLabel(s.target, s.routingKey))),
      h('div', { role: 'cell', class: 'cell method c-method' }, s.method ?? ''),
      h('div', { role: 'cell', class: 'cell path c-path' }, h('a', { href: link, title: `${s.path ?? ''}${s.template ? ` (endpoint ${s.template})` : ''}` }, s.path ?? ''),
        s.operation ? h('span', { class: 'operation', title: 'GraphQL operation' }, ` ${s.operation}`) : null),
      h('div', { role: 'cell', class: 'cell c-status' }, h('span', { class: `status s${cls}` }, fmt.statusText(s.status))),
      h('div', { role: 'cell', class: 'cell num c-duration' }, fmt.duration(s.durationMicros)),
      h('div', { role: 'cell', class: 'cell num size c-size' }, `${fmt.bytes(s.requestSize)} → ${fmt.bytes(s.responseSize)}`));
    return tr;
  }

  function updateInfo() {
    const n = tbody.childElementCount;
    const filtered = !!effectiveQuery(state);
    more.hidden = !cursor;
    if (paused) {
      const waiting = pending.length + droppedWhilePaused;
      info.textContent = `Paused · ${fmt.plural(n, 'exchange')} shown · ${fmt.plural(waiting, 'new exchange')} waiting — press Resume to show them`;
    } else {
      info.textContent = `${fmt.plural(n, 'exchange')} shown${n >= MAX_ROWS ? ` (newest ${MAX_ROWS})` : ''}`
        + `${filtered ? ' matching the search' : ''} · newest on top · new traffic appears as it is recorded`;
    }
    const showEmpty = n === 0 && errorLine.hidden;
    empty.hidden = !showEmpty;
    table.hidden = n === 0;
    if (showEmpty) renderEmpty(filtered);
  }

  function renderEmpty(filtered) {
    clear(empty);
    if (filtered) {
      empty.append(h('h2', null, 'No exchanges match this search yet'),
        h('p', null, 'Matching traffic shows up here the moment it is recorded. ',
          h('button', { type: 'button', class: 'link', onclick: () => clearBtn.click() }, 'Clear the search and filters'),
          ' to see everything.'));
      return;
    }
    const proxy = ctx.config.proxyUrl;
    empty.append(h('h2', null, 'No traffic yet'),
      h('p', null, proxy
        ? `Send a request through the capture proxy at ${proxy} and it appears here within a second. For example:`
        : 'Send a request through a Tapline capture proxy (tapline proxy) and it appears here within a second. For example:'),
      h('pre', { class: 'example' }, `curl -H 'sd-routing-key: my-sandbox' ${proxy ?? 'http://127.0.0.1:<proxy-port>'}/orders`),
      h('p', { class: 'hint' }, 'Requests that carry a routing key (header sd-routing-key, or a baggage entry) go to that sandbox and are recorded; the others go to the baseline.'));
  }

  // --- detail pane ---
  let detailId = null;
  function showDetail() {
    const id = state.id;
    for (const tr of tbody.querySelectorAll('.row.selected')) tr.classList.remove('selected');
    if (id) shown.get(id)?.classList.add('selected');
    split.classList.toggle('with-detail', !!id);
    detailPane.hidden = !id;
    if (id === detailId) return;
    detailId = id;
    clear(detailPane);
    if (id) {
      renderDetail(detailPane, id, ctx, {
        onClose: () => ctx.navigate('live', { ...state, id: undefined }),
        related: (q, rk) => ({ ...state, q, service: '', rk: rk ?? '(baseline)', status: '', id: undefined }),
      });
    }
  }

  const onKey = (e) => {
    if (e.key === 'Escape' && state.id && !e.target.closest?.('input, select, textarea')) {
      ctx.navigate('live', { ...state, id: undefined });
    }
  };
  document.addEventListener('keydown', onKey);

  reload();
  showDetail();

  return {
    update(next) {
      const changed = filterKey(next) !== filterKey(state);
      state = { ...next };
      if (changed) reload();
      // keep row links pointing at the current filters
      showDetail();
      return true;
    },
    unmount() {
      generation++;
      document.removeEventListener('keydown', onKey);
      stopTail();
      if (frame) cancelAnimationFrame(frame);
      if (timer) clearTimeout(timer);
      ctx.setConnection('idle', '');
    },
  };
}

/**
 * Reads a text/event-stream body: calls onExchange(data) for each 'exchange' event and returns the
 * last event id and retry: value seen (undefined when absent).
 */
export function readEvents(text, onExchange) {
  let lastId;
  let retry;
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    let event = 'message';
    const data = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') lastId = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    }
    if (event === 'exchange' && data.length) onExchange(data.join('\n'));
  }
  return { lastId, retry };
}
