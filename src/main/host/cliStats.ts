/**
 * `--stats` of `hyperdesk run` and `boot`: what the machine did, printed to stderr at exit
 * (docs/guide.md#counters-at-exit): instructions and the rate they ran at, the traps taken by cause,
 * and the engine's own counters (the translator's regions, runs and interpreted instructions).
 * It lives in the host because the faces read the machine only through it (ARCHITECTURE.md).
 */
import { causeName } from '../../shared/isa/csrs.js';
import type { Cpu } from '../emulator/cpu/Cpu.js';

/** The counters of `cpus` over `seconds` of wall time, as lines ending in a newline. */
export function formatStats(cpus: readonly Cpu[], seconds: number): string {
  const instructions = cpus.reduce((s, c) => s + c.instret, 0);
  const mips = seconds > 0 ? instructions / seconds / 1e6 : 0;
  const engines = [...new Set(cpus.map((c) => c.engine))].join('+');
  const lines = [
    `stats: ${instructions} instructions in ${seconds.toFixed(3)} s (${mips.toFixed(2)} MIPS), ` +
      `${cpus.length} pCPU${cpus.length === 1 ? '' : 's'}, engine ${engines}`,
  ];

  const byCause = new Float64Array(64);
  for (const c of cpus) for (let i = 0; i < 64; i++) byCause[i] += c.trapsByCause[i];
  const traps: string[] = [];
  for (let i = 0; i < 64; i++) {
    if (byCause[i] === 0) continue;
    // Index 32 + line holds interrupts (Cpu.trapsByCause); causeName knows them by their full code.
    const code = i < 32 ? i : 0x80000000 | (i - 32) | 0;
    traps.push(`${causeName(code)} ${byCause[i]}`);
  }
  lines.push(`traps: ${traps.length ? traps.join(', ') : 'none'}`);

  const sum: Record<string, number> = {};
  for (const c of cpus)
    for (const [k, v] of Object.entries(c.jit?.stats ?? {})) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
  const keys = Object.keys(sum);
  if (keys.length) lines.push(`translator: ${keys.map((k) => `${k} ${sum[k]}`).join(', ')}`);
  return lines.map((l) => l + '\n').join('');
}
