/**
 * The labs of docs/guide.md#12-one-lab-per-mechanism, read from the guide itself so that a lab that
 * stops being true fails a test: each `### Lab Mn` section's fenced blocks, by kind (`lab`: a console
 * transcript; `lab-sh`: shell commands and what they print; `asm`: a program, its first line
 * `# NAME.s`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const GUIDE = fileURLToPath(new URL('../../docs/guide.md', import.meta.url));

export interface Block {
  kind: string;
  text: string;
  /** 1-based line of the block's first line in the guide, for messages. */
  line: number;
}

/** Every lab of the guide by mechanism ('M3'), with its fenced blocks. */
export function labs(): Map<string, Block[]> {
  const lines = readFileSync(GUIDE, 'utf8').split('\n');
  const out = new Map<string, Block[]>();
  let lab: Block[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const h = /^### Lab (M\d+):/.exec(l);
    if (h) {
      lab = [];
      out.set(h[1]!, lab);
      continue;
    }
    if (/^#{1,3} /.test(l)) lab = undefined;
    const f = /^```(\S*)$/.exec(l);
    if (f && lab) {
      const start = i + 1;
      while (i + 1 < lines.length && lines[i + 1] !== '```') i++;
      lab.push({ kind: f[1]!, text: lines.slice(start, i + 1).join('\n'), line: start + 1 });
      i++;
    }
  }
  return out;
}

/**
 * A transcript line's expected text as a pattern: `...` stands for anything within the line. The
 * match runs to the end of the line, so what it returns is the whole line as it showed.
 */
export function linePattern(text: string): RegExp {
  const parts = text.split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('[^\\r\\n]*?') + '[^\\r\\n]*');
}

/** A transcript line without its trailing comment (two or more spaces, then `#`). */
export function stripComment(text: string): string {
  return text.replace(/\s{2,}#.*$/, '').trimEnd();
}
