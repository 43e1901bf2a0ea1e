/** The viewer app: header (add camera, settings), the camera grid, the detail view; polls camera status. */
import { api } from './api.js';
import { CameraForm } from './camera-form.js';
import { CameraTile } from './camera-tile.js';
import { DetailView } from './detail-view.js';
import { h } from './dom.js';
import { LiveSocket } from './live-socket.js';
import type { CameraStatus, ModelInfo } from './protocol.js';
import { getToken, preferredTransport, setPreferredTransport, setToken, TRANSPORTS, urlTransport, type Transport } from './settings.js';

/** Options of the app. */
export interface AppOptions {
  /** Camera status poll period, ms. Default 2000. */
  pollMs?: number;
}

export class App {
  readonly socket = new LiveSocket();
  readonly tiles = new Map<string, CameraTile>();
  cameras: CameraStatus[] = [];
  models: ModelInfo[] = [];
  detail: DetailView | undefined;
  private preferred: Transport = preferredTransport();
  private readonly grid = h('main', { class: 'grid', 'aria-label': 'Cameras' });
  private readonly empty = h('p', { class: 'empty' }, 'No cameras yet — add one with “+ Camera”.');
  private readonly status = h('span', { class: 'conn', title: 'server connection' });
  private readonly notice = h('p', { class: 'notice', role: 'alert', hidden: true });
  private readonly form = new CameraForm((cam) => this.onAdded(cam));
  private readonly formDialog = h('div', { class: 'drawer', hidden: true }, this.form.root);
  private readonly settings = h('div', { class: 'drawer', hidden: true });
  private pollTimer: number | undefined;
  /** Cameras being or just removed: a poll answered before the DELETE finished must not bring them back. */
  private readonly removing = new Set<string>();

  constructor(
    private readonly root: HTMLElement,
    private readonly opts: AppOptions = {},
  ) {}

  start(): void {
    const addBtn = h('button', { type: 'button', class: 'primary', 'data-action': 'add' }, '+ Camera');
    addBtn.addEventListener('click', () => this.toggle(this.formDialog, () => this.form.focus()));
    const gear = h('button', { type: 'button', class: 'icon', title: 'Settings', 'aria-label': 'Settings', 'data-action': 'settings' }, '⚙');
    gear.addEventListener('click', () => this.toggle(this.settings));
    this.buildSettings();
    this.root.replaceChildren(
      h('header', { class: 'top' }, h('h1', {}, 'panoptic-stream'), this.status, h('span', { class: 'spacer' }), addBtn, gear),
      this.notice,
      this.formDialog,
      this.settings,
      this.grid,
    );
    this.socket.onStateChange = (s, reason) => {
      this.status.dataset.state = s;
      this.status.title = `live socket ${s}${reason ? `: ${reason}` : ''}`;
    };
    this.socket.onNotice = (m) => this.onNotice(m);
    window.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && !this.detail) for (const d of [this.formDialog, this.settings]) d.hidden = true;
    });
    void this.poll();
    void api.models().then((m) => (this.models = m), () => undefined);
  }

  private toggle(drawer: HTMLElement, then?: () => void): void {
    const open = drawer.hidden;
    for (const d of [this.formDialog, this.settings]) d.hidden = true;
    drawer.hidden = !open;
    if (open) then?.();
  }

  private buildSettings(): void {
    const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', placeholder: 'bearer token', value: getToken() });
    const transport = h('select', { name: 'transport' }, ...TRANSPORTS.map((t) => h('option', { value: t }, t === 'ws' ? 'WebSocket JPEG' : t === 'mjpeg' ? 'MJPEG' : 'WebRTC (WHEP)')));
    transport.value = this.preferred;
    const forced = urlTransport();
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
    const form = h(
      'form',
      { class: 'settings' },
      h('h3', {}, 'Settings'),
      h('label', { class: 'field' }, h('span', {}, 'API token'), token, h('small', {}, 'kept in this browser (localStorage); sent on changes')),
      h('label', { class: 'field' }, h('span', {}, 'Video transport'), transport, h('small', {}, forced ? `?transport=${forced} in the URL overrides this` : 'others are fallbacks')),
      h('div', { class: 'actions' }, save),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      setToken(token.value);
      const t = transport.value as Transport;
      if (t !== this.preferred) {
        setPreferredTransport(t);
        this.preferred = forced ?? t;
        for (const tile of this.tiles.values()) tile.setPreferred(this.preferred);
        this.detail?.setPreferred(this.preferred);
      }
      this.settings.hidden = true;
      void this.poll();
    });
    this.settings.replaceChildren(form);
  }

  private showNotice(text: string): void {
    this.notice.textContent = text;
    this.notice.hidden = !text;
  }

  /** Fetches camera status and reconciles tiles; reschedules itself. */
  async poll(): Promise<void> {
    window.clearTimeout(this.pollTimer);
    try {
      const cams = await api.cameras();
      for (const id of this.removing) if (!cams.some((c) => c.id === id)) this.removing.delete(id);
      this.reconcile(cams);
      this.showNotice('');
      this.status.dataset.api = 'ok';
    } catch (e) {
      this.status.dataset.api = 'down';
      this.showNotice(`cannot reach the server: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.pollTimer = window.setTimeout(() => void this.poll(), this.opts.pollMs ?? 2000);
  }

  private reconcile(all: CameraStatus[]): void {
    const cams = all.filter((c) => !this.removing.has(c.id));
    this.cameras = cams;
    const ids = new Set(cams.map((c) => c.id));
    for (const [id, tile] of this.tiles) {
      if (ids.has(id)) continue;
      tile.close();
      this.tiles.delete(id);
      if (this.detail?.cameraId === id) this.closeDetail();
    }
    for (const cam of cams) {
      const tile = this.tiles.get(cam.id);
      if (tile) tile.update(cam);
      else {
        const t = new CameraTile(this.socket, cam, this.preferred, { open: (id) => this.openDetail(id), remove: (id) => this.remove(id) });
        this.tiles.set(cam.id, t);
        this.grid.append(t.root);
      }
      if (this.detail?.cameraId === cam.id) this.detail.update(cam);
    }
    if (cams.length === 0) this.grid.replaceChildren(this.empty);
    else this.empty.remove();
  }

  /** Server pushes on `/ws`: camera state changes and removals show at once instead of at the next poll. */
  private onNotice(m: Record<string, unknown>): void {
    const id = typeof m.cameraId === 'string' ? m.cameraId : undefined;
    if (m.type === 'error') this.showNotice(`server: ${String(m.message ?? 'error')}${typeof m.field === 'string' ? ` (${m.field})` : ''}`);
    else if (m.type === 'removed' && id) this.reconcile(this.cameras.filter((c) => c.id !== id));
    else if (m.type === 'state' && id && typeof m.state === 'string') {
      const reason = typeof m.reason === 'string' ? m.reason : undefined;
      this.reconcile(this.cameras.map((c) => (c.id === id ? { ...c, state: m.state as string, reason } : c)));
    }
  }

  private onAdded(cam: CameraStatus): void {
    this.formDialog.hidden = true;
    if (cam.id) this.reconcile([...this.cameras.filter((c) => c.id !== cam.id), cam]);
    void this.poll();
  }

  async remove(id: string): Promise<void> {
    this.removing.add(id);
    this.reconcile(this.cameras);
    try {
      await api.removeCamera(id);
    } catch (e) {
      this.removing.delete(id);
      void this.poll();
      this.showNotice(`remove ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  openDetail(id: string): void {
    const cam = this.cameras.find((c) => c.id === id);
    if (!cam) return;
    this.closeDetail();
    this.detail = new DetailView(this.socket, cam, this.preferred, () => this.models, () => this.closeDetail());
    this.root.append(this.detail.root);
    document.body.classList.add('has-detail');
  }

  closeDetail(): void {
    this.detail?.close();
    this.detail = undefined;
    document.body.classList.remove('has-detail');
  }
}
