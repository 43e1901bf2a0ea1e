import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownloadError, downloadFile, type DownloadProgress } from '../../src/model/download.js';
import { sharedModelPath } from '../helpers/fixtures.js';
import { closedPort, ModelFileServer } from './model-file-server.js';

const NAME = 'cityscapes_deeplab_edgetpu_slim_qdq.onnx';

async function expectDownloadError(p: Promise<unknown>, code: string, re: RegExp): Promise<DownloadError> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(DownloadError);
    expect((err as DownloadError).code).to.equal(code);
    expect((err as Error).message).to.match(re);
    return err as DownloadError;
  }
  return expect.fail(`expected ${code}`);
}

describe('model/download (real HTTP server on 127.0.0.1)', () => {
  let body: Buffer;
  let sha: string;
  let server: ModelFileServer;
  let dir: string;

  before(async () => {
    body = readFileSync(sharedModelPath('deeplab-cityscapes-edgetpu', NAME)); // a real 2.1 MB ONNX file
    sha = createHash('sha256').update(body).digest('hex');
    server = await new ModelFileServer({ [NAME]: body }).start();
  });
  after(() => server.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ps-download-'));
    server.log.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('downloads a file with progress, verifies SHA-256 and renames atomically', async () => {
    const dest = join(dir, 'sub', NAME);
    const progress: DownloadProgress[] = [];
    const r = await downloadFile({ url: server.url('file', NAME), dest, sha256: sha, onProgress: (p) => progress.push({ ...p }) });
    expect(r).to.include({ path: dest, sha256: sha, bytes: body.length, resumed: false, attempts: 1 });
    expect(readFileSync(dest).equals(body)).to.equal(true);
    expect(existsSync(`${dest}.part`)).to.equal(false);
    expect(progress.length).to.be.greaterThan(1);
    expect(progress.at(-1)).to.deep.equal({ receivedBytes: body.length, totalBytes: body.length, resumedFromBytes: 0 });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.receivedBytes).to.be.greaterThan(progress[i - 1]!.receivedBytes);
  });

  it('follows redirects', async () => {
    const dest = join(dir, NAME);
    await downloadFile({ url: server.url('redirect', NAME), dest, sha256: sha });
    expect(readFileSync(dest).equals(body)).to.equal(true);
    expect(server.log.map((l) => l.path)).to.deep.equal([`/redirect/${NAME}`, `/file/${NAME}`]);
  });

  it('an interrupted download keeps its .part; the next run resumes it with a Range request', async () => {
    const dest = join(dir, NAME);
    const err = await expectDownloadError(downloadFile({ url: server.url('drop-once', NAME), dest, sha256: sha, retries: 0 }), 'ERR_DOWNLOAD_NETWORK', /connection closed after \d+ of 2157263 bytes/);
    const kept = statSync(`${dest}.part`).size;
    expect(kept).to.be.greaterThan(0).and.lessThan(body.length);
    expect(String(err.details.resumeHint)).to.match(/run again to resume/);
    expect(existsSync(dest)).to.equal(false);
    const progress: DownloadProgress[] = [];
    const r = await downloadFile({ url: server.url('drop-once', NAME), dest, sha256: sha, onProgress: (p) => progress.push(p) });
    expect(r.resumed).to.equal(true);
    expect(server.log[1]).to.deep.equal({ path: `/drop-once/${NAME}`, range: `bytes=${kept}-` });
    expect(progress[0]!.resumedFromBytes).to.equal(kept);
    expect(readFileSync(dest).equals(body)).to.equal(true);
  });

  it('retries a dropped connection by itself (resume within one call)', async () => {
    const dest = join(dir, 'again.onnx');
    // /drop-once drops only the first request per name, and a previous test used it: use a new server.
    const s2 = await new ModelFileServer({ [NAME]: body }).start();
    try {
      const r = await downloadFile({ url: s2.url('drop-once', NAME), dest, sha256: sha, retryDelayMs: 10 });
      expect(r).to.include({ resumed: true, attempts: 2 });
      expect(s2.log[1]!.range).to.match(/^bytes=\d+-$/);
      expect(readFileSync(dest).equals(body)).to.equal(true);
    } finally {
      await s2.close();
    }
  });

  it('a corrupted download fails naming expected and actual SHA-256 and leaves no file', async () => {
    const dest = join(dir, NAME);
    const bad = Buffer.from(body);
    bad[bad.length >> 1] = bad[bad.length >> 1]! ^ 0xff;
    const badSha = createHash('sha256').update(bad).digest('hex');
    const err = await expectDownloadError(downloadFile({ url: server.url('corrupt', NAME), dest, sha256: sha }), 'ERR_DOWNLOAD_CHECKSUM', new RegExp(`expected SHA-256 ${sha}, got ${badSha}`));
    expect(err.details).to.include({ expected: sha, actual: badSha });
    expect(existsSync(dest)).to.equal(false);
    expect(existsSync(`${dest}.part`)).to.equal(false);
  });

  it('a server announcing another size than expected fails before downloading the body', async () => {
    const dest = join(dir, NAME);
    await expectDownloadError(downloadFile({ url: server.url('file', NAME), dest, sha256: sha, expectedBytes: body.length + 1 }), 'ERR_DOWNLOAD_CHECKSUM', /serves 2157263 bytes but 2157264 are expected/);
    expect(existsSync(dest)).to.equal(false);
    expect(existsSync(`${dest}.part`)).to.equal(false);
  });

  it('a complete .part left behind is verified without downloading again (416)', async () => {
    const dest = join(dir, NAME);
    writeFileSync(`${dest}.part`, body);
    const r = await downloadFile({ url: server.url('file', NAME), dest, sha256: sha });
    expect(r.bytes).to.equal(body.length);
    expect(server.log).to.deep.equal([{ path: `/file/${NAME}`, range: `bytes=${body.length}-` }]);
  });

  it('HTTP 404 is a clear, non-retried error', async () => {
    const dest = join(dir, NAME);
    await expectDownloadError(downloadFile({ url: server.url('file', 'nope.onnx'), dest }), 'ERR_DOWNLOAD_HTTP', /HTTP 404 not found for http:\/\/127\.0\.0\.1:\d+\/file\/nope\.onnx/);
    expect(server.log.length).to.equal(1);
    expect(existsSync(dest)).to.equal(false);
  });

  it('connection refused and DNS failure are network errors naming the host', async () => {
    const port = await closedPort();
    await expectDownloadError(downloadFile({ url: `http://127.0.0.1:${port}/x.onnx`, dest: join(dir, 'x.onnx'), retries: 1, retryDelayMs: 10 }), 'ERR_DOWNLOAD_NETWORK', new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: connection refused .*ECONNREFUSED`));
    // `.invalid` is reserved (RFC 2606): never resolves, with or without network.
    await expectDownloadError(downloadFile({ url: 'http://models.example.invalid/x.onnx', dest: join(dir, 'x.onnx'), retries: 0 }), 'ERR_DOWNLOAD_NETWORK', /cannot reach models\.example\.invalid: .*(ENOTFOUND|EAI_AGAIN)/);
  });

  it('a server that never answers times out', async () => {
    await expectDownloadError(downloadFile({ url: server.url('hang', NAME), dest: join(dir, NAME), idleTimeoutMs: 300, retries: 0 }), 'ERR_DOWNLOAD_TIMEOUT', /no response from 127\.0\.0\.1:\d+ within 300 ms/);
  });

  it('disk errors name the path', async () => {
    writeFileSync(join(dir, 'afile'), 'x');
    await expectDownloadError(downloadFile({ url: server.url('file', NAME), dest: join(dir, 'afile', 'sub', NAME) }), 'ERR_DOWNLOAD_DISK', /cannot write .*afile.*not a directory \(ENOTDIR\)/);
  });

  it('aborting keeps the .part for a later resume', async () => {
    const dest = join(dir, NAME);
    const ctl = new AbortController();
    let aborted = false;
    const p = downloadFile({
      url: server.url('file', NAME),
      dest,
      sha256: sha,
      signal: ctl.signal,
      onProgress: (pr) => {
        if (!aborted && pr.receivedBytes > 100_000) {
          aborted = true;
          ctl.abort(new Error('user abort'));
        }
      },
    });
    let msg = '';
    await p.catch((e: Error) => (msg = e.message));
    expect(msg).to.equal('user abort');
    expect(existsSync(dest)).to.equal(false);
    const kept = statSync(`${dest}.part`).size;
    expect(kept).to.be.greaterThan(100_000);
    const r = await downloadFile({ url: server.url('file', NAME), dest, sha256: sha });
    expect(readFileSync(dest).equals(body)).to.equal(true);
    expect(r.resumed).to.equal(true);
    expect(server.log[1]!.range).to.equal(`bytes=${kept}-`);
  });
});
