/**
 * The web viewer in headless Chromium against the real server (default model), fed by a real RTSP camera
 * (GStreamer on loopback, the sample video). The page comes from the server's own origin (it serves
 * web-viewer/dist at `/`; built here when missing or older than the viewer's sources). Screenshots go to
 * test-artifacts/e2e/.
 *
 * Timing: on 2 shared cores the default model processes about 1 frame per second, so every wait below is
 * generous (tens of seconds) but bounded; each one fails with a message naming what did not happen.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { artifactDir, SAMPLE_VIDEO } from '../helpers/fixtures.js';
import { RtspTestServer } from '../helpers/rtsp.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { ensureViewerBuilt } from '../helpers/viewer-dist.js';

const TOKEN = 'e2e-viewer-token';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

describe('web viewer (headless Chromium, real server, RTSP camera, default model)', function () {
  this.timeout(120_000);
  const shots = artifactDir('e2e');
  let rtsp: RtspTestServer;
  let server: TestServer;
  let viewerUrl: string;
  let userDir: string;
  let ctx: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  /** Console errors and uncaught exceptions of a page, as text (with the URL of failed loads). */
  function watch(p: Page, into: string[]): void {
    p.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') into.push(`console: ${m.text()} @ ${m.location().url}`);
    });
    p.on('pageerror', (e) => into.push(`pageerror: ${e.message}`));
  }

  /** Frames a tile's live video has shown (kept by the viewer in data-frames, updated every second). */
  const framesOf = (p: Page, cameraId: string): Promise<number> =>
    p.evaluate((id) => Number(document.querySelector(`.tile[data-camera="${id}"] .live-video`)?.getAttribute('data-frames') ?? -1), cameraId);

  before(async function () {
    this.timeout(150_000);
    await ensureViewerBuilt();
    rtsp = await RtspTestServer.start({ file: SAMPLE_VIDEO() });
    server = await startTestServer({ server: { token: TOKEN }, cameras: [{ id: 'lobby', name: 'Lobby', url: rtsp.url() }] });
    viewerUrl = `${server.base}/`;
    // The page opens once the camera has processed frames (as a user would find it), so the WebRTC first-frame
    // wait measures the transport, not the model's cold start.
    await waitFor('camera lobby processing frames', () => (server.app.pipeline.get('lobby')?.stats().processed ?? 0) >= 2, 90_000, 250);
    userDir = mkdtempSync(join(tmpdir(), 'viewer-e2e-'));
    ctx = await chromium.launchPersistentContext(userDir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    watch(page, problems);
  });

  after(async function () {
    this.timeout(60_000);
    await ctx?.close();
    await server?.close();
    await rtsp?.stop();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  it('loads without console errors and plays the camera over WebRTC (decoded frames keep increasing)', async () => {
    await page.goto(viewerUrl);
    const video = page.locator('.tile[data-camera="lobby"] video[data-transport="webrtc"]');
    await video.waitFor({ state: 'attached', timeout: 60_000 });
    const frames = (): Promise<number> => video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
    const first = await frames();
    await page.waitForFunction(
      (n) => ((document.querySelector('.tile[data-camera="lobby"] video') as HTMLVideoElement | null)?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > n,
      first + 2,
      { timeout: 40_000, polling: 500 },
    );
    expect(await frames()).to.be.greaterThan(first + 2);
    expect(await page.locator('.tile[data-camera="lobby"] .badge').innerText()).to.equal('streaming');
    await page.screenshot({ path: join(shots, 'grid-webrtc.png') });
    expect(problems, 'console errors').to.deep.equal([]);
    // The page is the built viewer served by the server itself (not the minimal built-in page).
    expect(await page.locator('script[type="module"][src^="./assets/"]').count(), 'built viewer at /').to.equal(1);
  });

  it('lists a person with a track id and highlights the segment under the pointer', async () => {
    await page.locator('.tile[data-camera="lobby"] .tile-open').click();
    const person = page.locator('.detail .segments li[data-class="person"][data-track]');
    await person.first().waitFor({ timeout: 60_000 });
    expect(Number(await person.first().getAttribute('data-track'))).to.be.at.least(0);
    // Hover the centroid of each listed segment until one is hit (a concave mask may not contain its centroid).
    // The tip and the highlight are read in one evaluate: a new frame may move the segment right after.
    let hit: { text: string; segment: string } | null = null;
    for (let attempt = 0; attempt < 10 && !hit; attempt++) {
      const targets = await page.evaluate(() => {
        const list = document.querySelector('.detail .segments') as HTMLElement;
        const [w, h] = (list.dataset.size ?? '0,0').split(',').map(Number);
        const v = document.querySelector('.detail .stage .video') as HTMLElement | null;
        if (!v || !w || !h) return [];
        const box = v.getBoundingClientRect();
        const scale = Math.min(box.width / w, box.height / h);
        const ox = box.left + (box.width - w * scale) / 2;
        const oy = box.top + (box.height - h * scale) / 2;
        return Array.from(list.querySelectorAll('li')).map((li) => {
          const [cx, cy] = (li.dataset.centroid ?? '0,0').split(',').map(Number);
          return { x: ox + cx * scale, y: oy + cy * scale };
        });
      });
      for (const t of targets) {
        await page.mouse.move(t.x, t.y);
        hit = await page.evaluate(() => {
          const tip = document.querySelector('.detail .tip') as HTMLElement;
          const canvas = document.querySelector('.detail canvas.highlight') as HTMLCanvasElement;
          return tip.hidden ? null : { text: tip.textContent ?? '', segment: canvas.dataset.segment ?? '' };
        });
        if (hit) break;
      }
      if (!hit) await page.waitForTimeout(1000);
    }
    expect(hit, 'a hovered segment').to.not.equal(null);
    expect(hit!.text).to.match(/^[a-z -]+( #\d+)? · score \d\.\d\d · area \d+ px/);
    expect(hit!.segment).to.match(/^\d+$/);
    await page.screenshot({ path: join(shots, 'detail-hover.png') });
  });

  it('switches the server-side render mode with the keyboard, every mode over WebRTC (d → depth, s → side-by-side, o → overlay)', async () => {
    const stageVideo = '.detail .stage video[data-transport="webrtc"]';
    /** Waits until the stage plays a new WebRTC session of `mode` (a fresh WHEP session per mode) showing frames. */
    const playing = async (mode: string, aspect: number): Promise<void> => {
      await waitFor(`a WHEP session with view ${mode}`, () => server.app.server.whep.sessionsOf('lobby').some((s) => s.view === mode && s.framesSent > 0), 40_000, 250);
      await page.waitForFunction(
        ([sel, a]) => {
          const v = document.querySelector(sel) as HTMLVideoElement | null;
          // The video's intrinsic size follows the session's frames: side-by-side is two panels wide.
          return !!v && v.videoHeight > 0 && Math.abs(v.videoWidth / v.videoHeight - a) < 0.2 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
        },
        [stageVideo, aspect] as const,
        { timeout: 40_000, polling: 250 },
      );
    };
    await page.keyboard.press('d');
    expect(await page.locator('.detail .modes button[data-mode="depth"]').getAttribute('aria-pressed')).to.equal('true');
    await playing('depth', 16 / 9);
    expect(await page.locator('.detail .stage canvas[data-transport="ws"]').count(), 'no WebSocket JPEG fallback').to.equal(0);
    await page.screenshot({ path: join(shots, 'detail-depth.png') });
    await page.keyboard.press('s');
    await playing('side-by-side', (2 * 16) / 9);
    await page.screenshot({ path: join(shots, 'detail-side-by-side.png') });
    await page.keyboard.press('o');
    await playing('overlay', 16 / 9);
    // Switching renegotiates: the depth and side-by-side sessions were DELETEd by the viewer.
    await waitFor('earlier WHEP sessions ended', () => !server.app.server.whep.sessionsOf('lobby').some((s) => s.view === 'depth' || s.view === 'side-by-side'), 15_000, 250);
    await page.keyboard.press('Escape');
    await page.locator('.detail').waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('adds a camera through the form (field errors shown next to the field), plays it, and removes it', async function () {
    this.timeout(180_000); // a second camera starts its own RTSP session, FFmpeg and tracker
    if ((await page.locator('.detail').count()) > 0) await page.keyboard.press('Escape');
    problems.length = 0;
    // The token, once, in settings (localStorage).
    await page.locator('button[data-action="settings"]').click();
    await page.locator('.settings input[name="token"]').fill(TOKEN);
    await page.locator('.settings button[type="submit"]').click();
    expect(await page.evaluate(() => localStorage.getItem('panoptic-stream.token'))).to.equal(TOKEN);

    await page.locator('button[data-action="add"]').click();
    const form = page.locator('form.camera-form');
    await form.locator('input[name="url"]').fill('ftp://127.0.0.1/cam');
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => (document.querySelector('[data-error-for="url"]')?.textContent ?? '') !== '', undefined, { timeout: 10_000 });
    expect(await form.locator('[data-error-for="url"]').innerText()).to.match(/scheme/i);
    await form.locator('input[name="url"]').fill(rtsp.url());
    await form.locator('textarea[name="options"]').fill('{"id": "porch", "maxFps": 1000}');
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => (document.querySelector('[data-error-for="options"]')?.textContent ?? '').includes('maxFps'), undefined, { timeout: 10_000 });
    expect(await form.locator('[data-error-for="url"]').innerText()).to.equal('');

    await form.locator('textarea[name="options"]').fill('{"id": "porch"}');
    await form.locator('input[name="name"]').fill('Porch');
    await form.locator('button[type="submit"]').click();
    await page.locator('.tile[data-camera="porch"]').waitFor({ timeout: 10_000 });
    expect(server.app.pipeline.get('porch'), 'camera attached on the server').to.not.equal(undefined);
    await page.waitForFunction(() => Number(document.querySelector('.tile[data-camera="porch"] .live-video')?.getAttribute('data-frames') ?? 0) > 1, undefined, { timeout: 60_000, polling: 500 });
    await page.screenshot({ path: join(shots, 'grid-two-cameras.png') });

    // Two-step remove: ✕ arms, the second click removes.
    const remove = page.locator('.tile[data-camera="porch"] button.danger');
    await remove.click();
    await remove.click();
    await page.locator('.tile[data-camera="porch"]').waitFor({ state: 'detached', timeout: 15_000 });
    await waitFor('camera porch detached on the server', () => server.app.pipeline.get('porch') === undefined, 30_000);
    expect(server.app.server.whep.sessionsOf('porch'), 'WHEP sessions of the removed camera').to.deep.equal([]);
    // The only console errors allowed are the browser's reports of the two deliberate 400s.
    expect(problems.filter((p) => !/status of 400 .*\/api\/cameras/.test(p)), 'console errors').to.deep.equal([]);
    expect(problems).to.have.length.at.most(2);
    // The other camera kept playing.
    const before = await framesOf(page, 'lobby');
    await page.waitForFunction((n) => Number(document.querySelector('.tile[data-camera="lobby"] .live-video')?.getAttribute('data-frames') ?? 0) > n, before, { timeout: 30_000 });
  });

  it('falls back to WebSocket JPEG without WebRTC, and plays MJPEG when asked with ?transport=mjpeg', async () => {
    const noRtc = await ctx.newPage();
    const errors: string[] = [];
    watch(noRtc, errors);
    // A browser without WebRTC (or with it disabled by policy) has no RTCPeerConnection.
    await noRtc.addInitScript('delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection;');
    await noRtc.goto(viewerUrl);
    await noRtc.locator('.tile[data-camera="lobby"] canvas[data-transport="ws"]').waitFor({ timeout: 30_000 });
    await noRtc.waitForFunction(() => Number(document.querySelector('.tile[data-camera="lobby"] .live-video')?.getAttribute('data-frames') ?? 0) > 1, undefined, { timeout: 30_000 });
    await noRtc.screenshot({ path: join(shots, 'grid-ws-fallback.png') });
    await noRtc.goto(`${viewerUrl}?transport=mjpeg`);
    const img = noRtc.locator('.tile[data-camera="lobby"] img[data-transport="mjpeg"]');
    await img.waitFor({ timeout: 30_000 });
    await noRtc.waitForFunction(() => ((document.querySelector('.tile img[data-transport="mjpeg"]') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0, undefined, { timeout: 30_000 });
    await noRtc.screenshot({ path: join(shots, 'grid-mjpeg.png') });
    await noRtc.close();
    expect(errors, 'console errors').to.deep.equal([]);
  });
});
