/**
 * The assembler campaign (docs/security.md#asm, issue 13): random and mutated sources and the
 * shapes that hurt an assembler (asmSources.ts), each assembled in this process. Each must end in
 * output or diagnostics within the limits of docs/isa.md#limits, never in a throw:
 *
 * - `exception`: assemble() threw (it promises never to);
 * - `internal-error`: a diagnostic says "internal error" (a bug caught by assemble's last resort,
 *   a stack overflow included);
 * - `bad-diagnostic`: a diagnostic without a file, a line and column >= 1 or a message;
 * - `unsorted`: diagnostics not in reading order (each file's together, by line and column);
 * - `over-limit`: more output than the output limit, more diagnostics than the error and warning
 *   limits allow, or `ok` that disagrees with the errors.
 *
 * Time is a figure, not an invariant: `over1s` (sources that took longer than a second) and `slow`
 * (longer than the app's time limit for one assembly, 10 s, docs/app.md#assembling). Wall time
 * depends on the machine's load, and an escape must reproduce from its seed; a source that hangs
 * shows as a run that does not end.
 */
import { assemble, ASM_LIMITS, type AsmResult } from '../../src/main/asm/index.js';
import type { CampaignSpec, Outcome, StepEscape } from './campaign.js';
import { hostException } from './campaign.js';
import { ASM_KINDS, type AsmKind, asmSource } from './asmSources.js';
import type { Rng } from './rng.js';

export interface AsmOp {
  kind: AsmKind;
  /** The source comes from this seed (asmSource(kind, seed) rebuilds it). */
  seed: number;
}

/** Sources per episode. */
const EPISODE_SOURCES = 25;
/** The app's time limit for one assembly (engine/asmThread.ts ASM_TIME_LIMIT_MS). */
export const SLOW_MS = 10_000;

/** Diagnostics that sum up a run (the "stopping" error, the dropped-warnings count) come last. */
const SUMMARY = /^(too many errors|\d+ more warnings? not shown)/;

function problems(r: AsmResult): { invariant: string; detail: string }[] {
  const out: { invariant: string; detail: string }[] = [];
  const ds = r.diagnostics;
  const internal = ds.find((d) => d.message.includes('internal error'));
  if (internal) out.push({ invariant: 'internal-error', detail: internal.message });
  const bad = ds.find(
    (d) =>
      typeof d.file !== 'string' ||
      d.file === '' ||
      !(d.line >= 1) ||
      !(d.col >= 1) ||
      typeof d.message !== 'string' ||
      d.message === '',
  );
  if (bad) out.push({ invariant: 'bad-diagnostic', detail: JSON.stringify(bad).slice(0, 300) });
  const body = ds.filter((d) => !SUMMARY.test(d.message));
  const filesDone = new Set<string>();
  for (let i = 1; i < body.length; i++) {
    const [a, b] = [body[i - 1]!, body[i]!];
    const ok = a.file === b.file ? a.line < b.line || (a.line === b.line && a.col <= b.col) : !filesDone.has(b.file);
    if (a.file !== b.file) filesDone.add(a.file);
    if (!ok) {
      out.push({ invariant: 'unsorted', detail: `${a.file}:${a.line}:${a.col} before ${b.file}:${b.line}:${b.col}` });
      break;
    }
  }
  const errors = ds.filter((d) => d.severity === 'error').length;
  const maxDiagnostics = ASM_LIMITS.errors.value + ASM_LIMITS.warnings.value + 2;
  if (r.bytes.length > ASM_LIMITS.output.value)
    out.push({ invariant: 'over-limit', detail: `${r.bytes.length} bytes` });
  if (ds.length > maxDiagnostics) out.push({ invariant: 'over-limit', detail: `${ds.length} diagnostics` });
  if (r.ok !== (errors === 0)) out.push({ invariant: 'over-limit', detail: `ok ${r.ok} with ${errors} errors` });
  return out;
}

function play(ops: readonly AsmOp[]): Outcome {
  const escapes: StepEscape[] = [];
  const exceptions: StepEscape[] = [];
  // Summed over episodes by the runner, so counts only (a maximum would be summed too).
  const counters = { assembled: 0, refused: 0, limitErrors: 0, chars: 0, over1s: 0, slow: 0 };
  ops.forEach((op, step) => {
    const { source, files } = asmSource(op.kind, op.seed);
    counters.chars += source.length;
    const t0 = performance.now();
    let r: AsmResult;
    try {
      r = assemble(source, { filename: 'fuzz.s', readFile: (name) => files[name] });
    } catch (e) {
      exceptions.push(hostException(`assemble ${op.kind} ${op.seed}`, e, step));
      return;
    }
    const ms = performance.now() - t0;
    if (ms > 1000) counters.over1s++;
    if (r.ok) counters.assembled++;
    else counters.refused++;
    if (r.diagnostics.some((d) => d.message.includes('docs/isa.md#limits'))) counters.limitErrors++;
    for (const p of problems(r)) escapes.push({ ...p, step });
    if (ms > SLOW_MS) counters.slow++;
  });
  return { steps: ops.length, escapes, exceptions, counters };
}

export const asmCampaign: CampaignSpec<AsmOp> = {
  name: 'asm',
  generate(rng: Rng): AsmOp[] {
    return Array.from({ length: EPISODE_SOURCES }, () => ({ kind: rng.pick(ASM_KINDS), seed: rng.u32() }));
  },
  play: (ops) => play(ops),
  show(op) {
    const { source } = asmSource(op.kind, op.seed);
    const head = JSON.stringify(source.slice(0, 160));
    return `asmSource('${op.kind}', ${op.seed}): ${head}${source.length > 160 ? ` ... (${source.length} chars)` : ''}`;
  },
  classify: (op) => op.kind,
};
