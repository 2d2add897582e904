// Tapline viewer: a hash router over four views. The address holds the view, its query and the
// selected exchange, so any screen can be shared as a link.
import { getJson } from './api.js';
import { clear } from './dom.js';
import { mountLive } from './live.js';
import { mountEndpoints } from './endpoints.js';
import { mountDrift } from './drift.js';

const VIEWS = { live: mountLive, endpoints: mountEndpoints, drift: mountDrift };

export function parseRoute(hash = location.hash) {
  const s = hash.replace(/^#\/?/, '');
  const qi = s.indexOf('?');
  const view = (qi < 0 ? s : s.slice(0, qi)) || 'live';
  const params = Object.fromEntries(new URLSearchParams(qi < 0 ? '' : s.slice(qi + 1)));
  return { view: VIEWS[view] ? view : 'live', params };
}

export function routeHash(view, params = {}) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, v);
  }
  const s = u.toString();
  return `#/${view}${s ? `?${s}` : ''}`;
}

/** Changes the address; `replace` for edits that should not pile up in the back history. */
export function navigate(view, params, { replace = false } = {}) {
  const hash = routeHash(view, params);
  if (hash === location.hash) return;
  if (replace) {
    history.replaceState(null, '', hash);
    render();
  } else {
    location.hash = hash;
  }
}

const ctx = {
  config: { proxyUrl: null, tokenRequired: false, drift: false, generate: false },
  navigate,
  routeHash,
  setConnection(state, text) {
    const el = document.getElementById('conn');
    // The live view reports its state after every answer from the recorder: touch the page only
    // when it changes.
    if (el.className === `conn conn-${state}` && el.textContent === text) return;
    el.className = `conn conn-${state}`;
    el.textContent = text;
    el.hidden = !text;
  },
};

let current = null;

function render() {
  const { view, params } = parseRoute();
  for (const name of Object.keys(VIEWS)) {
    const a = document.getElementById(`nav-${name}`);
    if (a) a.classList.toggle('active', name === view);
    if (a && name === view) a.setAttribute('aria-current', 'page'); else a?.removeAttribute('aria-current');
  }
  if (current && current.view === view && current.instance.update?.(params)) return;
  current?.instance.unmount?.();
  const root = clear(document.getElementById('view'));
  current = { view, instance: VIEWS[view](root, params, ctx) };
}

async function boot() {
  try {
    ctx.config = { ...ctx.config, ...(await getJson('/api/ui/config')) };
  } catch {
    // An older recorder without the config call: run with defaults.
  }
  addEventListener('hashchange', render);
  render();
}

boot();
