import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, PanopticError } from '../../src/core/errors.js';
import { loadModel } from '../../src/model/loader.js';
import { PE_OUTPUTS, generalistPeGraph, sha256, writeBundle, type BundleSpec } from './tiny-bundles.js';

async function loadError(root: string, spec: Partial<BundleSpec> & { name: string }): Promise<PanopticError> {
  writeBundle(root, { family: 'generalist-pe', graph: generalistPeGraph(16, [0.3, -0.3]), outputs: PE_OUTPUTS, ...spec });
  try {
    const a = await loadModel(spec.name, { modelDirs: [root], warmup: false });
    await a.close();
  } catch (err) {
    expect(err).to.be.instanceOf(PanopticError);
    return err as PanopticError;
  }
  throw new Error(`loading ${spec.name} should have failed`);
}

describe('model/loader errors: bad bundles are refused with errors naming the field and value', function () {
  this.timeout(30_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ps-bad-'));
    process.env.PANOPTIC_STREAM_CACHE_DIR = join(root, '.cache');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a corrupt ONNX file (random bytes, matching sha256) → ERR_MODEL_LOAD naming the component and file', async () => {
    const dir = join(root, 'corrupt');
    mkdirSync(dir, { recursive: true });
    const junk = randomBytes(4096);
    writeFileSync(join(dir, 'junk.onnx'), junk);
    const err = await loadError(root, {
      name: 'corrupt',
      writeOnnx: false,
      edit: (m) => (m.components.main.file = { name: 'junk.onnx', sha256: sha256(junk) }),
    });
    expect(err.code).to.equal('ERR_MODEL_LOAD');
    expect(err.message).to.contain('component main').and.contain('junk.onnx').and.contain('valid ONNX');
  });

  it('a wrong output name → components.main.outputs.<meaning> with the value and the real outputs', async () => {
    const err = await loadError(root, { name: 'bad-output', outputs: { ...PE_OUTPUTS, semantic: 'semantc_logits' } });
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).field).to.equal('components.main.outputs.semantic');
    expect((err as ConfigError).value).to.equal('semantc_logits');
    expect(err.message).to.contain('semantic [N,2,16,16]').and.contain('instance');
  });

  it('an unknown family → "family" listing the valid ones', async () => {
    const err = (await loadError(root, { name: 'bad-family', family: 'generalist-pee' })) as ConfigError;
    expect(err.field).to.equal('family');
    expect(err.value).to.equal('generalist-pee');
    expect(err.message).to.contain('generalist-pe').and.contain('panoptic-deeplab');
  });

  it('a typo in a field name → the full field path and a suggestion', async () => {
    const err = (await loadError(root, {
      name: 'typo',
      edit: (m) => {
        m.components.main.input.chanelOrder = 'BGR';
      },
    })) as ConfigError;
    expect(err.field).to.equal('components.main.input.chanelOrder');
    expect(err.message).to.contain('did you mean "channelOrder"');
    expect(err.context.file).to.match(/typo\/model\.json$/);
  });

  it('a typo in a family param and a bad enum value name the field and value', async () => {
    const p = (await loadError(root, { name: 'param-typo', params: { bnis: 32 } })) as ConfigError;
    expect(p.field).to.equal('params.bnis');
    expect(p.message).to.contain('did you mean "bins"');
    const e = (await loadError(root, { name: 'bad-layout', input: { layout: 'NCWH' } })) as ConfigError;
    expect(e.field).to.equal('components.main.input.layout');
    expect(e.value).to.equal('NCWH');
    expect(e.message).to.contain('NCWH');
  });

  it('an input size that does not match the graph → components.main.input.width with the graph dims', async () => {
    const err = (await loadError(root, { name: 'bad-width', input: { width: 20 } })) as ConfigError;
    expect(err.field).to.equal('components.main.input.width');
    expect(err.value).to.equal(20);
    expect(err.message).to.contain('[N,3,16,16]');
  });

  it('a missing ONNX file → ERR_MODEL_FILE_MISSING with name, sha256, where we looked and how to pull', async () => {
    // a graph of its own: the other bundles' identical ONNX files would be found by SHA-256
    const err = await loadError(root, { name: 'missing', writeOnnx: false, graph: generalistPeGraph(16, [0.1, 0.2]) });
    expect(err.code).to.equal('ERR_MODEL_FILE_MISSING');
    expect(err.message).to.contain('missing.onnx').and.contain('models pull missing').and.contain(root);
    expect(err.message).to.match(/sha256 [0-9a-f]{64}/);
  });

  it('a wrong sha256 → ERR_MODEL_CHECKSUM with expected and actual hashes', async () => {
    const wrong = 'ab'.repeat(32);
    const err = await loadError(root, { name: 'bad-sha', edit: (m) => (m.components.main.file.sha256 = wrong) });
    expect(err.code).to.equal('ERR_MODEL_CHECKSUM');
    expect(err.message).to.contain(wrong).and.contain('bad-sha.onnx').and.contain('components.main.file.sha256');
    expect(err.details.actual).to.match(/^[0-9a-f]{64}$/);
    // a malformed hash is a manifest error, not a file error
    const bad = (await loadError(root, { name: 'short-sha', edit: (m) => (m.components.main.file.sha256 = 'abc') })) as ConfigError;
    expect(bad.field).to.equal('components.main.file.sha256');
  });

  it('an unknown model name lists the available ones; invalid JSON names the file', async () => {
    const err = await loadModel('no-such-model', { modelDirs: [root] }).then(
      () => undefined,
      (e: unknown) => e as ConfigError,
    );
    expect(err).to.be.instanceOf(ConfigError);
    expect(err!.field).to.equal('model');
    expect(err!.message).to.contain('no-such-model').and.contain('corrupt').and.contain('bad-width');
    const dir = join(root, 'broken-json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), '{ "schemaVersion": 1, ');
    const j = await loadModel(dir).then(
      () => undefined,
      (e: unknown) => e as ConfigError,
    );
    expect(j!.message).to.contain('broken-json/model.json').and.contain('not valid JSON');
  });
});
