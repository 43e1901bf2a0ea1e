/** Small helpers shared by the ingest tests: collect frames, wait for states, capture everything emitted. */
import { firstValueFrom, take, toArray, timeout } from 'rxjs';
import type { Frame } from '../../src/core/types.js';
import type { FrameSource, SourceState, StateEvent } from '../../src/ingest/index.js';
import type { PanopticError } from '../../src/core/errors.js';

export function collect(source: FrameSource, n: number, timeoutMs = 20_000): Promise<Frame[]> {
  return firstValueFrom(source.frames$.pipe(take(n), toArray(), timeout(timeoutMs)));
}

export interface Recorder {
  states: StateEvent[];
  errors: PanopticError[];
  waitFor(state: SourceState, timeoutMs: number): Promise<StateEvent>;
}

/** Records every state/error event; `waitFor` resolves on the first matching state from now (or already seen if `fromStart`). */
export function record(source: FrameSource): Recorder {
  const states: StateEvent[] = [];
  const errors: PanopticError[] = [];
  const waiters: { state: SourceState; resolve(e: StateEvent): void }[] = [];
  source.on('state', (e) => {
    states.push(e);
    for (const w of waiters.filter((x) => x.state === e.state)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  source.on('error', (e) => errors.push(e));
  return {
    states,
    errors,
    waitFor: (state, timeoutMs) =>
      new Promise<StateEvent>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no "${state}" within ${timeoutMs} ms; states: ${states.map((s) => `${s.state}(${s.reason})`).join(' → ')}`)), timeoutMs);
        waiters.push({ state, resolve: (e) => (clearTimeout(t), resolve(e)) });
      }),
  };
}

/** Mean of a channel over an RGB24 buffer (coarse image comparison). */
export function meanRgb(data: Uint8Array): [number, number, number] {
  const s = [0, 0, 0];
  for (let i = 0; i < data.length; i += 3) {
    s[0] += data[i]!;
    s[1] += data[i + 1]!;
    s[2] += data[i + 2]!;
  }
  const n = data.length / 3;
  return [s[0]! / n, s[1]! / n, s[2]! / n];
}
