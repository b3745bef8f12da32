/**
 * The dual-boot vs hypervisor comparison on the default disk (a private copy of it, so other tests
 * rebuilding disks/hyperdesk.img do not disturb these, and so we can see the file is never changed).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDisks } from '../host/disks.js';
import { ComparisonError, runComparison, runWorkload, WORKLOADS, type Workload } from './compare.js';
import { customWorkload } from './workloads.js';

let dir: string;
let disk: string;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hyperdesk-compare-'));
  disk = join(dir, 'hyperdesk.img');
  copyFileSync(await ensureDisks(), disk);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Small jobs, for the tests that do not need long ones. */
const small: Workload = {
  name: 'small',
  title: 'test',
  jobs: {
    cos: { command: 'burner 1000000', expect: /burner: 1000000 iterations/ },
    swos: { command: 'primes 30000', expect: /3245 primes below 30000/ },
  },
};

describe('runComparison', () => {
  it('burner: the hypervisor finishes sooner with 2 pCPUs; dual boot reboots once; the same figures twice', () => {
    const before = sha(disk);
    const progress: [number, string][] = [];
    const r = runComparison('burner', { disks: [disk], onProgress: (d, l) => progress.push([d, l]) });
    const { dualboot: d, hypervisor: h } = r;

    expect(h.seconds).toBeLessThan(d.seconds);
    expect(d.reboots).toBe(1);
    expect(h.reboots).toBe(0);
    expect(d.jobsPerSecond).toBeCloseTo(2 / d.seconds, 9);
    expect(h.jobsPerSecond).toBeGreaterThan(d.jobsPerSecond);
    // Both jobs ran: 5 million iterations of the burner's 4-instruction loop alone are 20 million.
    expect(d.instructions).toBeGreaterThan(20_000_000);
    expect(h.instructions).toBeGreaterThan(20_000_000);
    // Dual boot leaves the second pCPU waiting in the firmware's stub: at most half the machine works.
    expect(d.utilisation).toBeGreaterThan(0.4);
    expect(d.utilisation).toBeLessThanOrEqual(0.5);
    expect(h.utilisation).toBeGreaterThan(d.utilisation);
    expect(h.utilisation).toBeLessThanOrEqual(1);
    // The hypervisor's own work takes machine time (docs/hypercalls.md#what-the-hypervisor-costs):
    // some, busy time too; none in dual boot.
    expect(d.hypervisorShare).toBe(0);
    expect(h.hypervisorShare).toBeGreaterThan(0.001);
    expect(h.hypervisorShare).toBeLessThan(h.utilisation);

    const dones = progress.map(([x]) => x);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([1, 'done']);
    expect(progress.map(([, l]) => l)).toContain('dual boot: rebooting into swos');

    expect(runComparison('burner', { disks: [disk] })).toEqual(r);
    expect(sha(disk)).toBe(before);
  });

  it('short jobs: the Controlling OS boot costs more than a reboot, so dual boot is sooner', () => {
    const { dualboot: d, hypervisor: h } = runComparison('primes', { disks: [disk] });
    expect(d.seconds).toBeLessThan(h.seconds);
    expect(d.reboots).toBe(1);
    // A long job beside a short one: side by side saves only the short one's time.
    const uneven = runComparison('uneven', { disks: [disk] });
    expect(uneven.hypervisor.seconds - uneven.dualboot.seconds).toBeLessThan(h.seconds - d.seconds);
    // Both pCPUs are busy only while both jobs run: less than in burner, more than dual boot.
    expect(uneven.hypervisor.utilisation).toBeGreaterThan(uneven.dualboot.utilisation);
    expect(uneven.hypervisor.utilisation).toBeLessThan(0.7);
  });

  it('with one pCPU the hypervisor has nothing to run side by side: it is slower than dual boot', () => {
    const two = runWorkload(small, { disks: [disk] });
    const one = runWorkload(small, { disks: [disk], cpus: 1 });
    // Sharing one pCPU, the two jobs take longer than on two; and the Controlling OS's boot comes on top.
    expect(one.hypervisor.seconds).toBeGreaterThan(two.hypervisor.seconds);
    expect(one.hypervisor.seconds).toBeGreaterThan(one.dualboot.seconds);
    // Dual boot runs one OS on one pCPU either way (the time differs only by how SMP machines run in quanta).
    expect(one.dualboot.seconds).toBeCloseTo(two.dualboot.seconds, 3);
    // One pCPU: dual boot keeps it busy nearly all the time (no stub pCPU waiting beside it).
    expect(one.dualboot.utilisation).toBeGreaterThan(0.9);
    expect(one.dualboot.utilisation).toBeLessThanOrEqual(1);
  });

  it('lists its workloads with unique names and says which exist when given another', () => {
    const names = WORKLOADS.map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['burner', 'primes']));
    for (const w of WORKLOADS) expect(Object.keys(w.jobs).sort()).toEqual(['cos', 'swos']);
    expect(() => runComparison('nope', { disks: [disk] })).toThrow(
      new ComparisonError(`no workload named 'nope' (there are: ${names.join(', ')})`),
    );
  });
});

describe('runComparison: what goes wrong is said', () => {
  it('a job that does not finish within the limit is named', () => {
    expect(() => runWorkload(small, { disks: [disk], limitSeconds: 0.003 })).toThrow(
      /^dual boot: cos running 'burner 1000000' did not finish: 0\.003 s of machine time went by; uart0 showed: .*burner 1000000$/s,
    );
  });

  it('a job whose output is not what it should be is named, with what it printed', () => {
    const odd: Workload = {
      name: 'odd',
      title: 'test',
      jobs: {
        cos: { command: 'hello', expect: /Hello from user mode!/ },
        swos: { command: 'frobnicate', expect: /done/ },
      },
    };
    expect(() => runWorkload(odd, { disks: [disk] })).toThrow(
      "dual boot: swos's job 'frobnicate' did not print /done/; it printed: frobnicate\nbad command: frobnicate\nswos$",
    );
  });

  it("runs the user's own commands, in the engine and with the technique chosen", () => {
    const mine = customWorkload('hello', 'primes 1000') as Workload;
    const interp = runWorkload(mine, { disks: [disk] });
    // Machine time: the translator gives the very same figures (only the wall time differs).
    expect(runWorkload(mine, { disks: [disk], engine: 'jit' })).toEqual(interp);
    // Trap-and-emulate: dual boot is the same; the hypervisor's work (emulated privileged
    // instructions, shadow tables) takes a larger share and the run takes longer.
    const te = runWorkload(mine, { disks: [disk], technique: 'trap-emulate' });
    expect(te.dualboot).toEqual(interp.dualboot);
    expect(te.hypervisor.hypervisorShare).toBeGreaterThan(2 * interp.hypervisor.hypervisorShare!);
    expect(te.hypervisor.seconds).toBeGreaterThan(interp.hypervisor.seconds);
    expect(customWorkload('hello\r', 'primes')).toMatch(/^cos's command must be 1 to 64 printable characters/);
    expect(customWorkload('hello', '')).toMatch(/^swos's command must be/);
  });

  it('a machine too small or too big is refused before anything runs', () => {
    expect(() => runComparison('primes', { disks: [disk], memMiB: 8 })).toThrow(/memMiB must be 20..1024/);
    expect(() => runComparison('primes', { disks: [disk], cpus: 0 })).toThrow('cpus must be 1..8, got 0');
  });

  it('disks: none, missing, not a disk image, no OS on it', () => {
    expect(() => runComparison('primes', { disks: [] })).toThrow(/needs a disk image with cos, swos and ctl/);
    const missing = join(dir, 'missing.img');
    expect(() => runComparison('primes', { disks: [missing] })).toThrow(`${missing}: cannot read: ENOENT`);
    const odd = join(dir, 'odd.img');
    writeFileSync(odd, Buffer.alloc(1000));
    expect(() => runComparison('primes', { disks: [odd] })).toThrow(
      `${odd}: not a disk image (1000 bytes is not a whole number of blocks)`,
    );
    const blank = join(dir, 'blank.img');
    writeFileSync(blank, Buffer.alloc(64 * 512));
    expect(() => runComparison('primes', { disks: [blank] })).toThrow(
      /^dual boot: the boot loader cannot boot cos: disk0: /,
    );
  });
});
