/**
 * One camera, large: view mode toggles (overlay / raw / depth / side-by-side; keys o r d s), hover a segment
 * to highlight it and read class, track id, score, area, depth; the live segment list and track events;
 * stats (processed fps, dropped frames, latency, model, execution provider, transport).
 */
import { fmt, h, setChildren } from './dom.js';
import type { LiveSocket } from './live-socket.js';
import { LiveVideo } from './live-video.js';
import { intrinsicSize } from './players/player.js';
import { VIEW_MODES, type CameraStatus, type ModelInfo, type SegmentInfo, type SegmentsMessage, type ViewMode } from './protocol.js';
import { contentRect, HighlightLayer, panesOf, rgbFor, segmentAt, toImagePoint } from './segment-highlight.js';
import { describe, SegmentPanel, segmentKey } from './segment-panel.js';
import type { Transport } from './settings.js';

const MODE_KEYS: Record<string, ViewMode> = { o: 'overlay', r: 'raw', d: 'depth', s: 'side-by-side' };

export class DetailView {
  readonly root: HTMLElement;
  private readonly video: LiveVideo;
  private readonly layer = new HighlightLayer();
  private readonly panel = new SegmentPanel();
  private readonly tip = h('div', { class: 'tip', role: 'status', hidden: true });
  private readonly stage = h('div', { class: 'stage' });
  private readonly stats = h('dl', { class: 'stats' });
  private readonly badge = h('span', { class: 'badge' });
  private readonly modeButtons = new Map<ViewMode, HTMLButtonElement>();
  private readonly removeSegments: () => void;
  private msg: SegmentsMessage | undefined;
  private hover: { x: number; y: number } | undefined;
  private hovered: SegmentInfo | undefined;
  private readonly onKey = (ev: KeyboardEvent): void => this.key(ev);
  private statsTimer: number;
  private closed = false;

  constructor(
    socket: LiveSocket,
    private cam: CameraStatus,
    preferred: Transport,
    private readonly models: () => ModelInfo[],
    private readonly onClose: () => void,
  ) {
    this.video = new LiveVideo(socket, cam.id, { preferred, view: 'overlay' });
    this.video.onChange = () => this.renderStats();
    this.removeSegments = socket.add({ cameraId: cam.id, wants: { masks: true }, onSegments: (m) => this.onSegments(m) });
    this.panel.onSelect = () => this.redraw();

    const modes = h('div', { class: 'modes', role: 'group', 'aria-label': 'View mode' });
    for (const m of VIEW_MODES) {
      const key = Object.keys(MODE_KEYS).find((k) => MODE_KEYS[k] === m) ?? '';
      const b = h('button', { type: 'button', 'data-mode': m, title: `${m} (${key})`, 'aria-pressed': m === 'overlay' ? 'true' : 'false' }, m, h('kbd', {}, key));
      b.addEventListener('click', () => this.setMode(m));
      this.modeButtons.set(m, b);
      modes.append(b);
    }
    const close = h('button', { type: 'button', class: 'icon', title: 'Close (Esc)', 'aria-label': 'Close' }, '✕');
    close.addEventListener('click', () => this.onClose());
    this.stage.append(this.video.root, this.layer.canvas, this.tip);
    this.stage.addEventListener('pointermove', (ev) => {
      this.hover = this.stagePoint(ev);
      this.redraw();
    });
    this.stage.addEventListener('pointerleave', () => {
      this.hover = undefined;
      this.redraw();
    });
    this.root = h(
      'section',
      { class: 'detail', role: 'dialog', 'aria-modal': 'true', 'aria-label': cam.name, 'data-camera': cam.id },
      h('header', {}, h('h2', {}, cam.name), this.badge, modes, close),
      h('div', { class: 'detail-body' }, this.stage, h('aside', {}, this.stats, this.panel.root)),
    );
    document.addEventListener('keydown', this.onKey);
    this.video.start();
    this.statsTimer = window.setInterval(() => this.renderStats(), 1000);
    this.renderStats();
  }

  get cameraId(): string {
    return this.cam.id;
  }

  update(cam: CameraStatus): void {
    this.cam = cam;
    this.video.setExpectedFps(cam.fpsProcessed);
    this.renderStats();
  }

  setPreferred(t: Transport): void {
    this.video.setPreferred(t);
  }

  setMode(mode: ViewMode): void {
    for (const [m, b] of this.modeButtons) b.setAttribute('aria-pressed', String(m === mode));
    this.root.dataset.mode = mode;
    this.video.setView(mode);
  }

  private key(ev: KeyboardEvent): void {
    const t = ev.target as HTMLElement | null;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)))) return;
    if (ev.key === 'Escape') {
      this.onClose();
      return;
    }
    const mode = MODE_KEYS[ev.key.toLowerCase()];
    if (mode) {
      ev.preventDefault();
      this.setMode(mode);
    }
  }

  private stagePoint(ev: PointerEvent): { x: number; y: number } | undefined {
    const el = this.video.element;
    if (!el) return undefined;
    const box = el.getBoundingClientRect();
    return { x: ev.clientX - box.left, y: ev.clientY - box.top };
  }

  private onSegments(m: SegmentsMessage): void {
    this.msg = m;
    this.panel.update(m);
    this.redraw();
  }

  /** Re-evaluates the hovered segment and redraws the highlight (hover wins over the clicked row). */
  private redraw(): void {
    const el = this.video.element;
    const msg = this.msg;
    const natural = el ? intrinsicSize(el) : { width: 0, height: 0 };
    this.hovered = undefined;
    if (el && msg && this.hover) {
      const p = toImagePoint(this.hover.x, this.hover.y, contentRect(el, natural), panesOf(natural, msg), msg);
      if (p) this.hovered = segmentAt(msg, p.x, p.y);
    }
    const seg = this.hovered ?? this.panel.find(this.panel.selected);
    this.layer.draw(el, natural, msg, seg, rgbFor(seg?.trackId ?? seg?.categoryId ?? 0));
    if (this.hovered && this.hover && el) {
      this.tip.hidden = false;
      this.tip.dataset.key = segmentKey(this.hovered);
      this.tip.textContent = describe(this.hovered);
      // Keep the tip inside the stage (phones): flip to the pointer's left/top side when it would overflow.
      const x = el.offsetLeft + this.hover.x;
      const y = el.offsetTop + this.hover.y;
      const fitsRight = x + 14 + this.tip.offsetWidth <= this.stage.clientWidth;
      const fitsBelow = y + 14 + this.tip.offsetHeight <= this.stage.clientHeight;
      this.tip.style.left = `${Math.max(0, fitsRight ? x + 14 : x - 14 - this.tip.offsetWidth)}px`;
      this.tip.style.top = `${Math.max(0, fitsBelow ? y + 14 : y - 14 - this.tip.offsetHeight)}px`;
    } else {
      this.tip.hidden = true;
    }
  }

  private renderStats(): void {
    if (this.closed) return;
    const c = this.cam;
    const model = this.models().find((m) => m.name === c.model) ?? this.models()[0];
    const e2e = this.msg?.capturedAtMs !== undefined ? Date.now() - this.msg.capturedAtMs : undefined;
    this.badge.textContent = c.state === 'streaming' ? this.video.state : c.state;
    this.badge.dataset.tone = c.state === 'streaming' && this.video.state === 'playing' ? 'ok' : 'warn';
    this.badge.title = c.reason ?? this.video.reason;
    const row = (k: string, v: string): HTMLElement[] => [h('dt', {}, k), h('dd', { 'data-stat': k }, v)];
    setChildren(
      this.stats,
      ...row('processed', `${fmt(c.fpsProcessed)} fps (in ${fmt(c.fpsIn)})`),
      ...row('dropped', c.dropped !== undefined ? String(c.dropped) : '—'),
      ...row('latency', `${fmt(this.msg?.latencyMs ?? c.latencyMs, 0, ' ms')} processing · ${fmt(e2e, 0, ' ms')} e2e`),
      ...row('model', c.model ?? model?.name ?? '—'),
      ...row('provider', c.executionProvider ?? model?.executionProvider ?? '—'),
      ...row('video', `${this.video.transport ?? '—'} · ${fmt(this.video.fps)} fps shown`),
      ...row('state', `${c.state}${c.reason && c.state !== 'streaming' ? ` — ${c.reason}` : ''}`),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    window.clearInterval(this.statsTimer);
    document.removeEventListener('keydown', this.onKey);
    this.removeSegments();
    this.video.close();
    this.root.remove();
  }
}
