/**
 * What the top bar says about the running machine (docs/app.md#layout), as pure functions of the
 * status so that they are unit-tested: which saved machine runs, and how each guest's code runs
 * (the engine is per guest: a console's engine menu moves one guest to the translator).
 */
import type { EngineKind, GuestInfo, MachineStatus } from '../../shared/api.js';

const ENGINE_WORD: Record<EngineKind, string> = { interp: 'interp', jit: 'jit' };

/**
 * The engine in words: one word when every guest runs on the same engine (or the configured one
 * before any guest is known), else each engine with its guests: `jit: cos · interp: ctl, swos`.
 */
export function engineSummary(guests: readonly Pick<GuestInfo, 'name' | 'engine'>[], configured?: EngineKind): string {
  const live = guests.filter((g) => g.engine);
  const kinds = [...new Set(live.map((g) => g.engine))];
  if (kinds.length === 0) return ENGINE_WORD[configured ?? 'interp'];
  if (kinds.length === 1) return ENGINE_WORD[kinds[0]!];
  // The translator first: it is the exception a person switched to.
  return (['jit', 'interp'] as const)
    .filter((k) => kinds.includes(k))
    .map(
      (k) =>
        `${ENGINE_WORD[k]}: ${live
          .filter((g) => g.engine === k)
          .map((g) => g.name)
          .join(', ')}`,
    )
    .join(' · ');
}

/** The saved machine's name the top bar shows (the Machines view's entry), or '' when off. */
export function machineLabel(s: Pick<MachineStatus, 'state' | 'config'>): string {
  if (s.state === 'off' || !s.config) return '';
  if (s.config.name) return s.config.name;
  return s.config.mode === 'hypervisor' ? 'demo' : `dual boot ${s.config.boot ?? ''}`.trim();
}

/** The key that picks the i-th view (0-based) with Alt: 1..9, 0, then - (the keys in a row; docs/app.md#keyboard). */
export function viewKey(i: number): string {
  return i < 9 ? String(i + 1) : i === 9 ? '0' : i === 10 ? '-' : '';
}
