/** Tiny argv parser: `--flag value`, `--flag=value`, boolean `--flag`, positionals. Unknown flags are errors. */
import { ConfigError } from '../core/errors.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/**
 * @param spec flag name → 'string' | 'boolean'
 */
export function parseArgs(argv: string[], spec: Record<string, 'string' | 'boolean'>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new ConfigError(`--${name}`, a, `unknown option; valid options: ${Object.keys(spec).map((k) => `--${k}`).join(', ') || '(none)'}`);
    if (kind === 'boolean') {
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`--${name}`, undefined, 'missing value');
    flags.set(name, value);
  }
  return { positionals, flags };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagNumber(args: ParsedArgs, name: string, opts: { min?: number; integer?: boolean } = {}): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min))
    throw new ConfigError(`--${name}`, v, `expected ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`);
  return n;
}
