/**
 * Every FFmpeg/ffprobe child we spawn is registered here; when the Node process exits (normally, on an
 * uncaught error, or on SIGINT/SIGTERM/SIGHUP) the survivors get SIGKILL so no orphan outlives us.
 * (If Node itself is SIGKILLed, FFmpeg dies on its own: its next write to the closed stdout pipe fails.)
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  // Another handler (e.g. the CLI) shuts down gracefully and closes its sources; 'exit' catches leftovers.
  if (process.listenerCount(sig) > 1) return;
  // Nobody else handles it: kill the children, then restore the default behaviour (terminate).
  killAll();
  process.off(sig, onSignal);
  process.kill(process.pid, sig);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
}

/** Tracks a child until it exits. */
export function registerChild(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => {
    if (child.exitCode !== null || child.pid === undefined) children.delete(child);
  });
}

/** Pids of live registered children (tests and diagnostics). */
export function liveChildPids(): number[] {
  return [...children].filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined).map((c) => c.pid!);
}
