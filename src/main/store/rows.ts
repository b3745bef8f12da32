/**
 * What the store reads back is checked before it reaches the app: a row written by a buggy or newer
 * build, or edited by hand, must not become a MachineConfig or RunFigures that breaks a view. A row
 * that does not pass is left out of the answer and reported (table, id and why), never thrown.
 */
import { checkConfig, type MachineConfig, type RunFigures } from '../../shared/api.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

function parseJson(text: unknown): Parsed<unknown> {
  if (typeof text !== 'string') return { ok: false, why: 'is not text' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, why: `is not JSON (${(e as Error).message})` };
  }
}

/** A whole MachineConfig: the API's checks of a partial one, plus the fields that must be there. */
export function parseMachineConfig(text: unknown): Parsed<MachineConfig> {
  const j = parseJson(text);
  if (!j.ok) return j;
  const problem = checkMachineConfig(j.value);
  return problem ? { ok: false, why: problem } : { ok: true, value: j.value as MachineConfig };
}

/** Why `value` is not a whole MachineConfig, or undefined. */
export function checkMachineConfig(value: unknown): string | undefined {
  const partial = checkConfig(value);
  if (partial) return `config ${partial}`;
  const c = value as Partial<MachineConfig>;
  for (const key of ['mode', 'cpus', 'memMiB', 'disks'] as const) {
    if (c[key] === undefined) return `config has no '${key}'`;
  }
  return undefined;
}

const FIGURES: readonly (keyof RunFigures)[] = ['seconds', 'jobsPerSecond', 'instructions', 'reboots', 'utilisation'];

export function parseRunFigures(text: unknown): Parsed<RunFigures> {
  const j = parseJson(text);
  if (!j.ok) return j;
  const problem = checkRunFigures(j.value);
  return problem ? { ok: false, why: problem } : { ok: true, value: j.value as RunFigures };
}

/** Why `value` is not RunFigures (every figure a finite number >= 0, utilisation at most 1), or undefined. */
export function checkRunFigures(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'figures must be an object';
  const f = value as Record<string, unknown>;
  for (const key of FIGURES) {
    const v = f[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `figure '${key}' must be a number >= 0`;
  }
  if ((f.utilisation as number) > 1) return `figure 'utilisation' must be at most 1`;
  // Optional (runs stored before it existed have none), but a number 0..1 when there.
  const hv = f.hypervisorShare;
  if (hv !== undefined && (typeof hv !== 'number' || !(hv >= 0 && hv <= 1)))
    return `figure 'hypervisorShare' must be a number 0..1`;
  return undefined;
}
