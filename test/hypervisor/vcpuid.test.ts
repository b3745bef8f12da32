/**
 * cpuid is virtualized: a guest on pCPU 1 reads its vCPU number (0), because cpuid below hypervisor
 * mode gives hvcpuid, which the world switch sets. (It used to give the physical number, which made
 * swos pick an interrupt-controller context its virtual controller does not have, and poll.)
 */
import { describe, expect, it } from 'vitest';
import { CSR } from '../../src/shared/isa/csrs.js';
import { testGuest, world } from './harness.js';

describe('cpuid in a partition', () => {
  it('gives the vCPU number, whichever pCPU runs it', async () => {
    const w = await world({ cpus: 2 });
    const p = w.launch(1, 'who', testGuest('whoami'), { cpu: 1 });
    for (let i = 0; i < 20 && p.state === 'running'; i++) w.machine.run(1_000_000);
    expect(p.state).toBe('stopped');
    expect(p.exitCode).toBe(0);
    expect(w.machine.cpus[1].readCsr(CSR.cpuid)).toBe(1); // the hypervisor itself still sees the pCPU
  });
});
