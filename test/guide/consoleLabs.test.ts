/**
 * Walks the console labs of docs/guide.md#12-one-lab-per-mechanism in ctl's hypervisor machine (32 MiB,
 * one pCPU, as the guide says): each `lab` block typed and checked line by line, a fresh machine
 * per lab. A line `NAME | PROMPT COMMAND` is typed at NAME's console (after its prompt showed); any
 * other line must show on NAME's console after what was matched there before.
 */
import { describe, expect, it } from 'vitest';
import { bootCtl, type HvRun } from '../guests/hvrun.js';
import { GUIDE, labs, linePattern, stripComment, type Block } from './labs.js';

const PROMPTS: Record<string, string> = { ctl: 'ctl> ', swos: 'swos$ ' };
const promptOf = (who: string) => PROMPTS[who] ?? 'cos> ';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Walks one transcript; returns each expected line as it showed. */
function walk(r: HvRun, b: Block): string[] {
  const atPrompt = new Set<string>();
  const seen: string[] = [];
  b.text.split('\n').forEach((raw, k) => {
    const m = /^(\w+)\s*\| (.*)$/.exec(raw);
    if (!m) throw new Error(`${GUIDE}:${b.line + k}: not a transcript line: ${raw}`);
    const who = m[1]!;
    const text = stripComment(m[2]!);
    const prompt = promptOf(who);
    try {
      if (text.startsWith(prompt)) {
        const cmd = text.slice(prompt.length);
        if (!atPrompt.has(who)) r.expect(who, prompt);
        r.type(who, cmd + '\r');
        r.expect(who, new RegExp(`${escape(cmd)}\\r?\\n`));
        atPrompt.delete(who);
      } else {
        const shown = r.expect(who, linePattern(text));
        seen.push(shown.slice(shown.lastIndexOf('\n') + 1));
      }
    } catch (e) {
      throw new Error(`${GUIDE}:${b.line + k}: ${raw}\n${(e as Error).message}`);
    }
  });
  return seen;
}

const all = labs();
const consoleLabs = [...all].filter(([, blocks]) => blocks.some((b) => b.kind === 'lab'));

describe('the guide’s console labs', () => {
  it('has the console labs the guide lists', () => {
    expect(consoleLabs.map(([id]) => id)).toEqual(
      expect.arrayContaining([
        'M3',
        'M4',
        'M5',
        'M8',
        'M11',
        'M12',
        'M13',
        'M14',
        'M15',
        'M16',
        'M17',
        'M18',
        'M19',
        'M20',
        'M21',
        'M22',
        'M23',
        'M24',
      ]),
    );
  });
  for (const [id, blocks] of consoleLabs)
    it(`Lab ${id}`, async () => {
      const r = await bootCtl();
      const seen: string[] = [];
      for (const b of blocks.filter((x) => x.kind === 'lab')) seen.push(...walk(r, b));
      if (id === 'M15') {
        // The guide says ctl's IRQS column grew between the two `parts`: the uart's interrupts.
        const irqs = seen.map((l) => Number(l.trim().split(/\s+/)[10]));
        expect(irqs[1]).toBeGreaterThan(irqs[0]!);
      }
      if (id === 'M14') {
        // swos makes no hypercalls and every device access is an exit.
        const swos = seen
          .find((l) => /^\s+2 swos/.test(l))!
          .trim()
          .split(/\s+/);
        expect(Number(swos[8])).toBe(0);
        expect(Number(swos[9])).toBeGreaterThan(0);
      }
    }, 300_000);
});
