import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import { EolgulError } from '@eolgul/core';

/** Where the CLI writes: injectable for tests and scripts. */
export interface CliIo {
  /** One line (or several, joined by `\n`) of standard output. */
  out: (line: string) => void;
  /** One line of standard error: warnings, refused inputs, the summary of a run. */
  err: (line: string) => void;
  /** Whether stderr is a terminal: progress bars are drawn only there. */
  isTTY: boolean;
  /** Whether text output may carry colour escape codes (default false). */
  colour?: boolean;
}

/**
 * Whether the process's stdout may carry colour: only on a terminal, and never when `NO_COLOR` is set to anything but
 * the empty string (https://no-color.org).
 */
export function stdoutHasColour(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!process.stdout.isTTY && !env.NO_COLOR;
}

/** The process's stdout and stderr. */
export const defaultIo: CliIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  isTTY: !!process.stderr.isTTY,
  colour: stdoutHasColour(),
};

/**
 * Characters that must not reach a terminal raw: C0 controls (newline, ESC, which starts colour and OSC sequences…),
 * DEL, C1 controls (U+009B is a one-character CSI), the line and paragraph separators, and the bidirectional
 * controls that reorder how a line displays.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A name, path or message made safe for one line of text output: each such character becomes an
 * escape (`\n`, `\r`, `\t`, `\xHH` up to U+00FF, else `\uHHHH`), so that data can neither start a new line nor
 * drive the terminal. Everything else, other scripts and emoji included, is kept. `--json` output is not escaped
 * this way: JSON keeps names exact.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return (
      SHORT_ESCAPES[c] ??
      (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
    );
  });
}

/** A name between double quotes for text output: JSON string syntax, then {@link printable}. */
export const quoted = (text: string): string => printable(JSON.stringify(text));

/** `CODE: message` of an eolgul error, the bare message of any other, for one line of stderr (see {@link printable}). */
export const reasonOf = (err: unknown): string =>
  printable(err instanceof EolgulError ? `${err.code}: ${err.message}` : (err as Error).message);

/** An error as a JSON line reports it: the eolgul code (`ERROR` for any other error) and the message. */
export const errorObject = (err: unknown): { code: string; message: string } => ({
  code: err instanceof EolgulError ? err.code : 'ERROR',
  message: (err as Error).message,
});

/** `x` rounded to `d` decimals (4 by default), for printed distances and scores. */
export const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

/**
 * A progress bar on stderr (cli-progress) when stderr is a terminal and there is more than one item; otherwise a
 * no-op, so logs and pipes never receive cursor codes.
 */
export function progress(io: CliIo, total: number, label: string): { tick(): void; stop(): void } {
  if (!io.isTTY || total < 2) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}

/** Red column heads, written whenever the CLI has decided on colour (picocolors' own terminal guess is not asked). */
const { red } = createColors(true);

/**
 * A cli-table3 table with these column heads, red only when `io.colour` is set. The CLI colours the heads itself:
 * cli-table3's colour library turns colour off by its own rules (any `CI` variable, for one), which would make
 * `io.colour` a request that is sometimes ignored.
 */
export function textTable(io: CliIo, head: string[]): Table.Table {
  return new Table({ head: io.colour ? head.map((h) => red(h)) : head, style: { head: [], border: [] } });
}
