/** `panoptic-stream probe <url>`: prints the source's codec, size, fps and duration as JSON. */
import { ConfigError } from '../../core/errors.js';
import { probeSource } from '../../ingest/probe.js';
import { flagNumber, flagString, parseArgs } from '../args.js';
import type { Command } from '../types.js';

const command: Command = {
  name: 'probe',
  usage: 'probe <url> [--timeout-ms N] [--transport tcp|udp]',
  summary: 'Probe a camera/file URL (ffprobe) and print JSON',
  async run(argv, signal) {
    const args = parseArgs(argv, { 'timeout-ms': 'string', transport: 'string' });
    const url = args.positionals[0];
    if (!url || args.positionals.length > 1) throw new ConfigError('url', args.positionals.join(' ') || undefined, 'expected exactly one URL or file path');
    const transport = flagString(args, 'transport');
    if (transport !== undefined && transport !== 'tcp' && transport !== 'udp') throw new ConfigError('--transport', transport, 'expected tcp or udp');
    const info = await probeSource(url, { cameraId: 'probe', timeoutMs: flagNumber(args, 'timeout-ms', { min: 100, integer: true }), transport, signal });
    console.log(JSON.stringify(info, null, 2));
    return 0;
  },
};
export default command;
