/**
 * Walks the command-line labs of docs/guide.md#12-one-lab-per-mechanism: each `lab-sh` block's
 * commands run as a user runs them (the `hyperdesk` command in a child process, from a scratch
 * folder holding the lab's programs and a copy of the demo disk, so nothing of the repository is
 * written), and each line after a command must show in its output, in order. `$ echo $?` is
 * followed by the exit status the guide promises.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDisks } from '../../src/main/host/disks.js';
import { GUIDE, labs, linePattern, stripComment } from './labs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/hyperdesk.js');
const tmp = mkdtempSync(join(tmpdir(), 'hd-labs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const all = labs();
const shLabs = [...all].filter(([, blocks]) => blocks.some((b) => b.kind === 'lab-sh'));

/** `printf 'KEYS' | npx hyperdesk ARGS` or `npx hyperdesk ARGS`: the arguments and the input. */
function parse(cmd: string): { args: string[]; input: string } {
  const m = /^(?:printf '([^']*)' \| )?npx hyperdesk (.*)$/.exec(cmd);
  if (!m) throw new Error(`not a hyperdesk command: ${cmd}`);
  return { args: m[2]!.split(/\s+/), input: (m[1] ?? '').replace(/\\r/g, '\r').replace(/\\n/g, '\n') };
}

describe('the guide’s command-line labs', () => {
  it('has the command-line labs the guide lists', () => {
    expect(shLabs.map(([id]) => id)).toEqual(expect.arrayContaining(['M1', 'M2', 'M6', 'M9', 'M10']));
  });
  for (const [id, blocks] of shLabs)
    it(`Lab ${id}`, async () => {
      const dir = join(tmp, id);
      mkdirSync(join(dir, 'disks'), { recursive: true });
      copyFileSync(await ensureDisks(), join(dir, 'disks', 'hyperdesk.img'));
      for (const b of blocks.filter((x) => x.kind === 'asm')) {
        const name = /^# (\S+\.s)$/.exec(b.text.split('\n')[0]!)?.[1];
        if (!name) throw new Error(`${GUIDE}:${b.line}: a lab program starts with '# NAME.s'`);
        writeFileSync(join(dir, name), b.text + '\n');
      }
      for (const b of blocks.filter((x) => x.kind === 'lab-sh')) {
        let out = '';
        let code: number | null = null;
        let pos = 0;
        b.text.split('\n').forEach((raw, k) => {
          const where = `${GUIDE}:${b.line + k}: ${raw}`;
          const line = stripComment(raw);
          if (line === '$ echo $?') {
            out = `${String(code)}\n`;
            pos = 0;
          } else if (line.startsWith('$ ')) {
            const { args, input } = parse(line.slice(2));
            // The lab's disk is the scratch copy: never the repository's own image.
            const disk = args.findIndex((a) => a.startsWith('disks/hyperdesk.img'));
            if (disk >= 0) args[disk] = join(dir, args[disk]!);
            if (args[0] === 'boot') args.push('--disk', join(dir, 'disks', 'hyperdesk.img'));
            const r = spawnSync(process.execPath, [bin, ...args], {
              cwd: dir,
              input,
              encoding: 'utf8',
              timeout: 120_000,
            });
            out = r.stdout + r.stderr;
            code = r.status;
            pos = 0;
          } else {
            const m = linePattern(line).exec(out.slice(pos));
            expect(
              m,
              `${where}\nnot in what the command printed after the last match:\n${out.slice(pos)}`,
            ).not.toBeNull();
            pos += m!.index + m![0].length;
          }
        });
      }
    }, 300_000);
});
