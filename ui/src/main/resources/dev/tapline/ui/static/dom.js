// DOM helpers. Every captured value reaches the page through text nodes (textContent), never as
// HTML: that is what keeps <script>, onerror= and javascript: payloads in recorded traffic inert.

/**
 * Creates an element. `attrs` keys: class, text, title, href (internal links only), dataset,
 * on<event> handlers, and plain attributes. Children: nodes or strings (strings become text nodes).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'href') el.setAttribute('href', safeHref(v));
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Links the UI builds point inside the app (#/...) or at its own API; anything else is dropped. */
export function safeHref(v) {
  const s = String(v);
  return s.startsWith('#') || s.startsWith('/') && !s.startsWith('//') ? s : '#';
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Saves text as a file through a Blob URL (no server round trip, no data in the address). */
export function download(filename, text, type = 'application/octet-stream') {
  const blob = text instanceof Blob ? text : new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { download: filename });
  a.href = url;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text; falls back to selecting it for Ctrl+C where the Clipboard API is unavailable. */
export async function copyText(text, fallbackEl) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallbackEl) {
      const range = document.createRange();
      range.selectNodeContents(fallbackEl);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    return false;
  }
}
