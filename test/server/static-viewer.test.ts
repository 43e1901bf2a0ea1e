/**
 * The server serves the built web viewer (web-viewer/dist) at `/` from its own origin: index.html, hashed
 * assets with their content type and long-lived caching, HEAD, ETag revalidation, no way out of dist; and
 * the minimal built-in page when there is no build. Real servers on 127.0.0.1:0 (no cameras).
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VIEWER_PAGE } from '../../src/server/viewer-page.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ensureViewerBuilt, viewerDist } from '../helpers/viewer-dist.js';

/** A GET with the request target sent exactly as given (fetch would normalise `..` away). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server: the built web viewer at /', function () {
  this.timeout(240_000);
  let srv: TestServer;
  let bare: TestServer;
  let emptyDist: string;

  before(async function () {
    this.timeout(240_000);
    await ensureViewerBuilt();
    srv = await startTestServer();
    emptyDist = mkdtempSync(join(tmpdir(), 'no-viewer-'));
    bare = await startTestServer({}, { viewerDist: emptyDist });
  });

  after(async function () {
    this.timeout(60_000);
    await srv?.close();
    await bare?.close();
    if (emptyDist) rmSync(emptyDist, { recursive: true, force: true });
  });

  it('GET / is the built index.html; its module script loads as JavaScript with immutable caching', async () => {
    const res = await fetch(`${srv.base}/`);
    const html = await res.text();
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).to.equal('no-cache');
    expect(html).to.equal(readFileSync(join(viewerDist, 'index.html'), 'utf8'));
    const script = /<script type="module"[^>]*src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, 'module script under ./assets/').to.be.a('string');
    const js = await fetch(`${srv.base}/${script}`);
    expect(js.status).to.equal(200);
    expect(js.headers.get('content-type')).to.match(/^text\/javascript/);
    expect(js.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    const body = Buffer.from(await js.arrayBuffer());
    expect(body.equals(readFileSync(join(viewerDist, script!)))).to.equal(true);
    expect(Number(js.headers.get('content-length'))).to.equal(body.length);
    const css = /href="\.\/(assets\/[^"]+\.css)"/.exec(html)?.[1];
    if (css) expect((await fetch(`${srv.base}/${css}`)).headers.get('content-type')).to.equal('text/css; charset=utf-8');
  });

  it('HEAD answers the headers without a body; a matching If-None-Match is 304', async () => {
    const get = await fetch(`${srv.base}/`);
    await get.arrayBuffer();
    const head = await fetch(`${srv.base}/`, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers.get('content-length')).to.equal(get.headers.get('content-length'));
    expect((await head.arrayBuffer()).byteLength).to.equal(0);
    const etag = get.headers.get('etag');
    expect(etag).to.match(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await fetch(`${srv.base}/`, { headers: { 'if-none-match': etag! } });
    expect(again.status).to.equal(304);
  });

  it('refuses paths out of dist (400/404, never the file) and 404s unknown files; the API keeps its JSON 404', async () => {
    for (const path of ['/..%2f..%2fetc/passwd', '/assets/../../package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/package.json', '/assets/%5c..%5c..%5cpackage.json', '/%00']) {
      const res = await rawGet(srv.base, path);
      expect(res.status, path).to.be.oneOf([400, 404]);
      expect(res.body, path).to.not.match(/root:|"name": "panoptic-stream"/);
    }
    expect((await rawGet(srv.base, '/..%2f..%2fetc/passwd')).status).to.equal(400);
    expect((await fetch(`${srv.base}/nope.html`)).status).to.equal(404);
    expect((await fetch(`${srv.base}/assets/index-missing.js`)).status).to.equal(404);
    const api = await fetch(`${srv.base}/api/nope`);
    expect(api.status).to.equal(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).to.equal('ERR_NOT_FOUND');
    expect((await fetch(`${srv.base}/`, { method: 'POST' })).status).to.equal(404);
  });

  it('without a build, / is the minimal built-in page and assets are 404', async () => {
    const res = await fetch(`${bare.base}/`);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.equal(VIEWER_PAGE);
    expect(bare.app.server.viewer).to.equal(undefined);
    expect((await fetch(`${bare.base}/assets/index.js`)).status).to.equal(404);
  });
});
