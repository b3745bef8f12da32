/**
 * The tables of docs/hypercalls.md generated from the one hypercall table (src/shared/hypercalls.ts):
 * the error codes, the client API and the control API; and the hypervisor's costs in machine cycles
 * from src/shared/hvCosts.ts. The prose around them is the document's own;
 * `npm run docs` rewrites only what lies between each pair of markers, and a test fails when the
 * committed document differs from what this produces.
 */
import { ERRNO, HYPERCALLS, type HypercallInfo } from '../../shared/hypercalls.js';
import { costTableMarkdown } from '../../shared/hvCosts.js';

const hex = (n: number) =>
  `0x${n
    .toString(16)
    .toUpperCase()
    .padStart(n >= 0x100 ? 3 : 2, '0')}`;
const cell = (s: string) => s.replace(/\|/g, '\\|');

function apiTable(api: HypercallInfo['api']): string[] {
  const rows: readonly HypercallInfo[] = HYPERCALLS;
  const control = api === 'control';
  const out = [
    control ? '| N | name | arguments | result | legal when the partition is |' : '| N | name | arguments | result |',
    control ? '|---|---|---|---|---|' : '|---|---|---|---|',
  ];
  for (const h of rows.filter((x) => x.api === api)) {
    const cols = [hex(h.nr), h.name, cell(h.args), cell(h.result)];
    if (control) cols.push(h.states ? h.states.join(', ') : 'any');
    out.push(`| ${cols.join(' | ')} |`);
  }
  return out;
}

function errnoTable(): string[] {
  return [
    '| error | value | meaning |',
    '|---|---|---|',
    ...ERRNO.map((e) => `| ${e.name} | ${e.value} | ${cell(e.doc)} |`),
  ];
}

/** Each generated section: what makes it, and the table it comes from (named in its marker). */
const TABLES: Record<string, { make: () => string[]; from: string }> = {
  errors: { make: errnoTable, from: 'src/shared/hypercalls.ts' },
  'client-api': { make: () => apiTable('client'), from: 'src/shared/hypercalls.ts' },
  'control-api': { make: () => apiTable('control'), from: 'src/shared/hypercalls.ts' },
  // What the hypervisor's work costs in machine cycles (docs/hypercalls.md#what-the-hypervisor-costs).
  costs: { make: () => costTableMarkdown().split('\n'), from: 'src/shared/hvCosts.ts' },
};

/** `doc` with every generated table replaced by what the table says now. Throws when a marker is missing. */
export function updateHypercallDoc(doc: string): string {
  let out = doc;
  for (const [name, { make, from }] of Object.entries(TABLES)) {
    const begin = `<!-- generated:${name} (npm run docs, from ${from}) -->`;
    const end = `<!-- end:${name} -->`;
    const i = out.indexOf(begin);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`docs/hypercalls.md has no ${begin} ... ${end} section`);
    out = `${out.slice(0, i + begin.length)}\n${make().join('\n')}\n${out.slice(j)}`;
  }
  return out;
}
