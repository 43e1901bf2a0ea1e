/**
 * `panoptic-stream eval <metric> …`: offline evaluation. Sub-commands live in {@link subcommands};
 * another metric (e.g. `stq`) is added with one entry there pointing at its module's runner.
 */
import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../../core/errors.js';
import { flagString, parseArgs } from '../args.js';
import type { Command } from '../types.js';

export interface EvalSubcommand {
  usage: string;
  summary: string;
  /** Runs on the argv after the sub-command name; resolves to the exit code. */
  run(argv: string[], signal: AbortSignal): Promise<number>;
}

function required(args: ReturnType<typeof parseArgs>, name: string): string {
  const v = flagString(args, name);
  if (v === undefined) throw new ConfigError(`--${name}`, undefined, 'required');
  return v;
}

const pq: EvalSubcommand = {
  usage: 'eval pq --gt-json F --gt-dir D --pred-json F --pred-dir D [--json OUT] [--per-class]',
  summary: 'Panoptic Quality (panopticapi rules) on COCO panoptic JSON + PNG folders',
  async run(argv) {
    const args = parseArgs(argv, { 'gt-json': 'string', 'gt-dir': 'string', 'pred-json': 'string', 'pred-dir': 'string', json: 'string', 'per-class': 'boolean' });
    const { evaluateCocoPanoptic } = await import('../../eval/coco-panoptic.js');
    const { formatPqTable } = await import('../../eval/pq.js');
    const result = await evaluateCocoPanoptic({
      gtJson: required(args, 'gt-json'),
      gtDir: required(args, 'gt-dir'),
      predJson: required(args, 'pred-json'),
      predDir: required(args, 'pred-dir'),
    });
    console.log(formatPqTable(result, { perClass: args.flags.has('per-class') }));
    const out = flagString(args, 'json');
    if (out) await writeFile(out, JSON.stringify(result, null, 2));
    return 0;
  },
};

/** Metric name → runner. The tracking side adds `stq` here (one line). */
export const subcommands: Record<string, EvalSubcommand> = {
  pq,
  stq: {
    usage: 'eval stq --format step|dvps --gt DIR --pred DIR [--things 11,12,…] [--num-classes 19] [--ignore 255] [--json OUT]',
    summary: 'Segmentation and Tracking Quality (STEP, deeplab2 rules) on folders of panoptic label PNGs',
    async run(argv) {
      const args = parseArgs(argv, { format: 'string', gt: 'string', pred: 'string', things: 'string', 'num-classes': 'string', ignore: 'string', json: 'string' });
      const { runStqCommand } = await import('../../eval/stq-command.js');
      const opt = (n: string): string | undefined => flagString(args, n);
      return runStqCommand({ format: required(args, 'format'), gt: required(args, 'gt'), pred: required(args, 'pred'), things: opt('things'), numClasses: opt('num-classes'), ignore: opt('ignore'), json: opt('json') }, (l) => console.log(l));
    },
  },
};

const command: Command = {
  name: 'eval',
  usage: 'eval <pq|…> [options]',
  summary: 'Offline evaluation of predictions against ground truth',
  async run(argv, signal) {
    const [name, ...rest] = argv;
    const sub = name !== undefined ? subcommands[name] : undefined;
    if (!sub) {
      if (name === undefined || name === '--help' || name === '-h') {
        for (const s of Object.values(subcommands)) console.log(`  ${s.usage}\n      ${s.summary}`);
        return name ? 0 : 2;
      }
      throw new ConfigError('eval <metric>', name, `unknown metric; valid: ${Object.keys(subcommands).join(', ')}`);
    }
    return sub.run(rest, signal);
  },
};

export default command;
