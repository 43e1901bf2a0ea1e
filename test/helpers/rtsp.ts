/**
 * Starts/stops the loopback GStreamer RTSP server (test/helpers/rtsp-server.py, run with /usr/bin/python3
 * which has the gi bindings). Restartable on the same port for recovery tests; `stop()` awaits the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RtspServerOptions {
  file: string;
  path?: string;
  port?: number;
  user?: string;
  password?: string;
}

export class RtspTestServer {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private constructor(
    readonly port: number,
    readonly path: string,
    private readonly opts: RtspServerOptions,
  ) {}

  static async start(opts: RtspServerOptions): Promise<RtspTestServer> {
    const s = new RtspTestServer(opts.port ?? (await freePort()), opts.path ?? '/cam', opts);
    await s.start();
    return s;
  }

  /** `rtsp://[user:pass@]127.0.0.1:PORT/PATH` (`path` overrides the mount path). */
  url(auth?: { user: string; password: string }, path = this.path): string {
    return `rtsp://${auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : ''}127.0.0.1:${this.port}${path}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** (Re)starts the server on the same port; resolves on "READY". Retries briefly if the port is in TIME_WAIT. */
  async start(): Promise<void> {
    if (this.running) return;
    let lastErr = '';
    for (let i = 0; i < 20; i++) {
      const args = [join(repoRoot, 'test', 'helpers', 'rtsp-server.py'), '--port', String(this.port), '--path', this.path, '--file', this.opts.file];
      if (this.opts.user !== undefined) args.push('--user', this.opts.user, '--password', this.opts.password ?? '');
      const child = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      this.exited = new Promise((r) => child.once('exit', () => r()));
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const ok = await new Promise<boolean>((resolve) => {
        let out = '';
        const timer = setTimeout(() => resolve(false), 15_000);
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('READY')) {
            clearTimeout(timer);
            resolve(true);
          }
          if (out.includes('ERROR')) {
            clearTimeout(timer);
            resolve(false);
          }
        });
        child.once('exit', () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (ok) return;
      lastErr = stderr;
      await this.stop();
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`RTSP test server did not start on port ${this.port}: ${lastErr}`);
  }

  /** Sends a signal (e.g. SIGSTOP/SIGCONT to freeze the server with its connections open). */
  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child!.kill(sig);
  }

  /** SIGTERM (SIGKILL after 3 s) and await the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(t);
    }
    this.child = undefined;
  }
}
