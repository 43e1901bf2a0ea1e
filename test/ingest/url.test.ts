import { expect } from 'chai';
import { ConfigError } from '../../src/core/errors.js';
import { buildFfmpegArgs, parseGraphInputSize } from '../../src/ingest/ffmpeg-args.js';
import { FrameAssembler } from '../../src/ingest/frame-assembler.js';
import { backoffDelayMs, buildInputArgs, classifyStderr, parseSourceUrl, resolveRetryPolicy, SourceErrorCode } from '../../src/ingest/index.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const whitelist = (args: string[]): string => args[args.indexOf('-protocol_whitelist') + 1]!;

describe('ingest/url: allow-list and FFmpeg input args', () => {
  it('refuses unsupported schemes and garbage with a ConfigError naming `url` and the redacted value', () => {
    for (const bad of ['javascript:alert(1)', 'concat:/etc/passwd|/etc/hosts', 'data:video/mp4;base64,AAAA', 'pipe:0', 'subfile:,,start,0,end,1,,:/etc/passwd', 'gopher://x/1', 'ftp://u:pw@h/x.mp4']) {
      const e = configError(() => parseSourceUrl(bad));
      expect(e.field, bad).to.equal('url');
      expect(e.message, bad).to.match(/unsupported scheme/);
    }
    for (const bad of ['', '   ', 'rtsp://', 'http//x', '://nohost', 'rtsp://[::1', 'a\nb', ' rtsp://h/x']) {
      const e = configError(() => parseSourceUrl(bad));
      expect(e.field, JSON.stringify(bad)).to.equal('url');
    }
    const e = configError(() => parseSourceUrl('ftp://admin:hunter2@cam/x'));
    expect(e.message).to.not.include('hunter2');
    expect(e.message).to.include('ftp://admin:***@cam/x');
    expect(configError(() => parseSourceUrl(42)).field).to.equal('url');
  });

  it('builds per-scheme input args: rtsp over TCP by default, UDP on request, timeouts in µs, restricted whitelists', () => {
    const rtsp = buildInputArgs(parseSourceUrl('rtsp://u:p@127.0.0.1:8554/cam'), { ioTimeoutMs: 3000 });
    expect(rtsp.slice(0, 4)).to.deep.equal(['-rtsp_transport', 'tcp', '-timeout', '3000000']);
    expect(whitelist(rtsp)).to.equal('rtsp,rtp,udp,tcp');
    expect(buildInputArgs(parseSourceUrl('rtsp://h/x'), { transport: 'udp' })).to.include.members(['udp']);
    const hls = buildInputArgs(parseSourceUrl('https://h/live/index.m3u8'));
    expect(whitelist(hls)).to.equal('http,https,tcp,tls,crypto');
    expect(whitelist(hls)).to.not.include('file');
    expect(whitelist(buildInputArgs(parseSourceUrl('https://h/live/index.m3u8'), { extraProtocols: ['file'] }))).to.include('file');
    expect(buildInputArgs(parseSourceUrl('http://h/v.mp4'))).to.include.members(['-rw_timeout', '5000000']);
    expect(whitelist(buildInputArgs(parseSourceUrl('rtmp://h/app/key')))).to.equal('rtmp,tcp');
    expect(() => buildInputArgs(parseSourceUrl('rtsp://h/x'), { extraProtocols: ['file,concat'] })).to.throw(ConfigError);
  });

  it('turns paths into file: inputs (never another protocol), loops and paces files, and refuses looping network sources', () => {
    const spec = parseSourceUrl('/videos/a.mp4');
    expect(spec.kind).to.equal('file');
    expect(spec.ffmpegInput).to.equal('file:/videos/a.mp4');
    expect(parseSourceUrl('file:///videos/a.mp4').ffmpegInput).to.equal('file:/videos/a.mp4');
    expect(parseSourceUrl('rel/dir/a.mp4').ffmpegInput).to.equal(`file:${process.cwd()}/rel/dir/a.mp4`);
    const looped = buildInputArgs(spec, { loop: true });
    expect(looped.slice(0, 3)).to.deep.equal(['-re', '-stream_loop', '-1']);
    expect(whitelist(looped)).to.equal('file');
    expect(buildInputArgs(spec, {})).to.not.include('-re');
    expect(buildInputArgs(spec, { realtime: true })).to.include('-re');
    expect(configError(() => buildInputArgs(parseSourceUrl('rtsp://h/x'), { loop: true })).field).to.equal('loop');
    expect(parseSourceUrl('/dev/video2').kind).to.equal('device');
    expect(buildInputArgs(parseSourceUrl('/dev/video2'))).to.include.ordered.members(['-f', 'v4l2']);
  });

  it('parses the synthetic source and validates its parameters', () => {
    const s = parseSourceUrl('testsrc://?size=640x360&rate=10');
    expect(s.kind).to.equal('synthetic');
    expect(s.synthetic).to.deep.equal({ pattern: 'testsrc2', width: 640, height: 360, rate: 10 });
    expect(buildInputArgs(s)).to.deep.equal(['-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=10']);
    expect(parseSourceUrl('testsrc:').synthetic?.width).to.equal(640);
    expect(configError(() => parseSourceUrl('testsrc://?size=abc')).field).to.equal('url.size');
    expect(configError(() => parseSourceUrl('testsrc://?rate=0')).field).to.equal('url.rate');
    expect(configError(() => parseSourceUrl('testsrc://movie?size=64x64')).field).to.equal('url.pattern');
    expect(configError(() => parseSourceUrl('testsrc://?size=64x64&filename=/etc/passwd')).field).to.equal('url.filename');
  });

  it('builds the output graph: explicit scale, optional split to pipe:3, drop-only fps cap', () => {
    const args = buildFfmpegArgs(parseSourceUrl('/v.mp4'), {}, { main: { width: 320, height: 240 }, scaled: { width: 64, height: 48 }, maxFps: 5 });
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).to.match(/^\[0:v:0\]select=.*split=2\[a\]\[b\];\[a\]scale=320:240.*\[o1\];\[b\]scale=64:48.*\[o2\]$/);
    expect(args).to.include('pipe:1').and.include('pipe:3');
    expect(parseGraphInputSize('[graph 0 input from stream 0:0 @ 0x55] w:160 h:120 pixfmt:yuv420p tb:1/90000')).to.deep.equal({ width: 160, height: 120 });
    expect(parseGraphInputSize('[h264 @ 0x1] Reinit context to 160x128')).to.equal(undefined);
  });
});

describe('ingest: retry policy, framing, stderr classification', () => {
  it('backs off exponentially with bounded jitter and validates the policy', () => {
    const p = resolveRetryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, backoffFactor: 2, jitterRatio: 0.2 });
    expect(p.maxRetries).to.equal(Infinity);
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, p, () => 0.5))).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
    // jitter: ±20 % (random 0 → -20 %, random 1 → +20 %, capped at maxDelayMs)
    expect(backoffDelayMs(2, p, () => 0)).to.equal(160);
    expect(backoffDelayMs(2, p, () => 1)).to.equal(240);
    expect(backoffDelayMs(9, p, () => 1)).to.equal(1000);
    expect(configError(() => resolveRetryPolicy({ jitterRatio: 2 })).field).to.equal('retry.jitterRatio');
    expect(configError(() => resolveRetryPolicy({ maxRetries: -1 })).field).to.equal('retry.maxRetries');
  });

  it('frames a raw pipe exactly whatever the chunk boundaries, one buffer per frame', () => {
    const frameBytes = 7 * 5 * 3;
    const total = frameBytes * 4 + 11;
    const stream = new Uint8Array(total).map((_, i) => i % 251);
    for (const chunk of [1, 7, frameBytes - 1, frameBytes, frameBytes + 1, 1000]) {
      const frames: Uint8Array[] = [];
      const asm = new FrameAssembler(frameBytes, (f) => frames.push(f));
      for (let off = 0; off < total; off += chunk) asm.push(stream.subarray(off, off + chunk));
      expect(frames.length, `chunk ${chunk}`).to.equal(4);
      expect(asm.partialBytes).to.equal(11);
      frames.forEach((f, i) => expect(Buffer.from(f).equals(Buffer.from(stream.subarray(i * frameBytes, (i + 1) * frameBytes)))).to.equal(true));
      expect(new Set(frames.map((f) => f.buffer)).size).to.equal(4);
    }
  });

  it('maps FFmpeg stderr to stable codes', () => {
    const c = (line: string, kind: 'rtsp' | 'file' = 'rtsp'): string => classifyStderr([line], { kind }).code;
    expect(c('[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found')).to.equal(SourceErrorCode.NOT_FOUND_REMOTE);
    expect(c('rtsp://a:***@h/x: Server returned 401 Unauthorized (authorization failed)')).to.equal(SourceErrorCode.UNAUTHORIZED);
    expect(c('Connection to tcp://127.0.0.1:1?timeout=0 failed: Connection refused')).to.equal(SourceErrorCode.REFUSED);
    expect(c('/x.mp4: No such file or directory', 'file')).to.equal(SourceErrorCode.NOT_FOUND);
    expect(c('/tmp: Is a directory', 'file')).to.equal(SourceErrorCode.IS_DIRECTORY);
    expect(c('x.txt: Invalid data found when processing input', 'file')).to.equal(SourceErrorCode.INVALID_DATA);
    expect(c('Protocol \'file\' not on whitelist \'http,https\'!')).to.equal(SourceErrorCode.PROTOCOL_FORBIDDEN);
    expect(classifyStderr(['rtsp://h/x: Invalid data found when processing input'], { kind: 'rtsp', elapsedMs: 2000, ioTimeoutMs: 2000 }).code).to.equal(SourceErrorCode.TIMEOUT);
  });
});
