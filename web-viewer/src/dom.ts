/** Tiny DOM helpers: the viewer is vanilla TypeScript, no framework. */

type Attrs = Record<string, string | number | boolean | undefined | null>;
type Child = Node | string | null | undefined | false;

/** Creates an element; `attrs` keys starting with `data-`/`aria-` or plain attributes; `class` sets className. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Replaces all children of `el`. */
export function setChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/** Formats a number with a fixed number of decimals, or an em dash when unknown. */
export function fmt(n: number | undefined | null, decimals = 1, unit = ''): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  return `${n.toFixed(decimals)}${unit}`;
}

/** Stable, well-separated colour for an integer (track ids, class ids): golden-angle hue. */
export function colorFor(n: number, alpha = 1): string {
  const hue = (Math.abs(n) * 137.508) % 360;
  return `hsla(${hue.toFixed(1)}, 85%, 55%, ${alpha})`;
}
