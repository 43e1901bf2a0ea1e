import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cachedSha256, findBundle, listBundles, modelDirs, resolveBundleFiles, scanBundles, sha256File } from '../../src/model/bundle.js';
import { repoRoot, sharedModelPath, sharedModelsDir } from '../helpers/fixtures.js';
import { PE_OUTPUTS, generalistPeGraph, writeBundle } from './tiny-bundles.js';

describe('model/bundle: discovery and SHA-256 lookup', function () {
  this.timeout(30_000);
  let root: string;
  let dirA: string;
  let dirB: string;
  const savedEnv = process.env.PANOPTIC_STREAM_MODELS;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ps-bundle-'));
    dirA = join(root, 'a');
    dirB = join(root, 'b');
    mkdirSync(dirA);
    mkdirSync(dirB);
    process.env.PANOPTIC_STREAM_CACHE_DIR = join(root, 'cache');
  });
  after(() => {
    if (savedEnv === undefined) delete process.env.PANOPTIC_STREAM_MODELS;
    else process.env.PANOPTIC_STREAM_MODELS = savedEnv;
    rmSync(root, { recursive: true, force: true });
  });

  it('searches config dirs, PANOPTIC_STREAM_MODELS, ./models, the package models/ and the cache, in that order', () => {
    process.env.PANOPTIC_STREAM_MODELS = `${dirA}::${dirB}`;
    expect(modelDirs(['/etc/ps-models'])).to.deep.equal(['/etc/ps-models', dirA, dirB, resolve('models'), join(repoRoot, 'models'), join(root, 'cache', 'models')].filter((d, i, all) => all.indexOf(d) === i));
  });

  it('lists bundles across directories; the first of a name wins; invalid manifests are reported apart', () => {
    process.env.PANOPTIC_STREAM_MODELS = `${dirA}:${dirB}`;
    writeBundle(dirA, { name: 'alpha', family: 'generalist-pe', graph: generalistPeGraph(8, [0.2, 0.4]), outputs: PE_OUTPUTS });
    writeBundle(dirB, { name: 'beta', family: 'generalist-pe', graph: generalistPeGraph(8, [0.2, 0.5]), outputs: PE_OUTPUTS });
    writeBundle(dirB, { name: 'alpha', family: 'generalist-pe', graph: generalistPeGraph(8, [0.2, 0.6]), outputs: PE_OUTPUTS });
    mkdirSync(join(dirB, 'broken'));
    writeFileSync(join(dirB, 'broken', 'model.json'), JSON.stringify({ schemaVersion: 1, name: 'broken', family: 'x', components: {} }));
    const dirs = modelDirs();
    const scan = scanBundles(dirs);
    const ours = scan.bundles.filter((b) => b.dir.startsWith(root));
    expect(ours.map((b) => [b.name, b.dir])).to.deep.equal([
      ['alpha', join(dirA, 'alpha')],
      ['beta', join(dirB, 'beta')],
    ]);
    expect(scan.shadowed.map((b) => b.dir)).to.deep.equal([join(dirB, 'alpha')]);
    expect(scan.invalid.map((b) => b.dir)).to.deep.equal([join(dirB, 'broken')]);
    expect(scan.invalid[0]!.error.message).to.contain('components');
    expect(listBundles(dirs).map((b) => b.name)).to.include.members(['alpha', 'beta']);
    expect(findBundle('beta', dirs).dir).to.equal(join(dirB, 'beta'));
    expect(findBundle(join(dirB, 'alpha'), dirs).dir).to.equal(join(dirB, 'alpha'));
  });

  it('finds a component by SHA-256 up to two levels below a model dir, not deeper', async () => {
    const { onnx, file } = writeBundle(dirA, { name: 'relocated', family: 'generalist-pe', graph: generalistPeGraph(8, [-0.7, 0.1]), outputs: PE_OUTPUTS, writeOnnx: false });
    const bundle = findBundle('relocated', [dirA, dirB]);
    let res = await resolveBundleFiles(bundle, [dirA, dirB]);
    expect(res.main).to.deep.include({ status: 'missing', expected: bundle.manifest.components.main!.file.sha256 });
    mkdirSync(join(dirB, 'x', 'y', 'z'), { recursive: true });
    writeFileSync(join(dirB, 'x', 'y', 'z', 'deep.onnx'), onnx); // three levels below dirB: not searched
    res = await resolveBundleFiles(bundle, [dirA, dirB]);
    expect(res.main!.status).to.equal('missing');
    writeFileSync(join(dirB, 'x', 'y', 'renamed.onnx'), onnx); // two levels: found, whatever its name
    res = await resolveBundleFiles(bundle, [dirA, dirB]);
    expect(res.main).to.deep.include({ status: 'ok', path: join(dirB, 'x', 'y', 'renamed.onnx') });
    // a file with the right name but other bytes in the bundle dir is reported as corrupt
    writeFileSync(join(dirA, 'relocated', file), onnx.subarray(0, 100));
    res = await resolveBundleFiles(bundle, [dirA, dirB]);
    expect(res.main).to.deep.include({ status: 'checksum-mismatch', path: join(dirA, 'relocated', file) });
    expect(res.main!.actual).to.not.equal(res.main!.expected);
  });

  it('finds real models of ../shared/models by their SHA-256 (computed independently with sha256sum)', async () => {
    if (savedEnv === undefined) delete process.env.PANOPTIC_STREAM_MODELS;
    else process.env.PANOPTIC_STREAM_MODELS = savedEnv;
    const yolo = sharedModelPath('yolo11n-seg-int8', 'yolo11n-seg_int8.onnx');
    const want = execFileSync('sha256sum', [yolo], { encoding: 'utf8' }).split(' ')[0]!;
    expect(want.startsWith('53f3ee0c')).to.equal(true); // MODELS.md
    expect(await sha256File(yolo)).to.equal(want);
    const dir = join(root, 'real', 'yolo');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        schemaVersion: 1,
        name: 'real-yolo',
        family: 'generalist-pe',
        components: { main: { file: { name: 'yolo11n-seg_int8.onnx', sha256: want, sizeBytes: statSync(yolo).size }, input: { name: 'images', width: 640, height: 640 } } },
        classes: [{ id: 1, name: 'person', isThing: true }],
      }),
    );
    const bundle = findBundle('real-yolo', [join(root, 'real')]);
    const res = await resolveBundleFiles(bundle, [join(root, 'real'), sharedModelsDir()]);
    expect(res.main).to.deep.include({ status: 'ok', path: yolo, actual: want });
    // the hash is cached on disk by path, size and mtime
    const cache = JSON.parse(readFileSync(join(root, 'cache', 'sha256-cache.json'), 'utf8')) as Record<string, { sha256: string }>;
    expect(cache[yolo]!.sha256).to.equal(want);
  });

  it('reuses a cached hash while size and mtime are unchanged and re-hashes when they change', async () => {
    const f = join(root, 'cache-probe.onnx');
    const t = 1_700_000_000; // whole seconds: exactly restorable mtimes
    writeFileSync(f, 'aaaa');
    utimesSync(f, t, t);
    const h1 = await cachedSha256(f);
    writeFileSync(f, 'bbbb'); // same size
    utimesSync(f, t, t); // same mtime: the cache cannot tell, by design
    expect(await cachedSha256(f)).to.equal(h1);
    utimesSync(f, t, t + 5);
    const h2 = await cachedSha256(f);
    expect(h2).to.not.equal(h1);
    expect(h2).to.equal(await sha256File(f));
    copyFileSync(f, `${f}.copy`);
    expect(await cachedSha256(`${f}.copy`)).to.equal(h2);
  });
});
