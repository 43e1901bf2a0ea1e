import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { closestName, defaultClassColor, parseManifest, resolveCategories } from '../../src/model/manifest.js';

const base = () => ({
  schemaVersion: 1,
  name: 'm',
  family: 'generalist-pe',
  components: { main: { file: { name: 'm.onnx', sha256: 'a'.repeat(64) }, input: { name: 'x', width: 8, height: 4 } } },
  classes: [{ id: 3, name: 'car', isThing: true }],
});

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('model/manifest', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ps-manifest-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('applies documented defaults', () => {
    const m = parseManifest(base());
    expect(m.components.main!.input).to.deep.include({ layout: 'NCHW', dtype: 'float32', channelOrder: 'RGB', resize: 'stretch', padValue: 0, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(m.components.main!.input.scale).to.be.closeTo(1 / 255, 1e-15);
    expect(m.runtime.maxBatch).to.equal(4);
    expect(m.params).to.deep.equal({});
    expect(m.components.main!.file.urls).to.deep.equal([]);
  });

  it('names the field path and value of each kind of mistake', () => {
    const cases: [string, (m: ReturnType<typeof base> & Record<string, unknown>) => void, string, unknown][] = [
      ['schemaVersion', (m) => (m.schemaVersion = 2), 'schemaVersion', 2],
      ['bad name', (m) => (m.name = 'Bad Name'), 'name', 'Bad Name'],
      ['negative width', (m) => (m.components.main.input.width = -1), 'components.main.input.width', -1],
      ['zero std', (m) => Object.assign(m.components.main.input, { std: [1, 0, 1] }), 'components.main.input.std', [1, 0, 1]],
      ['path in file name', (m) => (m.components.main.file.name = '../x.onnx'), 'components.main.file.name', '../x.onnx'],
      ['class colour', (m) => Object.assign(m.classes[0]!, { color: [0, 0, 300] }), 'classes[0].color[2]', 300],
      ['no classes', (m) => delete (m as Partial<typeof m>).classes, 'classes', undefined],
      ['unknown top-level field', (m) => (m.familly = 'x'), 'familly', 'x'],
      ['bad depth kind', (m) => (m.depth = { kind: 'inverse' }), 'depth.kind', 'inverse'],
      ['bad EP', (m) => (m.runtime = { executionProviders: ['gpu'] }), 'runtime.executionProviders[0]', 'gpu'],
    ];
    for (const [what, edit, field, value] of cases) {
      const m = base() as ReturnType<typeof base> & Record<string, unknown>;
      edit(m);
      const err = configError(() => parseManifest(m, '/x/model.json'));
      expect(err.field, what).to.equal(field);
      expect(err.value, what).to.deep.equal(value);
      expect(err.context.file, what).to.equal('/x/model.json');
    }
    expect(configError(() => parseManifest({ ...base(), familly: 'x' })).message).to.contain('did you mean "family"');
  });

  it('reads classes from classesFile, fills colours, and refuses duplicates', () => {
    writeFileSync(join(dir, 'classes.json'), JSON.stringify([{ id: 1, name: 'road', isThing: false }, { id: 2, name: 'bus', isThing: true, color: [1, 2, 3] }]));
    const { classes: _c, ...rest } = base();
    const m = parseManifest({ ...rest, classesFile: 'classes.json' });
    const cats = resolveCategories(m, dir);
    expect(cats).to.deep.equal([
      { id: 1, name: 'road', isThing: false, color: defaultClassColor(1) },
      { id: 2, name: 'bus', isThing: true, color: [1, 2, 3] },
    ]);
    expect(configError(() => parseManifest({ ...base(), classesFile: 'classes.json' })).field).to.equal('classesFile');
    writeFileSync(join(dir, 'dup.json'), JSON.stringify([{ id: 1, name: 'a', isThing: false }, { id: 1, name: 'b', isThing: false }]));
    const dup = configError(() => resolveCategories(parseManifest({ ...rest, classesFile: 'dup.json' }), dir));
    expect(dup.field).to.equal('classesFile[1].id');
    const missing = configError(() => resolveCategories(parseManifest({ ...rest, classesFile: 'nope.json' }), dir));
    expect(missing.field).to.equal('classesFile');
    expect(missing.value).to.equal('nope.json');
  });

  it('suggests the closest field name within 3 edits', () => {
    expect(closestName('chanelOrder', ['channelOrder', 'layout'])).to.equal('channelOrder');
    expect(closestName('xyzzy', ['channelOrder', 'layout'])).to.equal(undefined);
  });
});
