/** A CLI sub-command. Each lives in its own file under `src/cli/commands/` and is listed in `commands/index.ts`. */
export interface Command {
  /** Name as typed, e.g. `probe`, or `models` (sub-sub-commands parse their own argv). */
  readonly name: string;
  /** One-line usage, e.g. `probe <url>`. */
  readonly usage: string;
  readonly summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[], signal: AbortSignal): Promise<number>;
}
