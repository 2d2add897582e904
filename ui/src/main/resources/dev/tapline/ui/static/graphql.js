// GraphQL in the viewer: the operations a request carries, and their documents pretty-printed.
// The recorder names operations ("query GetUser"); this only reads the request body for display.

/** The operations of a captured request body: [{ operationName, query, variables }], or [] when it is not GraphQL. */
export function graphqlRequests(req) {
  const text = req?.body?.text;
  if (req?.method === 'GET' && req.query && /(^|&)query=/.test(req.query)) {
    const p = new URLSearchParams(req.query);
    let variables;
    try { variables = p.get('variables') ? JSON.parse(p.get('variables')) : undefined; } catch { variables = undefined; }
    return [{ operationName: p.get('operationName') ?? undefined, query: p.get('query'), variables }];
  }
  if (typeof text !== 'string' || !/^\s*[[{]/.test(text)) return [];
  let body;
  try { body = JSON.parse(text); } catch { return []; }
  const items = Array.isArray(body) ? body : [body];
  return items.filter((b) => b && typeof b === 'object' && typeof b.query === 'string')
    .map((b) => ({ operationName: b.operationName ?? undefined, query: b.query, variables: b.variables ?? undefined }));
}

const PUNCT = new Set(['{', '}', '(', ')', ':', '[', ']', '=', '@', '$', '!', '|', '&']);

/** Splits a document into tokens: names, numbers, strings (block strings too), "...", punctuation; commas and comments dropped. */
function tokens(doc) {
  const out = [];
  let i = 0;
  while (i < doc.length) {
    const c = doc[i];
    if (c === '#') { while (i < doc.length && doc[i] !== '\n') i++; continue; }
    if (/\s|,|\uFEFF/.test(c)) { i++; continue; }
    if (doc.startsWith('"""', i)) {
      const end = doc.indexOf('"""', i + 3);
      const stop = end < 0 ? doc.length : end + 3;
      out.push(doc.slice(i, stop)); i = stop; continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < doc.length && doc[j] !== '"' && doc[j] !== '\n') j += doc[j] === '\\' ? 2 : 1;
      out.push(doc.slice(i, j + 1)); i = j + 1; continue;
    }
    if (doc.startsWith('...', i)) { out.push('...'); i += 3; continue; }
    if (PUNCT.has(c)) { out.push(c); i++; continue; }
    let j = i;
    while (j < doc.length && /[A-Za-z0-9_.+\-]/.test(doc[j])) j++;
    if (j === i) j++;
    out.push(doc.slice(i, j)); i = j;
  }
  return out;
}

/** The document indented two spaces per selection level, one selection a line; arguments stay on their field's line. */
export function prettyGraphql(doc) {
  const t = tokens(String(doc ?? ''));
  const lines = [];
  let line = '';
  let depth = 0;
  let parens = 0;
  const flush = () => { if (line.trim()) lines.push('  '.repeat(depth) + line.trim()); line = ''; };
  for (let k = 0; k < t.length; k++) {
    const tok = t[k];
    const prev = line ? t[k - 1] : undefined;
    if (parens === 0 && tok === '{') { line += (line ? ' ' : '') + '{'; flush(); depth++; continue; }
    if (parens === 0 && tok === '}') { flush(); depth = Math.max(0, depth - 1); line = '}'; flush(); continue; }
    if (parens === 0 && depth > 0 && prev !== undefined && startsSelection(prev, tok)) flush();
    line += (line ? separator(line ? t[k - 1] : undefined, tok, parens) : '') + tok;
    if (tok === '(') parens++;
    if (tok === ')') parens = Math.max(0, parens - 1);
  }
  flush();
  return lines.join('\n');
}

function startsSelection(prev, tok) {
  if (['(', ')', ':', '{', '}', '@', '!'].includes(tok)) return false;
  return !['...', 'on', '@', ':', '(', '$'].includes(prev);
}

function separator(prev, tok, parens) {
  if (prev === undefined) return '';
  if (['(', '[', '$', '@'].includes(prev) || (prev === '{' && parens > 0)) return '';
  if ([')', ']', ':', '!', '('].includes(tok) || (tok === '}' && parens > 0)) return '';
  if (prev === '...' && tok !== 'on') return '';
  if (prev === ':' || prev === '=' || tok === '=' || tok === '@' || tok === '{') return ' ';
  return parens > 0 ? ', ' : ' ';
}
