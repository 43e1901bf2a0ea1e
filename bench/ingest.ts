/** Ingest throughput: decode + frame the sample video as fast as possible (no pacing), per output size. */
import { FrameSource } from '../src/ingest/index.js';
import { SAMPLE_VIDEO } from '../test/helpers/fixtures.js';

export async function run(): Promise<void> {
  const rows: string[][] = [['output', 'frames', 'seconds', 'frames/s', 'MB/s']];
  for (const size of [undefined, { width: 384, height: 216 }]) {
    const s = new FrameSource({ cameraId: 'bench', url: SAMPLE_VIDEO(), ...(size ?? {}), ...(size ? {} : { scaled: { width: 384, height: 216 } }) });
    const t0 = performance.now();
    let n = 0;
    await new Promise<void>((resolve) => {
      s.frames$.subscribe({ next: () => void n++, complete: resolve });
      s.start();
    });
    const sec = (performance.now() - t0) / 1000;
    const st = s.stats();
    await s.close();
    rows.push([size ? `${size.width}x${size.height}` : `native ${st.width}x${st.height} + scaled 384x216`, String(n), sec.toFixed(2), (n / sec).toFixed(1), (st.bytesIn / sec / 1e6).toFixed(1)]);
  }
  console.log('ingest (sample video, unpaced)');
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(i === 0 ? 40 : 10)).join(''));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
