import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, PanopticError } from '../../../../src/core/errors.js';
import { loadImage } from '../../../../src/core/image.js';
import { loadModel } from '../../../../src/model/loader.js';
import { repoRoot, sharedModelsDir } from '../../../helpers/fixtures.js';

/** Copies models/default to a temp dir, applies `edit` to its manifest, returns the bundle dir. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke arbitrary manifest fields
function editedDefault(root: string, name: string, edit: (m: Record<string, any>) => void): string {
  const dir = join(root, name);
  cpSync(join(repoRoot, 'models', 'default'), dir, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON
  const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, any>;
  m.name = name;
  edit(m);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
  return dir;
}

async function loadError(dir: string): Promise<Error> {
  try {
    const m = await loadModel(dir, { executionProviders: ['cpu'], warmup: false });
    await m.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error('loadModel succeeded');
}

describe('composite bundles: bad inputs give clear errors', function () {
  this.timeout(60_000);
  let root: string;
  before(() => {
    process.env.PANOPTIC_STREAM_MODELS ??= sharedModelsDir();
    root = mkdtempSync(join(tmpdir(), 'ps-composite-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a missing ONNX file names the component file and where it looked', async () => {
    const dir = editedDefault(root, 'missing', (m) => {
      m.components.semantic.file = { name: 'nowhere.onnx', sha256: 'a'.repeat(64) };
    });
    const err = await loadError(dir);
    expect(err).to.be.instanceOf(PanopticError);
    expect(err.message).to.match(/nowhere\.onnx/);
  });

  it('a file whose SHA-256 does not match is refused', async () => {
    const dir = editedDefault(root, 'corrupt', () => undefined);
    writeFileSync(join(dir, 'yolo11n-seg_int8.onnx'), 'not the model');
    const err = await loadError(dir);
    expect(err.message).to.match(/yolo11n-seg_int8\.onnx/);
    expect(err.message.toLowerCase()).to.match(/sha-?256|checksum/);
  });

  it('a typo in the composite params names the field', async () => {
    const dir = editedDefault(root, 'typo', (m) => {
      m.params.instance.confThreshhold = 0.3;
    });
    const err = await loadError(dir);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).field).to.equal('params.instance.confThreshhold');
    expect(err.message).to.match(/unknown field/);
  });

  it('class maps pointing at the wrong kind of class, or missing, are refused naming the index', async () => {
    const thingAsStuff = await loadError(editedDefault(root, 'stuffid', (m) => (m.params.instance.classIds[0] = 1000)));
    expect((thingAsStuff as ConfigError).field).to.equal('params.instance.classIds[0]');
    const noLabels = await loadError(editedDefault(root, 'nolabels', (m) => delete m.params.semantic));
    expect((noLabels as ConfigError).field).to.equal('params.semantic');
    const badRange = await loadError(editedDefault(root, 'range', (m) => (m.params.fusion.minKeptRatio = 1.5)));
    expect((badRange as ConfigError).field).to.equal('params.fusion.minKeptRatio');
  });

  it('an unknown component role is refused listing the valid ones', async () => {
    const err = await loadError(editedDefault(root, 'role', (m) => (m.components.semnatic = m.components.semantic)));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.match(/semnatic/).and.match(/semantic/);
  });

  it('a file that is not an image is a ConfigError naming the file', async () => {
    const p = join(root, 'not-an-image.jpg');
    writeFileSync(p, 'hello');
    const err = await loadImage(p).catch((e: unknown) => e as Error);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/not-an-image\.jpg/).and.match(/not a readable image/);
  });
});
