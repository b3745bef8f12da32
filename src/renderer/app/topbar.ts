/**
 * What the top bar says about the running machine (docs/app.md#layout), as pure functions of the
 * status so that they are unit-tested: which saved machine runs, and how each guest's code runs
 * (the engine is per guest: a console's engine menu moves one guest to the translator).
 */
import type { EngineKind, GuestInfo, MachineMode, MachineStatus } from '../../shared/api.js';

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

/** The mode badge: `dual boot · swos`, `hypervisor`, or `–` before any machine has booted. */
export function modeLabel(s: Pick<MachineStatus, 'config'>): string {
  const mode = s.config?.mode;
  if (mode === 'dualboot') return `dual boot${s.config?.boot ? ` · ${s.config.boot}` : ''}`;
  return mode === 'hypervisor' ? 'hypervisor' : '–';
}

/** What the boot selects (mode, OS, pCPU threads) show for the machine that runs. */
export interface BootChoice {
  mode: MachineMode;
  /** Dual boot: the OS the loader booted. */
  os?: string;
  threads: boolean;
  /** Identifies the boot: the selects follow the machine only when this changes (see bootChoice). */
  key: string;
}

/**
 * The boot selects follow the machine that runs (issue 15: a dual-boot machine, booted from the
 * Machines view or the CLI, left the select saying "Hypervisor"; docs/app.md#layout). Undefined
 * while the machine is off or failed, or its config is unknown: the selects then keep the person's choice.
 * The caller applies a choice only when its key differs from the last one applied, so a person
 * can pick the next boot's mode while the machine runs without each status undoing it.
 */
export function bootChoice(s: Pick<MachineStatus, 'state' | 'config'>): BootChoice | undefined {
  if (s.state === 'off' || s.state === 'failed' || !s.config) return undefined;
  const { mode, boot, threads } = s.config;
  const os = mode === 'dualboot' ? boot : undefined;
  const t = mode === 'hypervisor' && threads === true;
  return { mode, os, threads: t, key: `${s.config.name ?? ''}/${mode}/${os ?? ''}/${t}` };
}

/** The key that picks the i-th view (0-based) with Alt: 1..9, 0, then - (the keys in a row; docs/app.md#keyboard). */
export function viewKey(i: number): string {
  return i < 9 ? String(i + 1) : i === 9 ? '0' : i === 10 ? '-' : '';
}
