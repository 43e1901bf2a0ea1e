/** Live list of segments and tracks (class filter, click to highlight) and the track started/ended log. */
import { colorFor, fmt, h, setChildren } from './dom.js';
import type { SegmentInfo, SegmentsMessage, TrackEventInfo } from './protocol.js';

/** Key identifying a segment across frames: its track id when tracked, else class + segment id. */
export const segmentKey = (s: SegmentInfo): string => (s.trackId !== undefined ? `t${s.trackId}` : `c${s.categoryId}:s${s.id}`);

export function describe(s: SegmentInfo): string {
  const depth = s.depth ? ` · depth ${fmt(s.depth.median, 2)}` : '';
  const track = s.trackId !== undefined ? ` #${s.trackId}` : '';
  return `${s.category}${track} · score ${fmt(s.score, 2)} · area ${s.area} px${depth}`;
}

export class SegmentPanel {
  readonly root: HTMLElement;
  /** Segment key chosen by clicking a row (kept across frames), or undefined. */
  selected: string | undefined;
  onSelect: ((key: string | undefined) => void) | undefined;
  private readonly filter = h('select', { 'aria-label': 'Filter by class', name: 'class-filter' });
  private readonly list = h('ul', { class: 'segments', 'aria-live': 'off' });
  private readonly events = h('ol', { class: 'events', reversed: true });
  private readonly count = h('span', { class: 'count' });
  private readonly classes = new Set<string>();
  private lastRenderAt = 0;
  private last: SegmentsMessage | undefined;

  constructor() {
    this.filter.append(h('option', { value: '' }, 'all classes'));
    this.filter.addEventListener('change', () => this.render(true));
    this.list.addEventListener('click', (ev) => {
      const li = (ev.target as Element).closest('li');
      if (!li?.dataset.key) return;
      this.selected = this.selected === li.dataset.key ? undefined : li.dataset.key;
      this.onSelect?.(this.selected);
      this.render(true);
    });
    this.root = h(
      'section',
      { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h4', {}, 'Segments ', this.count), this.filter),
      this.list,
      h('h4', {}, 'Track events'),
      this.events,
    );
  }

  /** New frame of segments; the list re-renders at most 4 times per second to keep the DOM cheap. */
  update(msg: SegmentsMessage): void {
    this.last = msg;
    for (const e of msg.events) this.addEvent(e);
    for (const s of msg.segments) {
      if (this.classes.has(s.category)) continue;
      this.classes.add(s.category);
      const opts = [...this.classes].sort().map((c) => h('option', { value: c }, c));
      const cur = this.filter.value;
      setChildren(this.filter, h('option', { value: '' }, 'all classes'), ...opts);
      this.filter.value = cur;
    }
    this.render(false);
  }

  private render(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastRenderAt < 250) return;
    this.lastRenderAt = now;
    const msg = this.last;
    if (!msg) return;
    const cls = this.filter.value;
    const shown = msg.segments.filter((s) => !cls || s.category === cls).sort((a, b) => Number(b.isThing) - Number(a.isThing) || b.area - a.area);
    this.count.textContent = `(${shown.length})`;
    this.list.dataset.size = `${msg.width},${msg.height}`;
    setChildren(
      this.list,
      ...shown.map((s) => {
        const key = segmentKey(s);
        return h(
          'li',
          { 'data-key': key, 'data-class': s.category, 'data-track': s.trackId, 'data-centroid': s.centroid?.join(','), class: key === this.selected ? 'selected' : '', tabindex: 0 },
          h('span', { class: 'swatch', style: `background:${colorFor(s.trackId ?? s.categoryId)}` }),
          h('span', { class: 'cls' }, s.category),
          s.trackId !== undefined ? h('span', { class: 'track' }, `#${s.trackId}`) : h('span', { class: 'track muted' }, s.isThing ? '' : 'stuff'),
          h('span', { class: 'num' }, fmt(s.score, 2)),
          h('span', { class: 'num' }, `${s.area}`),
          h('span', { class: 'num' }, s.depth ? fmt(s.depth.median, 2) : '—'),
        );
      }),
    );
  }

  private addEvent(e: TrackEventInfo): void {
    const time = new Date().toLocaleTimeString();
    const li = h('li', { 'data-type': e.type }, h('time', {}, time), ` ${e.type === 'started' ? '▶' : '■'} ${e.category} #${e.trackId} ${e.type} (frame ${e.seq})`);
    this.events.prepend(li);
    while (this.events.children.length > 50) this.events.lastElementChild?.remove();
  }

  /** The segment of the last frame with this key. */
  find(key: string | undefined): SegmentInfo | undefined {
    if (!key || !this.last) return undefined;
    return this.last.segments.find((s) => segmentKey(s) === key);
  }
}
