import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogUrls, runModels, type ModelsIo } from '../../src/cli/commands/models.js';
import { ConfigError } from '../../src/core/errors.js';
import { sharedModelPath } from '../helpers/fixtures.js';
import { ModelFileServer } from '../model/model-file-server.js';

const NAME = 'cityscapes_deeplab_edgetpu_slim_qdq.onnx';

function capture(): ModelsIo & { lines: string[]; errs: string[] } {
  const lines: string[] = [];
  const errs: string[] = [];
  return { lines, errs, out: (l) => lines.push(l), err: (l) => errs.push(l), isTTY: false };
}

function writeBundle(dir: string, name: string, file: { name: string; sha256: string; sizeBytes: number; urls: string[] }): void {
  mkdirSync(join(dir, name), { recursive: true });
  const manifest = {
    schemaVersion: 1,
    name,
    family: 'test',
    components: { main: { file, input: { name: 'image', width: 513, height: 513 } } },
    classes: [{ id: 0, name: 'road', isThing: false }],
  };
  writeFileSync(join(dir, name, 'model.json'), JSON.stringify(manifest, null, 2));
}

describe('cli: models list|info|verify|pull (loopback HTTP server, real ONNX file)', () => {
  const saved = { models: process.env.PANOPTIC_STREAM_MODELS, cache: process.env.PANOPTIC_STREAM_CACHE_DIR };
  let root: string;
  let modelsDir: string;
  let cache: string;
  let server: ModelFileServer;
  let body: Buffer;
  let sha: string;
  const signal = new AbortController().signal;

  before(async () => {
    body = readFileSync(sharedModelPath('deeplab-cityscapes-edgetpu', NAME));
    sha = createHash('sha256').update(body).digest('hex');
    server = await new ModelFileServer({ [NAME]: body }).start();
    root = mkdtempSync(join(tmpdir(), 'ps-models-cli-'));
    modelsDir = join(root, 'models');
    cache = join(root, 'cache');
    process.env.PANOPTIC_STREAM_MODELS = modelsDir;
    process.env.PANOPTIC_STREAM_CACHE_DIR = cache;
    const file = { name: NAME, sha256: sha, sizeBytes: body.length };
    writeBundle(modelsDir, 'pulltest', { ...file, urls: [server.url('file', NAME)] });
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
    if (saved.models === undefined) delete process.env.PANOPTIC_STREAM_MODELS;
    else process.env.PANOPTIC_STREAM_MODELS = saved.models;
    if (saved.cache === undefined) delete process.env.PANOPTIC_STREAM_CACHE_DIR;
    else process.env.PANOPTIC_STREAM_CACHE_DIR = saved.cache;
  });

  it('list and verify report the missing file; pull downloads it into the cache; then all is ok', async () => {
    let io = capture();
    expect(await runModels(['list'], signal, io)).to.equal(0);
    expect(io.lines.find((l) => l.startsWith('pulltest'))).to.match(/^pulltest\s+test\s+1 missing \(of 1\)/);

    io = capture();
    expect(await runModels(['verify', 'pulltest'], signal, io)).to.equal(1);
    expect(io.lines[0]).to.match(/^MISSING\s+pulltest\/main\s+cityscapes_deeplab_edgetpu_slim_qdq\.onnx\s+not found in /);

    io = capture();
    expect(await runModels(['pull', 'pulltest'], signal, io)).to.equal(0);
    const dest = join(cache, 'models', 'pulltest', NAME);
    expect(io.lines).to.deep.equal([`ok ${dest} (2.2 MB, sha256 verified)`]);
    expect(io.errs.some((l) => /100%/.test(l))).to.equal(true); // progress printed at 25 % steps
    expect(readFileSync(dest).equals(body)).to.equal(true);

    io = capture();
    expect(await runModels(['verify', 'pulltest'], signal, io)).to.equal(0);
    expect(io.lines[0]).to.match(new RegExp(`^ok\\s+pulltest/main\\s+${NAME.replace(/\./g, '\\.')}\\s+${dest}`));

    io = capture();
    expect(await runModels(['info', 'pulltest'], signal, io)).to.equal(0);
    expect(io.lines.join('\n')).to.include(`sha256 ${sha}`).and.include(`path   ${dest}`).and.include('files: 1/1 ok');

    io = capture();
    expect(await runModels(['pull', 'pulltest'], signal, io)).to.equal(0);
    expect(io.lines).to.deep.equal(['pulltest: all files present and intact']);
  });

  it('pull from a source serving wrong bytes fails with expected/actual SHA-256 and leaves no file', async () => {
    const io = capture();
    const other = join(root, 'isolated');
    writeBundle(other, 'badsource2', { name: 'other.onnx', sha256: 'a'.repeat(64), sizeBytes: body.length, urls: [server.url('corrupt', NAME)] });
    expect(await runModels(['pull', 'badsource2', '--models-dir', other, '--dir', join(root, 'out')], signal, io)).to.equal(1);
    expect(io.errs.join('\n')).to.match(new RegExp(`checksum mismatch .*expected SHA-256 ${'a'.repeat(64)}, got [0-9a-f]{64}`));
    expect(existsSync(join(root, 'out', 'badsource2', 'other.onnx'))).to.equal(false);
    expect(existsSync(join(root, 'out', 'badsource2', 'other.onnx.part'))).to.equal(false);
  });

  it('pull uses catalog URLs (matched by SHA-256) and --dir', async () => {
    const catalog = join(root, 'catalog.json');
    writeFileSync(catalog, JSON.stringify({ version: 1, files: [{ name: 'x', sha256: 'b'.repeat(64), urls: ['http://127.0.0.1:1/wrong'] }, { name: NAME, sha256: sha, url: server.url('redirect', NAME) }] }));
    const isolated = join(root, 'iso2');
    writeBundle(isolated, 'viacatalog2', { name: 'cat.onnx', sha256: sha, sizeBytes: body.length, urls: [] });
    // --dir only: the cache copy from the first test is not searched (its model dir is in env) — so
    // clear the env for this call to make the file really missing.
    process.env.PANOPTIC_STREAM_MODELS = isolated;
    process.env.PANOPTIC_STREAM_CACHE_DIR = join(root, 'cache2');
    try {
      const io = capture();
      const out = join(root, 'pulled');
      expect(await runModels(['pull', 'viacatalog2', '--catalog', catalog, '--dir', out], signal, io)).to.equal(0);
      expect(io.errs[0]).to.equal(`viacatalog2/main: cat.onnx ← ${server.url('redirect', NAME)}`);
      expect(readFileSync(join(out, 'viacatalog2', 'cat.onnx')).equals(body)).to.equal(true);
      expect(io.errs.join('\n')).to.match(/is not a model directory; add it to PANOPTIC_STREAM_MODELS/);
    } finally {
      process.env.PANOPTIC_STREAM_MODELS = modelsDir;
      process.env.PANOPTIC_STREAM_CACHE_DIR = cache;
    }
  });

  it('catalog entries match by SHA-256, or by file name when they carry no hash', () => {
    const catalog = join(root, 'catalog-match.json');
    writeFileSync(
      catalog,
      JSON.stringify({
        bundles: { default: { files: [{ file: 'a.onnx', urls: ['http://h/a1', 'http://h/a2'] }, { name: 'a.onnx', sha256: 'd'.repeat(64), url: 'http://h/other-version' }] } },
        extra: [{ sha256: 'e'.repeat(64), url: 'http://h/by-hash' }],
      }),
    );
    expect(catalogUrls([catalog], { name: 'a.onnx', sha256: 'e'.repeat(64), urls: [] })).to.deep.equal(['http://h/a1', 'http://h/a2', 'http://h/by-hash']);
    expect(catalogUrls([catalog, join(root, 'absent.json')], { name: 'b.onnx', sha256: 'f'.repeat(64), urls: [] })).to.deep.equal([]);
    writeFileSync(join(root, 'broken.json'), '{');
    expect(() => catalogUrls([join(root, 'broken.json')], { name: 'b.onnx', sha256: 'f'.repeat(64), urls: [] })).to.throw(ConfigError, /catalog .*broken\.json.*not a readable JSON catalog/);
  });

  it('clear errors: no URL, unknown bundle, bad subcommand', async () => {
    const iso = join(root, 'iso3');
    writeBundle(iso, 'nourl2', { name: 'n.onnx', sha256: 'c'.repeat(64), sizeBytes: 10, urls: [] });
    const io = capture();
    expect(await runModels(['pull', 'nourl2', '--models-dir', iso], signal, io)).to.equal(1);
    expect(io.errs[0]).to.match(/^nourl2\/main: no download URL for n\.onnx \(sha256 c{64}\)/);
    let err: unknown;
    await runModels(['info', 'nope'], signal, capture()).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/invalid model "nope": unknown model; available: .*pulltest/);
    err = undefined;
    await runModels(['frobnicate'], signal, capture()).catch((e: unknown) => (err = e));
    expect((err as Error).message).to.match(/invalid subcommand "frobnicate": expected one of list, info, verify, pull/);
  });

  it('verify flags a corrupt file in the bundle directory and pull replaces it in place', async () => {
    const dir = join(root, 'iso4');
    writeBundle(dir, 'corruptlocal', { name: NAME, sha256: sha, sizeBytes: body.length, urls: [server.url('file', NAME)] });
    const local = join(dir, 'corruptlocal', NAME);
    writeFileSync(local, Buffer.alloc(body.length, 7));
    let io = capture();
    expect(await runModels(['verify', 'corruptlocal', '--models-dir', dir], signal, io)).to.equal(1);
    expect(io.lines[0]).to.match(/^CORRUPT/);
    expect(io.lines[1]).to.match(new RegExp(`expected sha256 ${sha}, actual [0-9a-f]{64}`));
    io = capture();
    expect(await runModels(['pull', 'corruptlocal', '--models-dir', dir], signal, io)).to.equal(0);
    expect(io.lines).to.deep.equal([`ok ${local} (2.2 MB, sha256 verified)`]);
    expect(readFileSync(local).equals(body)).to.equal(true);
  });
});
