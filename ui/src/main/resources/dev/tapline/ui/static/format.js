// Formatting of captured values for display. Returns strings; callers put them in text nodes.

export function time(micros) {
  if (micros === undefined || micros === null) return '';
  const d = new Date(Math.floor(micros / 1000));
  const now = new Date();
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return d.toDateString() === now.toDateString() ? t : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}`;
}

export function isoTime(micros) {
  if (micros === undefined || micros === null) return '';
  return new Date(Math.floor(micros / 1000)).toISOString();
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

export function duration(micros) {
  if (micros === undefined || micros === null) return '';
  if (micros < 1000) return `${micros} µs`;
  const ms = micros / 1000;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function bytes(n) {
  if (n === undefined || n === null || n < 0) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** '2xx' .. '5xx', or 'err' when there was no response. */
export function statusClass(status) {
  const s = Number(status);
  return s >= 100 && s < 600 ? `${Math.floor(s / 100)}xx` : 'err';
}

export function statusText(status) {
  const s = Number(status);
  return s > 0 ? String(s) : 'ERR';
}

/**
 * Which kind of target answered (the exchange's `target`): baseline, sandbox (`sandbox:<key>`),
 * override (`override:<url>`, a developer's process), mock or fault (a route's rules). Also the CSS class.
 */
export function targetKind(target) {
  if (!target || target === 'baseline') return 'baseline';
  if (target.startsWith('sandbox:')) return 'sandbox';
  if (target.startsWith('override:')) return 'override';
  if (target === 'mock' || target === 'fault') return target;
  return 'sandbox';
}

/** What answered, for a person: the sandbox's key, the override's host, a mock or fault of a key's route. */
export function targetLabel(target, routingKey) {
  switch (targetKind(target)) {
    case 'baseline': return routingKey ? `baseline (key ${routingKey})` : 'baseline';
    case 'sandbox': return target.startsWith('sandbox:') ? `sandbox · ${target.slice(8)}` : target;
    case 'override': return `override · ${target.slice(9).replace(/^https?:\/\//, '')}`;
    default: return routingKey ? `${target} · ${routingKey}` : target;
  }
}

export function plural(n, word, many = `${word}s`) {
  return `${n} ${n === 1 ? word : many}`;
}
