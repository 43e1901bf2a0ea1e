import type { Command } from '../types.js';

/** Every CLI command, in help order. Add new commands here (one import + one entry). */
export async function loadCommands(): Promise<Command[]> {
  const mods = await Promise.all([
    // Lazy imports keep `--help` fast and avoid loading onnxruntime for ingest-only commands.
    import('./probe.js'),
    import('./frames.js'),
    import('./doctor.js'),
    import('./eval.js'),
    import('./models.js'),
    import('./segment.js'),
    import('./serve.js'),
    import('./demo.js'),
    import('./run.js'),
  ] as Promise<{ default: Command }>[]);
  return mods.map((m) => m.default);
}
