/** Add-camera form: URL, name, options (JSON). The server's 400 names the field; the message shows next to it. */
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import type { CameraStatus } from './protocol.js';

export class CameraForm {
  readonly root: HTMLFormElement;
  private readonly url = h('input', { name: 'url', type: 'text', required: true, placeholder: 'rtsp://host:554/stream', autocomplete: 'off', spellcheck: 'false' });
  private readonly name = h('input', { name: 'name', type: 'text', placeholder: 'lobby', autocomplete: 'off' });
  private readonly options = h('textarea', { name: 'options', rows: 3, placeholder: '{"maxFps": 15, "loop": true}', spellcheck: 'false' });
  private readonly formError = h('p', { class: 'error', role: 'alert', 'data-field-error': '' });
  private readonly submit = h('button', { type: 'submit', class: 'primary' }, 'Add camera');

  constructor(private readonly onAdded: (cam: CameraStatus) => void) {
    const field = (label: string, input: HTMLElement, name: string, hint = ''): HTMLElement =>
      h('label', { class: 'field' }, h('span', {}, label), input, hint ? h('small', {}, hint) : null, h('span', { class: 'error', 'data-error-for': name, role: 'alert' }));
    this.root = h(
      'form',
      { class: 'camera-form', novalidate: true },
      h('h3', {}, 'Add a camera'),
      field('Source URL', this.url, 'url'),
      field('Name', this.name, 'name', 'optional'),
      field('Options (JSON)', this.options, 'options', 'optional: id, loop, maxFps, width, height, rtspTransport'),
      this.formError,
      h('div', { class: 'actions' }, this.submit),
    );
    this.root.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.send();
    });
  }

  private clearErrors(): void {
    for (const el of this.root.querySelectorAll<HTMLElement>('[data-error-for]')) el.textContent = '';
    for (const el of this.root.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    this.formError.textContent = '';
  }

  private showError(field: string, message: string): void {
    const top = field.split('.')[0];
    const slot = this.root.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(top)}"]`) ??
      this.root.querySelector<HTMLElement>('[data-error-for="options"]');
    if (!slot) return;
    slot.textContent = slot.textContent ? `${slot.textContent}; ${field}: ${message}` : top === 'url' || top === 'name' ? message : `${field}: ${message}`;
    slot.closest('label')?.querySelector('input,textarea')?.setAttribute('aria-invalid', 'true');
  }

  private async send(): Promise<void> {
    this.clearErrors();
    let options: Record<string, unknown> = {};
    if (this.options.value.trim()) {
      try {
        const parsed: unknown = JSON.parse(this.options.value);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object');
        options = parsed as Record<string, unknown>;
      } catch (e) {
        this.showError('options', e instanceof Error ? e.message : String(e));
        return;
      }
    }
    const body = { ...options, url: this.url.value.trim(), ...(this.name.value.trim() ? { name: this.name.value.trim() } : {}) };
    this.submit.disabled = true;
    try {
      const cam = await api.addCamera(body);
      this.root.reset();
      this.onAdded(cam);
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.fields).length > 0) {
        for (const [f, m] of Object.entries(e.fields)) this.showError(f, m);
      } else {
        this.formError.textContent = e instanceof Error ? e.message : String(e);
      }
    } finally {
      this.submit.disabled = false;
    }
  }

  focus(): void {
    this.url.focus();
  }
}
