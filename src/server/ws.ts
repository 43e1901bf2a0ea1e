/**
 * WebSocket `/ws`: clients subscribe to cameras and get segment JSON (optionally with masks) and,
 * optionally, annotated JPEG frames as binary messages.
 *
 * Newest-wins per client and camera: each (client, camera) has ONE pending slot. A new frame replaces
 * the pending one (counted as dropped); a slot is flushed only when the socket's `bufferedAmount` is
 * below `maxBufferedBytes` and the client's `maxRateFps` allows it. So a slow or paused client holds
 * at most one pending frame per camera plus one socket buffer's worth of bytes — never a queue.
 *
 * Protocol (docs/api.md): client → server `{type:'subscribe', cameras, masks?, frames?, maxRateFps?, view?}`,
 * `{type:'unsubscribe', cameras}`, `{type:'ping', id?}`; server → client `{type:'segments', ...}`,
 * `{type:'subscribed'|'unsubscribed', cameras}`, `{type:'state', cameraId, state, reason}`,
 * `{type:'removed', cameraId}`, `{type:'pong', id}`, `{type:'error', code, field, message}`;
 * binary frames = uint32 BE header length, header JSON `{cameraId, seq, view, width, height}`, JPEG bytes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import { problemsOf } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { ProcessedFrame, RenderMode } from '../streams/camera-pipeline.js';
import { CAMERA_ID, RenderModeSchema } from './config.js';
import type { ServerContext } from './context.js';

const log = createLogger('server:ws');

const SubscribeSchema = z.strictObject({
  type: z.literal('subscribe'),
  cameras: z.union([CAMERA_ID, z.array(CAMERA_ID).min(1)]),
  masks: z.boolean().default(false),
  frames: z.boolean().default(false),
  maxRateFps: z.number().positive().max(120).optional(),
  view: RenderModeSchema.optional(),
});
const UnsubscribeSchema = z.strictObject({ type: z.literal('unsubscribe'), cameras: z.union([CAMERA_ID, z.array(CAMERA_ID).min(1)]) });
const PingSchema = z.strictObject({ type: z.literal('ping'), id: z.union([z.string(), z.number()]).optional() });
const ClientMessage = z.discriminatedUnion('type', [SubscribeSchema, UnsubscribeSchema, PingSchema]);

export interface WsOptions {
  /** Pause sending to a client while its socket holds more than this many bytes (default 512 KiB). */
  maxBufferedBytes?: number;
  /** Heartbeat ping interval in ms; a client missing one pong is terminated (default 15000). */
  heartbeatMs?: number;
  /** Retry interval in ms while a client is back-pressured (default 25). */
  retryMs?: number;
}

interface Slot {
  readonly cameraId: string;
  masks: boolean;
  frames: boolean;
  view?: RenderMode;
  minIntervalMs: number;
  lastSentAtMs: number;
  pending?: ProcessedFrame;
  sending: boolean;
  timer?: NodeJS.Timeout;
  sub: Subscription;
  stateSub: Subscription;
  sent: number;
  dropped: number;
}

class Client {
  readonly slots = new Map<string, Slot>();
  alive = true;
  maxBufferedSeen = 0;
  constructor(
    readonly ws: WebSocket,
    readonly id: number,
  ) {}
}

export class WsTransport {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private nextId = 1;
  private readonly maxBuffered: number;
  private readonly retryMs: number;

  constructor(
    private readonly ctx: ServerContext,
    opts: WsOptions = {},
  ) {
    this.maxBuffered = opts.maxBufferedBytes ?? 512 * 1024;
    this.retryMs = opts.retryMs ?? 25;
    this.heartbeat = setInterval(() => this.beat(), opts.heartbeatMs ?? 15000);
    this.heartbeat.unref();
    ctx.pipeline.on('removed', ({ id }) => {
      for (const c of this.clients) if (c.slots.has(id)) {
        this.dropSlot(c, id);
        this.send(c, { type: 'removed', cameraId: id });
      }
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    const c = new Client(ws, this.nextId++);
    this.clients.add(c);
    ws.on('pong', () => (c.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('close', () => this.forget(c));
    ws.on('error', (err) => log.debug('client error', { client: c.id, error: err.message }));
    this.send(c, { type: 'hello', version: 1, cameras: this.ctx.pipeline.list().map(({ spec }) => spec.id) });
  }

  private onMessage(c: Client, data: RawData, isBinary: boolean): void {
    let value: unknown;
    try {
      if (isBinary) throw new Error('binary messages are not accepted');
      value = JSON.parse((data as Buffer).toString('utf8'));
    } catch (err) {
      this.send(c, { type: 'error', code: 'ERR_VALIDATION', field: 'message', message: `not a JSON text message: ${errorMessage(err)}` });
      return;
    }
    const res = ClientMessage.safeParse(value);
    if (!res.success) {
      const p = problemsOf(res.error, value, 'message')[0]!;
      this.send(c, { type: 'error', code: 'ERR_VALIDATION', field: p.field, message: p.message });
      return;
    }
    const msg = res.data;
    if (msg.type === 'ping') {
      this.send(c, { type: 'pong', ...(msg.id !== undefined ? { id: msg.id } : {}), timeMs: Date.now() });
      return;
    }
    const ids = Array.isArray(msg.cameras) ? msg.cameras : [msg.cameras];
    if (msg.type === 'unsubscribe') {
      for (const id of ids) this.dropSlot(c, id);
      this.send(c, { type: 'unsubscribed', cameras: ids });
      return;
    }
    const unknown = ids.filter((id) => !this.ctx.pipeline.get(id));
    if (unknown.length) {
      this.send(c, { type: 'error', code: 'ERR_CAMERA_NOT_FOUND', field: 'message.cameras', message: `unknown camera(s): ${unknown.join(', ')}` });
      return;
    }
    for (const id of ids) this.subscribe(c, id, msg);
    this.send(c, { type: 'subscribed', cameras: ids, masks: msg.masks, frames: msg.frames, ...(msg.maxRateFps ? { maxRateFps: msg.maxRateFps } : {}) });
  }

  private subscribe(c: Client, id: string, msg: z.output<typeof SubscribeSchema>): void {
    const pipe = this.ctx.pipeline.get(id)!;
    const existing = c.slots.get(id);
    const settings = { masks: msg.masks, frames: msg.frames, view: msg.view, minIntervalMs: msg.maxRateFps ? 1000 / msg.maxRateFps : 0 };
    if (existing) {
      Object.assign(existing, settings);
      return;
    }
    const slot: Slot = {
      cameraId: id,
      ...settings,
      lastSentAtMs: 0,
      sending: false,
      sent: 0,
      dropped: 0,
      sub: pipe.output$.subscribe((p) => this.offer(c, slot, p)),
      stateSub: pipe.state$.subscribe((e) => this.send(c, { type: 'state', cameraId: id, state: e.state, ...(e.reason ? { reason: e.reason } : {}) })),
    };
    c.slots.set(id, slot);
    if (pipe.latest) this.offer(c, slot, pipe.latest);
  }

  /** Newest-wins: replace the pending frame (counting the drop) and try to flush. */
  private offer(c: Client, slot: Slot, p: ProcessedFrame): void {
    if (slot.pending) {
      slot.dropped++;
      this.ctx.metrics.wsDropped.inc({ camera: slot.cameraId });
    }
    slot.pending = p;
    this.flush(c, slot);
  }

  private flush(c: Client, slot: Slot): void {
    if (slot.sending || !slot.pending || slot.timer || c.ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    const wait = slot.lastSentAtMs + slot.minIntervalMs - now;
    const buffered = c.ws.bufferedAmount;
    c.maxBufferedSeen = Math.max(c.maxBufferedSeen, buffered);
    if (wait > 0 || buffered > this.maxBuffered) {
      slot.timer = setTimeout(() => {
        slot.timer = undefined;
        this.flush(c, slot);
      }, Math.max(wait, this.retryMs));
      return;
    }
    const p = slot.pending;
    slot.pending = undefined;
    slot.lastSentAtMs = now;
    slot.sending = true;
    void this.deliver(c, slot, p).finally(() => {
      slot.sending = false;
      if (c.slots.get(slot.cameraId) === slot) this.flush(c, slot);
    });
  }

  private async deliver(c: Client, slot: Slot, p: ProcessedFrame): Promise<void> {
    try {
      const json = p.messageJson(slot.masks);
      c.ws.send(json);
      if (slot.frames) {
        const jpeg = await p.jpeg(slot.view);
        if (c.ws.readyState !== WebSocket.OPEN) return;
        const img = p.annotated(slot.view);
        const header = Buffer.from(JSON.stringify({ cameraId: p.cameraId, seq: p.meta.seq, view: slot.view ?? this.ctx.config.outputs.mode, width: img.width, height: img.height }));
        const len = Buffer.alloc(4);
        len.writeUInt32BE(header.length);
        c.ws.send(Buffer.concat([len, header, jpeg]), { binary: true });
      }
      slot.sent++;
    } catch (err) {
      log.warn('send failed', { client: c.id, camera: slot.cameraId, error: errorMessage(err) });
    }
  }

  private send(c: Client, msg: Record<string, unknown>): void {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify(msg));
  }

  private dropSlot(c: Client, id: string): void {
    const slot = c.slots.get(id);
    if (!slot) return;
    slot.sub.unsubscribe();
    slot.stateSub.unsubscribe();
    clearTimeout(slot.timer);
    slot.pending = undefined;
    c.slots.delete(id);
  }

  private forget(c: Client): void {
    for (const id of [...c.slots.keys()]) this.dropSlot(c, id);
    this.clients.delete(c);
  }

  private beat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  subscriberCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const c of this.clients) for (const id of c.slots.keys()) m.set(id, (m.get(id) ?? 0) + 1);
    return m;
  }

  /** Per-client delivery stats (tests and debugging): pending frames, bytes buffered, drops. */
  clientStats(): { id: number; bufferedAmount: number; maxBufferedSeen: number; cameras: { id: string; frames: boolean; pending: number; sent: number; dropped: number }[] }[] {
    return [...this.clients].map((c) => ({
      id: c.id,
      bufferedAmount: c.ws.bufferedAmount,
      maxBufferedSeen: c.maxBufferedSeen,
      cameras: [...c.slots.values()].map((s) => ({ id: s.cameraId, frames: s.frames, pending: s.pending ? 1 : 0, sent: s.sent, dropped: s.dropped })),
    }));
  }

  get maxBufferedBytes(): number {
    return this.maxBuffered;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const c of [...this.clients]) {
      this.forget(c);
      c.ws.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
