/**
 * Text output is safe to print on a terminal: names, paths and messages with newlines, ESC / OSC sequences, C1
 * controls or bidirectional overrides are escaped in text, kept exact in --json; no colour code unless stdout is a
 * terminal and NO_COLOR is unset. Faces: the committed LFW samples.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printable, stdoutHasColour } from '../src/cli-output.js';
import { cli, DATA, facesOf } from './cli-helpers.js';

/** Names a terminal would act on if printed raw. */
const HOSTILE = [
  'two\nlines',
  'title \u001b]0;pwned\u0007 set', // OSC: sets the terminal's title
  'clear \u001b[2J\u001b[H screen', // CSI: clears the screen
  'c1 \u009b31m red', // a one-character CSI
  'bidi \u202eevil\u202c', // right-to-left override
];
/** Anything that starts or is a control sequence. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let tmp: string;
let gallery: string;
const faces = ['0004', '0005', '0006', '0007', '0002'].map((n, i) =>
  i < 4
    ? join(DATA, 'gallery', 'Tom_Hanks', `Tom_Hanks_${n}.jpg`)
    : join(DATA, 'gallery', 'Serena_Williams', 'Serena_Williams_0002.jpg'),
);
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eolgul-text-'));
  gallery = join(tmp, 'gallery');
  for (let i = 0; i < HOSTILE.length; i++)
    expect((await cli('enroll', '--gallery', gallery, '--name', HOSTILE[i], faces[i])).code).toBe(0);
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('printable', () => {
  it('escapes controls, C1 and bidi characters, and keeps every other character', () => {
    expect(printable('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(printable('\u001b]0;x\u0007')).toBe('\\x1b]0;x\\x07');
    expect(printable('\u009b\u007f\u202e\u2028')).toBe('\\x9b\\x7f\\u202e\\u2028');
    expect(printable('김철수 Zoë 🙂 AC\\DC "q"')).toBe('김철수 Zoë 🙂 AC\\DC "q"');
  });
});

describe('names with control characters', () => {
  it('gallery list prints each name on one line, escaped; --json keeps them exact', async () => {
    const text = await cli('gallery', 'list', '--gallery', gallery);
    expect(text.code).toBe(0);
    // The header line, then exactly one line per identity.
    expect(text.out).toHaveLength(1 + HOSTILE.length);
    for (const line of text.out) expect(line).not.toMatch(RAW_CONTROL);
    expect(text.out.slice(1).sort()).toEqual(HOSTILE.map(printable).sort());
    expect(text.out).toContain('title \\x1b]0;pwned\\x07 set');
    const json = await cli('gallery', 'list', '--gallery', gallery, '--json');
    expect([...JSON.parse(json.out[0]).identities].sort()).toEqual([...HOSTILE].sort());
  });

  it("identify's table and enroll's and rename's messages escape them too; identify --json keeps them", async () => {
    const table = await cli('identify', '--gallery', gallery, '--no-emotion', faces[1]);
    expect(table.code, table.err.join('\n')).toBe(0);
    expect(table.out.join('\n')).toContain('title \\x1b]0;pwned\\x07 set');
    for (const line of table.out) expect(line).not.toMatch(RAW_CONTROL);
    const json = await cli('identify', '--gallery', gallery, '--json', '--no-emotion', faces[1]);
    expect(facesOf(json.out).map((f) => f.identity)).toContain(HOSTILE[1]);
    const renamed = await cli('gallery', 'rename', '--gallery', gallery, HOSTILE[0], 'new\u001b[5mname');
    expect(renamed.out).toEqual([`renamed "two\\nlines" to "new\\u001b[5mname"`]); // JSON string syntax
    const again = await cli('enroll', '--gallery', gallery, '--name', 'x\u009by', faces[4]);
    for (const line of [...again.out, ...again.err]) expect(line).not.toMatch(RAW_CONTROL);
  });

  it('stderr escapes paths and messages: a failed file whose name holds ESC and a newline is one line', async () => {
    const bad = join(tmp, 'no\u001b[31mfile\nhere.jpg');
    const r = await cli('identify', '--gallery', gallery, '--no-emotion', bad);
    expect(r.code).toBe(1);
    const failed = r.err.filter((l) => l.startsWith('failed '));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain(printable(bad));
    for (const line of r.err) expect(line).not.toMatch(RAW_CONTROL);
    // Commander's own messages quote arguments as typed.
    const usage = await cli('identify', '--gallery', gallery, '--threshold', '\u001b[2J', faces[0]);
    expect(usage.code).toBe(2);
    for (const line of usage.err) expect(line).not.toMatch(RAW_CONTROL);
  });
});

describe('colour', () => {
  it('only when stdout is a terminal and NO_COLOR is unset or empty', () => {
    const tty = process.stdout.isTTY;
    try {
      process.stdout.isTTY = true;
      expect(stdoutHasColour({})).toBe(true);
      expect(stdoutHasColour({ NO_COLOR: '' })).toBe(true);
      expect(stdoutHasColour({ NO_COLOR: '1' })).toBe(false);
      process.stdout.isTTY = false;
      expect(stdoutHasColour({})).toBe(false);
    } finally {
      process.stdout.isTTY = tty;
    }
  });

  it('the built bin colours its table on a terminal, not with NO_COLOR=1, not into a pipe', () => {
    const bin = join(__dirname, '..', 'dist', 'cli.js');
    const args = [bin, 'identify', '--gallery', gallery, '--no-emotion', faces[1]];
    // util-linux's script(1) runs the command on a pseudo-terminal.
    const onTerminal = (env: NodeJS.ProcessEnv) =>
      spawnSync('script', ['-qec', [process.execPath, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
    // CI=true as on the CI machine: the CLI's own choice of colour must hold there too.
    const coloured = onTerminal({ NO_COLOR: '', CI: 'true' });
    expect(coloured.status, coloured.stderr).toBe(0);
    expect(coloured.stdout).toContain('\u001b[31m'); // red column heads
    const plain = onTerminal({ NO_COLOR: '1' });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('image');
    expect(plain.stdout).not.toContain('\u001b');
    const piped = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout).toContain('│ image');
    expect(piped.stdout).not.toContain('\u001b');
  });
});
