/**
 * One WebSocket to `/ws` shared by the whole page. Consumers (tiles, the detail view) register interest per
 * camera; the socket merges them into one subscription per camera (masks if anyone wants masks, frames if anyone
 * wants frames, the highest max rate) and re-subscribes after reconnecting (exponential backoff, 0.5 s → 8 s).
 */
import { api } from './api.js';
import { readBinaryFrame, readSegmentsMessage, type SegmentsMessage, type SubscribeOptions, type ViewMode } from './protocol.js';

export interface LiveConsumer {
  readonly cameraId: string;
  readonly wants: Partial<SubscribeOptions>;
  onSegments?(msg: SegmentsMessage): void;
  onFrame?(jpeg: Blob, view: ViewMode | undefined): void;
}

export type SocketState = 'connecting' | 'open' | 'closed';

export class LiveSocket {
  private ws: WebSocket | undefined;
  private readonly consumers = new Set<LiveConsumer>();
  /** Last subscription sent per camera, as JSON, to avoid resending identical ones. */
  private readonly sent = new Map<string, string>();
  private retryMs = 500;
  private retryTimer: number | undefined;
  private closed = false;
  state: SocketState = 'closed';
  onStateChange: ((s: SocketState, reason?: string) => void) | undefined;
  /** Server messages that are neither segments nor frames (errors, acks), for diagnostics in the UI. */
  onNotice: ((msg: Record<string, unknown>) => void) | undefined;

  add(c: LiveConsumer): () => void {
    this.consumers.add(c);
    this.ensureOpen();
    this.sync();
    return () => {
      this.consumers.delete(c);
      this.sync();
    };
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.retryTimer);
    this.ws?.close(1000, 'viewer closed');
    this.ws = undefined;
  }

  private setState(s: SocketState, reason?: string): void {
    this.state = s;
    this.onStateChange?.(s, reason);
  }

  private ensureOpen(): void {
    if (this.closed || this.ws || this.consumers.size === 0) return;
    const ws = new WebSocket(api.wsUrl());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.sent.clear();
    this.setState('connecting');
    ws.onopen = () => {
      this.retryMs = 500;
      this.setState('open');
      this.sync();
    };
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => this.dispatch(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.setState('closed', ev.reason || `code ${ev.code}`);
      if (this.closed) return;
      this.retryTimer = window.setTimeout(() => this.ensureOpen(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 8000);
    };
  }

  /** Desired subscription per camera from the current consumers. */
  private desired(): Map<string, SubscribeOptions> {
    const out = new Map<string, SubscribeOptions>();
    for (const c of this.consumers) {
      const cur = out.get(c.cameraId) ?? { masks: false, frames: false };
      const rate = c.wants.maxRateFps;
      out.set(c.cameraId, {
        masks: cur.masks || c.wants.masks === true,
        frames: cur.frames || c.wants.frames === true,
        maxRateFps: cur.maxRateFps === undefined || rate === undefined ? undefined : Math.max(cur.maxRateFps, rate),
        view: c.wants.view ?? cur.view,
      });
      // A consumer without a rate cap removes the cap: keep `undefined` sticky.
      if (rate === undefined) out.get(c.cameraId)!.maxRateFps = undefined;
    }
    return out;
  }

  /** Sends subscribe/unsubscribe messages so the server matches `desired()`. */
  sync(): void {
    if (this.consumers.size === 0 && this.ws) {
      this.ws.close(1000, 'no subscriptions');
      this.ws = undefined;
      this.sent.clear();
      return;
    }
    this.ensureOpen();
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const want = this.desired();
    for (const [cameraId, opts] of want) {
      const msg = { type: 'subscribe', cameras: [cameraId], masks: opts.masks, frames: opts.frames, maxRateFps: opts.maxRateFps, view: opts.view };
      const json = JSON.stringify(msg);
      if (this.sent.get(cameraId) === json) continue;
      ws.send(json);
      this.sent.set(cameraId, json);
    }
    for (const cameraId of [...this.sent.keys()]) {
      if (want.has(cameraId)) continue;
      ws.send(JSON.stringify({ type: 'unsubscribe', cameras: [cameraId] }));
      this.sent.delete(cameraId);
    }
  }

  private dispatch(data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      const f = readBinaryFrame(data);
      if (!f) return;
      for (const c of this.consumers) if (c.cameraId === f.cameraId) c.onFrame?.(f.jpeg, f.view);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const msg = readSegmentsMessage(json);
    if (msg) {
      for (const c of this.consumers) if (c.cameraId === msg.cameraId) c.onSegments?.(msg);
      return;
    }
    if (typeof json === 'object' && json !== null) this.onNotice?.(json as Record<string, unknown>);
  }
}
