import { expect } from 'chai';
import { z } from 'zod';
import { ConfigError, PanopticError } from '../../src/core/errors.js';
import { parseWith } from '../../src/core/config.js';
import { redactText, redactObject } from '../../src/core/redact.js';
import { addLogSink, createLogger, type LogRecord } from '../../src/core/logger.js';
import { Closeable } from '../../src/core/lifecycle.js';
import { sleep, withTimeout } from '../../src/core/abort.js';

describe('core', () => {
  describe('redact', () => {
    it('hides URL passwords and secret query parameters but keeps the host', () => {
      expect(redactText('rtsp://admin:hunter2@10.0.0.5:554/stream1')).to.equal('rtsp://admin:***@10.0.0.5:554/stream1');
      expect(redactText('open http://x/y.m3u8?token=abc123&q=1 failed')).to.equal('open http://x/y.m3u8?token=***&q=1 failed');
      expect(redactText('Authorization: Bearer s3cr3t.tok')).to.equal('Authorization: Bearer ***');
      expect(redactObject({ url: 'rtsp://u:p@h/x', token: 'abc', n: 1 })).to.deep.equal({ url: 'rtsp://u:***@h/x', token: '***', n: 1 });
    });
  });

  describe('logger', () => {
    it('never prints secrets, in the message or in fields', () => {
      const records: LogRecord[] = [];
      const off = addLogSink((r) => records.push(r));
      try {
        createLogger('test:redact').info('connecting rtsp://bob:pa55@cam/x', { url: 'rtsp://bob:pa55@cam/x', password: 'pa55' });
      } finally {
        off();
      }
      const text = JSON.stringify(records);
      expect(records).to.have.length(1);
      expect(records[0]!.ns).to.equal('test:redact');
      expect(text).not.to.contain('pa55');
    });
  });

  describe('config validation', () => {
    const schema = z.strictObject({ cameras: z.array(z.strictObject({ id: z.string(), fps: z.number().positive().optional() })) });
    it('names the field path and value of the first problem', () => {
      try {
        parseWith(schema, { cameras: [{ id: 'a' }, { id: 'b', fps: -3 }] }, 'config');
        expect.fail('should throw');
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).field).to.equal('config.cameras[1].fps');
        expect((err as Error).message).to.contain('-3');
      }
    });
    it('names an unknown key itself', () => {
      expect(() => parseWith(schema, { cameras: [{ id: 'a', fsp: 3 }] })).to.throw(ConfigError, /cameras\[0\]\.fsp/);
    });
  });

  describe('errors', () => {
    it('carry code, fatal flag and bracketed redacted context', () => {
      const e = new PanopticError('boom', { code: 'ERR_X', context: { camera: 'lobby', url: 'rtsp://a:b@c/d' } });
      expect(e.message).to.equal('[camera:lobby, url:rtsp://a:***@c/d] boom');
      expect(e.code).to.equal('ERR_X');
      expect(e.fatal).to.equal(false);
    });
  });

  describe('lifecycle', () => {
    it('close() is idempotent and aborts the signal', async () => {
      let calls = 0;
      class Thing extends Closeable {
        protected async onClose(): Promise<void> {
          calls++;
          await sleep(5);
        }
      }
      const t = new Thing();
      const p1 = t.close();
      const p2 = t.close();
      expect(p1).to.equal(p2);
      await p1;
      await t.close();
      expect(calls).to.equal(1);
      expect(t.signal.aborted).to.equal(true);
      await sleep(1, t.signal).then(
        () => expect.fail('should reject'),
        (e: Error) => expect(e.name).to.equal('ClosedError'),
      );
    });
    it('withTimeout rejects with a TimeoutError naming the operation', async () => {
      await withTimeout(new Promise(() => undefined), 20, 'probe').then(
        () => expect.fail('should reject'),
        (e: Error) => expect(e.message).to.contain('probe timed out after 20 ms'),
      );
    });
  });
});
