/**
 * Exact frame framing on a raw-video pipe: chunks are copied once into a preallocated frame buffer; a
 * full buffer is handed over (zero further copies) and the next one is allocated lazily, so at most one
 * partial frame is held whatever the chunk boundaries are.
 */
export class FrameAssembler {
  private buf: Buffer | undefined;
  private filled = 0;

  /** @param frameBytes bytes per frame (width*height*3 for rgb24) */
  constructor(
    readonly frameBytes: number,
    private readonly onFrame: (data: Uint8Array) => void,
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
  }

  /** Bytes of the frame being assembled. */
  get partialBytes(): number {
    return this.filled;
  }

  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const buf = (this.buf ??= Buffer.allocUnsafeSlow(this.frameBytes));
      const n = Math.min(this.frameBytes - this.filled, chunk.length - off);
      buf.set(chunk.subarray(off, off + n), this.filled);
      this.filled += n;
      off += n;
      if (this.filled === this.frameBytes) {
        this.buf = undefined;
        this.filled = 0;
        this.onFrame(new Uint8Array(buf.buffer, buf.byteOffset, this.frameBytes));
      }
    }
  }

  /** Drops a partial frame (after a restart). */
  reset(): void {
    this.buf = undefined;
    this.filled = 0;
  }
}
