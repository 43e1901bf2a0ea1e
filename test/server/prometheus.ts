/**
 * A strict parser of the Prometheus text exposition format (0.0.4) for tests: every line must be a
 * HELP, a TYPE or a sample with a valid name, well-formed labels and a float value; a sample must
 * belong to a metric declared by TYPE before it (histograms via _bucket/_sum/_count).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?,?\\})? (\\S+)(?: -?\\d+)?$`);
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]Inf|NaN)$/;

export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('exposition must end with a newline');
  lines.pop();
  lines.forEach((line, i) => {
    const where = `line ${i + 1} ${JSON.stringify(line)}`;
    if (line.startsWith('#')) {
      const t = TYPE.exec(line);
      if (t) {
        if (types.has(t[1]!)) throw new Error(`${where}: TYPE declared twice`);
        types.set(t[1]!, t[2]!);
        return;
      }
      if (HELP.test(line)) return;
      throw new Error(`${where}: malformed comment`);
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`${where}: not a valid sample`);
    const [, name, labelText, valueText] = m;
    if (!VALUE.test(valueText!)) throw new Error(`${where}: bad value`);
    const base = [name!, name!.replace(/_(bucket|sum|count)$/, '')].find((n) => types.has(n));
    if (!base) throw new Error(`${where}: sample before its TYPE`);
    if (base !== name && types.get(base) !== 'histogram' && types.get(base) !== 'summary') throw new Error(`${where}: suffix on a ${types.get(base)}`);
    const labels: Record<string, string> = {};
    for (const lm of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (lm[1]! in labels) throw new Error(`${where}: label ${lm[1]} repeated`);
      labels[lm[1]!] = lm[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    if (name!.endsWith('_bucket') && labels.le === undefined) throw new Error(`${where}: bucket without le`);
    samples.push({ name: name!, labels, value: Number(valueText!.replace('Inf', 'Infinity')) });
  });
  return { samples, types };
}
