// Talks to the recorder's JSON API (same origin; the token rides in the HttpOnly cookie).

export class ApiError extends Error {
  constructor(status, error, detail, body = null) {
    super(detail ? `${error}: ${detail}` : error);
    this.status = status;
    this.error = error;
    this.detail = detail;
    this.body = body;
  }
}

async function request(path, init) {
  let res;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch (e) {
    throw new ApiError(0, 'recorder unreachable', `${path}: ${e.message}`);
  }
  if (res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.hash)}`);
    throw new ApiError(401, 'unauthorized', 'sign in with the recorder token');
  }
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, body?.error ?? `HTTP ${res.status}`, body?.detail ?? res.statusText, body);
  }
  return res;
}

export async function getJson(path) {
  return (await request(path)).json();
}

export async function getText(path, init) {
  return (await request(path, init)).text();
}

export async function postJson(path, body) {
  return (await request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })).json();
}

export async function postForBlob(path, body) {
  return (await request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })).blob();
}

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, v);
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

// --- Lucene query building (field names as the recorder indexes them) ---

/** Quotes a value as a Lucene phrase so /, {, } and spaces in paths and keys are literal. */
export function term(field, value) {
  return `${field}:"${String(value).replace(/(["\\])/g, '\\$1')}"`;
}

export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'err'];

export function statusClause(cls) {
  if (cls === 'err') return 'status:0';
  const n = Number(cls?.[0]);
  return n >= 1 && n <= 5 ? `status:[${n}00 TO ${n}99]` : '';
}

/** The free-text query and the quick filters, combined into one query for history and stream. */
export function effectiveQuery({ q, service, rk, status }) {
  const parts = [];
  if (q && q.trim()) parts.push(q.trim());
  if (service) parts.push(term('service', service));
  if (rk === '(baseline)') parts.push(term('target', 'baseline'));
  else if (rk) parts.push(term('routingKey', rk));
  if (status) parts.push(statusClause(status));
  const all = parts.filter(Boolean);
  // Parenthesise the user's query only when something is ANDed to it (keeps error positions true).
  if (all.length > 1 && q && q.trim()) all[0] = `(${all[0]})`;
  return all.join(' AND ');
}

/** The exchanges of one catalog entry; a GraphQL operation ("query GetUser") narrows it to that operation. */
export function endpointQuery(service, method, template, operation) {
  const parts = [term('service', service), term('method', method), term('template', template)];
  const space = operation ? operation.indexOf(' ') : -1;
  if (space > 0) parts.push(term('operationType', operation.slice(0, space)), term('operation', operation.slice(space + 1)));
  return parts.join(' AND ');
}
