/** Process inspection via /proc: the descendants of this Node process (to prove no FFmpeg is left behind). */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** R, S, D, Z (zombie), ... */
  state: string;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const [state, ppid] = s.slice(close + 2).split(' ');
    return { pid, ppid: Number(ppid), comm, state: state! };
  } catch {
    return undefined;
  }
}

/** All live descendants (children, grandchildren, ...) of `root` (default: this process). Zombies included. */
export function descendants(root = process.pid): ProcInfo[] {
  const all: ProcInfo[] = [];
  for (const d of readdirSync('/proc')) if (/^\d+$/.test(d)) {
    const p = readStat(Number(d));
    if (p) all.push(p);
  }
  const out: ProcInfo[] = [];
  const frontier = [root];
  while (frontier.length) {
    const parent = frontier.pop()!;
    for (const p of all) if (p.ppid === parent) {
      out.push(p);
      frontier.push(p.pid);
    }
  }
  return out;
}

/** FFmpeg/ffprobe descendants of this process. */
export function ffmpegDescendants(): ProcInfo[] {
  return descendants().filter((p) => /^ff(mpeg|probe)/.test(p.comm));
}

/** Waits (polling) until no FFmpeg descendant is left, up to `timeoutMs`; returns what is left. */
export async function waitNoFfmpeg(timeoutMs = 5000): Promise<ProcInfo[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = ffmpegDescendants();
    if (!left.length || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
