/**
 * Idempotent lifecycle: `close()` may be called any number of times, from anywhere, and always
 * returns the same promise; after it starts, `closed` is true and `signal` is aborted so loops stop.
 */
import { ClosedError } from './errors.js';

export abstract class Closeable {
  private closing?: Promise<void>;
  private readonly ctl = new AbortController();

  /** Aborted as soon as close() is called. Pass it to every loop, sleep and child the object owns. */
  get signal(): AbortSignal {
    return this.ctl.signal;
  }
  get closed(): boolean {
    return this.closing !== undefined;
  }
  /** Throws {@link ClosedError} when closed; call at the top of public methods. */
  protected assertOpen(what = this.constructor.name): void {
    if (this.closing) throw new ClosedError(what);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.ctl.abort(new ClosedError(this.constructor.name));
      this.closing = Promise.resolve().then(() => this.onClose());
    }
    return this.closing;
  }

  /** Releases resources. Called once. */
  protected abstract onClose(): Promise<void>;
}
