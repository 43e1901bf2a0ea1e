/** The server's `modelWorker` option: on by default, a non-boolean is refused naming the field. */
import { expect } from 'chai';
import { ConfigError } from '../../../src/core/errors.js';
import { parseServerConfig } from '../../../src/server/config.js';

describe('model/worker: server config modelWorker', () => {
  it('defaults to true (model in a worker thread) and accepts false', () => {
    expect(parseServerConfig({}, {}).modelWorker).to.equal(true);
    expect(parseServerConfig({ modelWorker: false }, {}).modelWorker).to.equal(false);
  });
  it('refuses a non-boolean with a ConfigError naming modelWorker', () => {
    let err: unknown;
    try {
      parseServerConfig({ modelWorker: 'yes' }, {});
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).field).to.equal('modelWorker');
  });
});
