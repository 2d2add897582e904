// Endpoints view: the catalog per service with status mix, latency percentiles and a small
// latency chart per endpoint, plus in-place test generation.
import { getJson, postJson, postForBlob, qs, endpointQuery } from './api.js';
import { h, clear, download } from './dom.js';
import * as fmt from './format.js';

export function mountEndpoints(root, params, ctx) {
  let state = { ...params };
  const charts = [];
  const observer = 'IntersectionObserver' in window
    ? new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) {
          observer.unobserve(e.target);
          e.target.__draw?.();
        }
      }
    }, { rootMargin: '200px' })
    : null;

  const serviceSel = h('select', { id: 'endpoints-service', 'aria-label': 'Service' }, h('option', { value: '' }, 'All services'));
  const rkInput = h('input', { id: 'endpoints-rk', type: 'search', placeholder: 'routing key (optional)', 'aria-label': 'Routing key', value: state.rk ?? '' });
  const form = h('form', { class: 'toolbar' }, serviceSel, rkInput, h('button', { type: 'submit' }, 'Show'));
  const body = h('div', { id: 'endpoints-body' }, h('p', { class: 'info' }, 'Loading the endpoint catalog…'));
  const gen = h('section', { id: 'generated', class: 'generated', hidden: true });
  root.append(h('div', { class: 'endpoints' },
    h('p', { class: 'lead' }, 'Every endpoint (method + path template, and for GraphQL the operation) seen in recorded traffic. Click a path to see its exchanges; "Generate tests" turns them into a REST Assured test class.'),
    form, gen, body));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate('endpoints', { service: serviceSel.value, rk: rkInput.value.trim() });
  });
  serviceSel.addEventListener('change', () => form.requestSubmit());

  async function load() {
    clear(body).append(h('p', { class: 'info' }, 'Loading the endpoint catalog…'));
    let list;
    try {
      const cat = await getJson(`/api/endpoints${qs({ service: state.service, routingKey: state.rk })}`);
      list = Array.isArray(cat) ? cat : cat.endpoints ?? cat.items ?? [];
    } catch (e) {
      clear(body).append(h('p', { class: 'error', role: 'alert' }, `Could not load endpoints: ${e.message}`));
      return;
    }
    for (const s of new Set(list.map((e) => e.service))) {
      if (![...serviceSel.options].some((o) => o.value === s)) serviceSel.append(h('option', { value: s }, s));
    }
    if (state.service && ![...serviceSel.options].some((o) => o.value === state.service)) {
      serviceSel.append(h('option', { value: state.service }, state.service));
    }
    serviceSel.value = state.service ?? '';
    clear(body);
    if (!list.length) {
      body.append(h('div', { class: 'empty', id: 'endpoints-empty' },
        h('h2', null, 'No endpoints yet'),
        h('p', null, state.service || state.rk
          ? 'Nothing recorded for this service / routing key. Clear the filters or send traffic through the proxy.'
          : `Endpoints appear once traffic has been recorded. Send requests through the capture proxy${ctx.config.proxyUrl ? ` at ${ctx.config.proxyUrl}` : ''}, then come back.`)));
      return;
    }
    const byService = new Map();
    for (const ep of list) {
      if (!byService.has(ep.service)) byService.set(ep.service, []);
      byService.get(ep.service).push(ep);
    }
    for (const [service, eps] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
      eps.sort((a, b) => (a.template ?? '').localeCompare(b.template ?? '') || (a.method ?? '').localeCompare(b.method ?? '')
        || (a.operation ?? '').localeCompare(b.operation ?? ''));
      body.append(h('section', { class: 'service-block' },
        h('h2', null, service, h('span', { class: 'count' }, ` · ${fmt.plural(eps.length, 'endpoint')}`)),
        h('table', { class: 'grid endpoints-table' },
          h('thead', null, h('tr', null,
            ['Method', 'Path template', 'Exchanges', 'Status mix', 'p50', 'p95', 'p99', 'Latency (recent)', 'Last seen', '']
              .map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, eps.map((ep) => endpointRow(ep))))));
    }
  }

  function endpointRow(ep) {
    const q = endpointQuery(ep.service, ep.method, ep.template, ep.operation);
    const chart = h('div', { class: 'spark', title: 'Duration of the most recent exchanges (ms)' });
    chart.__draw = () => drawChart(chart, q);
    observer ? observer.observe(chart) : chart.__draw();
    const genBtn = h('button', { type: 'button', class: 'generate', title: 'Generate a JUnit 5 + REST Assured test for this endpoint from its recorded traffic' }, 'Generate tests');
    genBtn.addEventListener('click', () => generate(ep, genBtn));
    const name = ep.operation ? `${ep.method} ${ep.template} ${ep.operation}` : `${ep.method} ${ep.template}`;
    return h('tr', { dataset: { endpoint: name } },
      h('td', { class: 'method' }, ep.method),
      h('td', { class: 'path' }, h('a', { href: ctx.routeHash('live', { q, rk: state.rk }), title: 'Show the exchanges of this endpoint' }, ep.template),
        ep.operation ? h('span', { class: 'operation', title: 'GraphQL operation' }, ` ${ep.operation}`) : null),
      h('td', { class: 'num' }, String(ep.count ?? '')),
      h('td', null, statusMix(ep)),
      h('td', { class: 'num' }, fmt.duration(pct(ep, 50))),
      h('td', { class: 'num' }, fmt.duration(pct(ep, 95))),
      h('td', { class: 'num' }, fmt.duration(pct(ep, 99))),
      h('td', null, chart),
      h('td', { class: 'time', title: String(ep.lastSeen ?? '') }, lastSeen(ep.lastSeen)),
      // Tests per GraphQL operation are not generated yet: the generator would mix every operation of the path.
      h('td', null, ep.operation ? null : genBtn));
  }

  async function drawChart(el, q) {
    let page;
    try {
      page = await getJson(`/api/exchanges${qs({ q, limit: 200 })}`);
    } catch {
      el.append(h('span', { class: 'hint' }, 'n/a'));
      return;
    }
    const items = (page.items ?? page.exchanges ?? []).slice().sort((a, b) => a.time - b.time);
    if (items.length < 2 || typeof window.uPlot !== 'function') {
      el.append(h('span', { class: 'hint' }, items.length < 2 ? 'needs 2+ exchanges' : ''));
      return;
    }
    const xs = items.map((s) => s.time / 1e6);
    const ys = items.map((s) => s.durationMicros / 1000);
    const plot = new window.uPlot({
      width: 180, height: 48, class: 'spark-plot', legend: { show: false }, cursor: { show: false },
      scales: { x: { time: true } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: '#2457c5', width: 1.5, points: { show: items.length < 40, size: 3 } }],
    }, [xs, ys], el);
    charts.push(plot);
  }

  async function generate(ep, btn) {
    btn.disabled = true;
    btn.textContent = 'Generating…';
    const req = { service: ep.service, method: ep.method, template: ep.template, routingKey: state.rk || null };
    gen.hidden = false;
    clear(gen).append(h('p', { class: 'info' }, `Generating tests for ${ep.method} ${ep.template}…`));
    try {
      const result = await postJson('/api/generate', req);
      showGenerated(ep, req, result);
      gen.scrollIntoView({ block: 'start' });
    } catch (e) {
      clear(gen).append(h('p', { class: 'error', role: 'alert' }, `Could not generate tests: ${e.message}`));
    } finally {
      btn.disabled = false;
      btn.textContent = 'Generate tests';
    }
  }

  function showGenerated(ep, req, result) {
    const files = Array.isArray(result.files)
      ? result.files.map((f) => [f.path, f.content])
      : Object.entries(result.files ?? {});
    clear(gen);
    const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close', title: 'Close' }, '×');
    close.addEventListener('click', () => { gen.hidden = true; clear(gen); });
    gen.append(h('div', { class: 'detail-head' },
      h('h2', null, `Generated tests · ${ep.method} ${ep.template}`), close));
    if (!files.length) {
      gen.append(h('p', { class: 'hint' }, result.message ?? 'Nothing was generated: no usable exchanges for this endpoint.'));
      return;
    }
    const zip = h('button', { type: 'button', id: 'download-zip' }, 'Download all (.zip)');
    zip.addEventListener('click', async () => {
      try {
        download(`tapline-tests-${ep.service}.zip`, await postForBlob('/api/generate?format=zip', req));
      } catch (e) {
        zip.textContent = `Download failed: ${e.message}`;
      }
    });
    gen.append(h('p', { class: 'hint' },
      `${fmt.plural(files.length, 'file')} from ${fmt.plural(result.exchanges ?? ep.count ?? 0, 'recorded exchange')}. `
      + 'Put them under src/test of the service; run with -Dtapline.baseUri=http://… (and -Dtapline.routingKey=… for a sandbox).'),
    h('div', { class: 'actions' }, zip));
    for (const [path, content] of files) {
      const name = path.split('/').pop();
      const dl = h('button', { type: 'button', class: 'link' }, 'Download');
      dl.addEventListener('click', () => download(name, content, 'text/plain'));
      gen.append(h('details', { class: 'file', open: files.length <= 2 || path.endsWith('.java') },
        h('summary', null, h('code', null, path), ' ', dl),
        h('pre', { class: 'source' }, content)));
    }
  }

  load();

  return {
    update(next) {
      state = { ...next };
      rkInput.value = state.rk ?? '';
      gen.hidden = true;
      charts.splice(0).forEach((c) => c.destroy());
      load();
      return true;
    },
    unmount() {
      observer?.disconnect();
      charts.splice(0).forEach((c) => c.destroy());
    },
  };
}

function pct(ep, p) {
  return ep[`p${p}Micros`] ?? ep[`p${p}`] ?? ep.latency?.[`p${p}`] ?? ep.durationMicros?.[`p${p}`] ?? null;
}

function statusCounts(ep) {
  return ep.statuses ?? ep.statusCounts ?? ep.status ?? {};
}

function statusMix(ep) {
  const counts = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, err: 0 };
  for (const [k, n] of Object.entries(statusCounts(ep))) {
    const c = /^[1-5]xx$/.test(k) ? k : fmt.statusClass(k);
    counts[c === '1xx' ? '2xx' : c] = (counts[c === '1xx' ? '2xx' : c] ?? 0) + Number(n);
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0) || 1;
  const bar = h('div', { class: 'mix', title: Object.entries(statusCounts(ep)).map(([k, n]) => `${k}: ${n}`).join(', ') });
  const legend = [];
  for (const [c, n] of Object.entries(counts)) {
    if (!n) continue;
    const seg = h('span', { class: `seg s${c}` });
    seg.style.width = `${(100 * n) / total}%`; // CSSOM, allowed under style-src 'self'
    bar.append(seg);
    legend.push(h('span', { class: `status s${c}` }, `${c} ${n}`));
  }
  return h('div', { class: 'mix-wrap' }, bar, h('div', { class: 'mix-legend' }, legend));
}

function lastSeen(v) {
  if (v === undefined || v === null) return '';
  return typeof v === 'number' ? fmt.time(v) : fmt.when(v);
}
