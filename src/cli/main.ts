/** The `panoptic-stream` command line: dispatches to commands/, maps errors to exit codes. */
import { PanopticError, errorMessage } from '../core/errors.js';
import { loadCommands } from './commands/index.js';

export async function main(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log('Usage: panoptic-stream <command> [options]\n\nCommands:');
    for (const c of commands) console.log(`  ${c.usage.padEnd(48)} ${c.summary}`);
    return name ? 0 : 1;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`panoptic-stream: unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}`);
    return 2;
  }
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (ctl.signal.aborted) process.exit(130);
    console.error(`\n${sig} received, stopping (again to force)`);
    ctl.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await cmd.run(rest, ctl.signal);
  } catch (err) {
    if (ctl.signal.aborted) return 130;
    console.error(`panoptic-stream ${name}: ${err instanceof PanopticError ? err.message : errorMessage(err)}`);
    if (process.env.LOG_LEVEL === 'debug' && err instanceof Error) console.error(err.stack);
    return err instanceof PanopticError && err.code === 'ERR_CONFIG' ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
