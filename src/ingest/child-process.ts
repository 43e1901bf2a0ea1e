/**
 * Spawning and stopping FFmpeg-family children: argument arrays only (never a shell), registered for
 * kill-on-exit, stderr kept as a redacted ring of lines, and a stop that escalates
 * SIGINT → SIGTERM → SIGKILL and resolves only on the real exit.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { redactText } from '../core/redact.js';
import { registerChild } from './process-registry.js';

/** Keeps the last `max` stderr lines (redacted) and feeds each line to `onLine`. */
export class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(
    private readonly max = 20,
    private readonly onLine?: (line: string) => void,
  ) {}
  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r\n|\n|\r/);
    this.partial = parts.pop() ?? '';
    if (this.partial.length > 4096) {
      parts.push(this.partial);
      this.partial = '';
    }
    for (const raw of parts) {
      if (!raw.trim()) continue;
      const line = redactText(raw.length > 500 ? raw.slice(0, 500) + '…' : raw);
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
      this.onLine?.(line);
    }
  }
  flush(): void {
    if (this.partial) this.push('\n');
  }
  tail(): string[] {
    return [...this.lines];
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedChild {
  child: ChildProcess;
  /** Resolves on exit (or on spawn failure, with code null and `spawnError`). */
  exited: Promise<ExitInfo & { spawnError?: Error }>;
}

/** Spawns `file args` with no shell, detached: false, stdin ignored, and `extraFds` more output pipes. */
export function spawnTool(file: string, args: string[], extraFds = 0): SpawnedChild {
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...Array<'pipe'>(extraFds).fill('pipe')];
  const child = spawn(file, args, { stdio, shell: false, detached: false, windowsHide: true });
  registerChild(child);
  const exited = new Promise<ExitInfo & { spawnError?: Error }>((resolve) => {
    child.once('error', (err) => {
      // 'error' without a pid means the spawn itself failed (ENOENT, EACCES); otherwise 'exit' follows.
      if (child.pid === undefined) resolve({ code: null, signal: null, spawnError: err });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited };
}

/**
 * Stops a child: SIGINT (FFmpeg finishes cleanly), then SIGTERM, then SIGKILL, waiting `graceMs` after each.
 * Resolves when the process has really exited. Idempotent.
 */
export async function stopChild(s: SpawnedChild, graceMs = 2000): Promise<ExitInfo> {
  const { child, exited } = s;
  const alive = (): boolean => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    if (!alive()) break;
    try {
      child.kill(sig);
    } catch {
      break;
    }
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), sig === 'SIGKILL' ? 10_000 : graceMs)))]);
    clearTimeout(timer);
    if (done) break;
  }
  const info = await exited;
  return { code: info.code, signal: info.signal };
}
