import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '@eolgul/core';

/** The options {@link addFilesFromOptions} adds. */
export interface FilesFromOptions {
  /** A file listing input paths, or `-` for standard input. */
  filesFrom?: string;
  /** The list is NUL-separated (`find -print0`) instead of one path per line. */
  null?: boolean;
}

/**
 * Adds `--files-from <file>` and `-0, --null` to a batch command, so that any number of images can be given without a
 * long command line (the same flags as tar and rsync; `-0` as xargs).
 */
export function addFilesFromOptions(
  command: Command,
  help = 'also read input paths from this file, one per line (- = standard input); for any number of images',
): Command {
  return command
    .option('--files-from <file>', help)
    .option('-0, --null', 'with --files-from: paths are separated by NUL bytes (find -print0), not by newlines');
}

/**
 * The input paths of a batch command: the paths on the command line, then those of `--files-from` in their order.
 * Lines are split on `\n` (a `\r` before it is dropped) or, with `--null`, on NUL; empty entries are skipped; nothing
 * else is trimmed, so paths may hold spaces.
 * @param stdin where `--files-from -` reads (default: the process's standard input).
 * @throws {InvalidArgumentError} the list cannot be read, or there is no input at all.
 */
export async function inputPaths(
  args: readonly string[],
  opts: FilesFromOptions,
  stdin: AsyncIterable<Buffer | string> = process.stdin,
): Promise<string[]> {
  if (opts.null && opts.filesFrom === undefined) throw new InvalidArgumentError('-0/--null needs --files-from');
  const paths = [...args];
  if (opts.filesFrom !== undefined) {
    const text = opts.filesFrom === '-' ? await readAll(stdin) : await readList(opts.filesFrom);
    const entries = opts.null ? text.split('\0') : text.split('\n').map((l) => l.replace(/\r$/, ''));
    paths.push(...entries.filter((p) => p.length > 0));
  }
  if (paths.length === 0) {
    throw new InvalidArgumentError(
      opts.filesFrom === undefined
        ? 'no input images: give image files or --files-from <file>'
        : `--files-from ${opts.filesFrom} lists no path`,
    );
  }
  return paths;
}

async function readList(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read --files-from ${file}: ${(err as Error).message}`);
  }
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}
