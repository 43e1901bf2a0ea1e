/**
 * One FFmpeg child of a frame source: spawns it, frames its raw pipes (main on fd 1, scaled on fd 3,
 * paired in order), forwards byte counts and stderr lines, and stops it SIGINT → SIGTERM → SIGKILL.
 * A new run is created for each (re)start; the {@link FrameSource} owns the policy.
 */
import type { Readable } from 'node:stream';
import { StderrTail, spawnTool, stopChild, type ExitInfo, type SpawnedChild } from './child-process.js';
import { FrameAssembler } from './frame-assembler.js';
import { parseGraphInputSize, type OutputPlan } from './ffmpeg-args.js';
import type { Size } from './types.js';

export interface RunHandlers {
  onFrame(main: Uint8Array, scaled: Uint8Array | undefined): void;
  onBytes(n: number): void;
  onInputSize(size: Size): void;
  onStderrLine(line: string): void;
}

/** Frames of one pipe may run ahead of the other by at most this many before the oldest is discarded. */
const MAX_UNPAIRED = 4;

export class FfmpegRun {
  private readonly spawned: SpawnedChild;
  private readonly stderr: StderrTail;
  private readonly pipes: Readable[] = [];
  private readonly mainQ: Uint8Array[] = [];
  private readonly scaledQ: Uint8Array[] = [];
  readonly startedAtMs = Date.now();
  /** Resolves when the child has exited and its pipes are drained. */
  readonly exited: Promise<ExitInfo & { spawnError?: Error }>;

  constructor(ffmpegPath: string, args: string[], plan: OutputPlan, private readonly h: RunHandlers) {
    this.stderr = new StderrTail(20, (line) => {
      const size = parseGraphInputSize(line);
      if (size) h.onInputSize(size);
      h.onStderrLine(line);
    });
    this.spawned = spawnTool(ffmpegPath, args, plan.scaled ? 2 : 0);
    const { child } = this.spawned;
    const main = new FrameAssembler(plan.main.width * plan.main.height * 3, (f) => this.pair(f, undefined));
    this.attach(child.stdout!, main);
    if (plan.scaled) this.attach(child.stdio[3] as Readable, new FrameAssembler(plan.scaled.width * plan.scaled.height * 3, (f) => this.pair(undefined, f)));
    child.stderr!.on('data', (c: Buffer) => this.stderr.push(c));
    const ended = (s: Readable): Promise<void> => new Promise((r) => (s.readableEnded || s.destroyed ? r() : (s.once('end', r), s.once('close', r))));
    this.exited = this.spawned.exited.then(async (info) => {
      // Let the pipes deliver what FFmpeg wrote before exiting (the last frames of a file).
      if (!info.spawnError) await Promise.race([Promise.all([...this.pipes, child.stderr!].map(ended)), new Promise((r) => setTimeout(r, 1000))]);
      this.stderr.flush();
      this.mainQ.length = 0;
      this.scaledQ.length = 0;
      return info;
    });
  }

  get pid(): number | undefined {
    return this.spawned.child.pid;
  }

  private attach(stream: Readable, asm: FrameAssembler): void {
    this.pipes.push(stream);
    stream.on('data', (c: Buffer) => {
      this.h.onBytes(c.length);
      asm.push(c);
    });
    stream.on('error', () => {
      // EPIPE/ECONNRESET on a dying child: the exit handler reports the outcome.
    });
  }

  private pair(main: Uint8Array | undefined, scaled: Uint8Array | undefined): void {
    if (this.pipes.length === 1) {
      this.h.onFrame(main!, undefined);
      return;
    }
    if (main) this.mainQ.push(main);
    if (scaled) this.scaledQ.push(scaled);
    while (this.mainQ.length && this.scaledQ.length) this.h.onFrame(this.mainQ.shift()!, this.scaledQ.shift());
    if (this.mainQ.length > MAX_UNPAIRED) this.mainQ.shift();
    if (this.scaledQ.length > MAX_UNPAIRED) this.scaledQ.shift();
  }

  /** Stops reading (FFmpeg blocks on its pipe write: our back-pressure, not a silent camera). */
  pause(): void {
    for (const p of this.pipes) p.pause();
  }
  resume(): void {
    for (const p of this.pipes) p.resume();
  }

  tail(): string[] {
    return this.stderr.tail();
  }

  /** SIGINT → SIGTERM → SIGKILL, `graceMs` apart; resolves on the real exit. */
  async stop(graceMs: number): Promise<ExitInfo> {
    // Keep draining while FFmpeg shuts down so it never blocks on a full pipe instead of exiting.
    this.resume();
    const info = await stopChild(this.spawned, graceMs);
    await this.exited;
    return info;
  }
}
