/**
 * Hypervisor benchmarks (docs/performance.md): what leaving a guest costs.
 * - hypercall-roundtrip: guest -> hypervisor -> guest for a hypercall that does no work, as the
 *   difference between a loop with `hypercall 0` and the same loop with a nop, per call.
 * - world-switch: two clients on one pCPU that yield to each other; the time per yield minus one
 *   hypercall round trip is the switch (saving one vCPU, choosing the next, restoring it).
 * - virt-overhead, per technique (Partition.technique: 'hardware' = hardware-assisted with emulated
 *   devices, 'paravirtual' = the same with the paravirtual console and network, 'trap-emulate' =
 *   classic trap-and-emulate with shadow page tables): cos's CPU-bound
 *   `burner` bare (dual boot) and as a client partition; ratio = bare time / partition time
 *   (1.0 = no overhead).
 * Each figure is the best of several runs; ratios between runs of the same process matter, not
 * absolute times, on a shared machine.
 */
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../src/main/asm/index.js';
import type { Partition } from '../../src/main/emulator/hypervisor/Partition.js';
import { assembleFile } from '../../src/main/host/assembleFile.js';
import { parallelRunner } from '../../src/main/engine/threads.js';
import { Jit } from '../../src/main/emulator/cpu/jit/Jit.js';
import { GuestConsole, defaultImage } from '../guests/boot.js';
import { swapIn, swapOut } from '../../src/main/emulator/hypervisor/messages.js';
import type { SwapStore } from '../../src/main/emulator/hypervisor/swap.js';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { HvWorld, type Guest } from '../hypervisor/harness.js';
import { TIMEBASE } from '../../src/main/emulator/machine/board.js';

function program(name: string, defines: Record<string, number>): Guest {
  const r = assembleFile(fileURLToPath(new URL(`./programs/${name}.s`, import.meta.url)), defines);
  if (!r.ok) throw new Error(`${name}: ${r.readError ?? r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return { bytes: r.bytes, loadAddress: r.base, entry: r.entry, cooperative: false };
}

/** Runs the world until every given partition has stopped; returns wall ms. */
function runUntilStopped(w: HvWorld, parts: Partition[], maxCycles = 20_000_000_000): number {
  const t0 = performance.now();
  for (let done = 0; done < maxCycles; done += 10_000_000) {
    if (parts.every((p) => p.state !== 'running')) return performance.now() - t0;
    w.machine.run(10_000_000);
  }
  throw new Error(`bench guests did not finish: ${parts.map((p) => `${p.name} ${p.state}`).join(', ')}`);
}

function best(runs: number, f: () => number): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) b = Math.min(b, f());
  return b;
}

export function hypercallRoundtrip(
  image: Uint8Array,
  engine: 'interp' | 'jit',
  n = 2_000_000,
): { ns: number; calls: number } {
  const time = (hc: number) =>
    best(5, () => {
      const w = new HvWorld({ cpus: 1, diskImage: image, engine });
      const p = w.launch(1, 'hc', program('hcall', { N: n, HC: hc }));
      return runUntilStopped(w, [p]);
    });
  const withCalls = time(1);
  const without = time(0);
  return { ns: round(((withCalls - without) * 1e6) / n), calls: n };
}

export function worldSwitch(
  image: Uint8Array,
  engine: 'interp' | 'jit',
  roundtripNs: number,
  n = 500_000,
): { ns: number; yieldNs: number } {
  const ms = best(5, () => {
    const w = new HvWorld({ cpus: 1, diskImage: image, engine });
    const a = w.launch(1, 'a', program('yield', { N: n }), { cpu: 0 });
    const b = w.launch(2, 'b', program('yield', { N: n }), { cpu: 0 });
    const t = runUntilStopped(w, [a, b]);
    if (a.stats.switches < n || b.stats.switches < n)
      throw new Error(`the yields did not switch partitions (${a.stats.switches}, ${b.stats.switches} switches)`);
    return t;
  });
  const yieldNs = (ms * 1e6) / (2 * n);
  return { ns: round(yieldNs - roundtripNs), yieldNs: round(yieldNs) };
}

const BURN = 60_000_000;

/** cos's `burner N` from the command to the next prompt, in wall ms. */
/**
 * One burner run: wall ms, the machine ms the burner itself measured (its own clock, machine time:
 * "N iterations in M ms"), and the machine cycles the hypervisor's work for its partition took
 * meanwhile (0 bare; docs/hypercalls.md#what-the-hypervisor-costs).
 */
interface Burn {
  ms: number;
  machineMs: number;
  hvCycles: number;
}

function burnerMs(out: string): number {
  const m = / iterations in (\d+) ms/.exec(out);
  if (!m) throw new Error(`burner printed no time: ${out}`);
  return Number(m[1]);
}

function burnBare(image: Uint8Array): Burn {
  const g = new GuestConsole(image, { select: 'cos', memBytes: 32 << 20 });
  g.expect('cos> ');
  const t0 = performance.now();
  g.type(`burner ${BURN}\r`);
  const out = g.expect(/Minstr\/s\)[^]*cos> /);
  return { ms: performance.now() - t0, machineMs: burnerMs(out), hvCycles: 0 };
}

function burnInPartition(image: Uint8Array, technique: Technique): Burn {
  const w = new HvWorld({ cpus: 2, memBytes: 64 << 20, diskImage: image });
  const cos = w.diskOs('cos');
  const p = w.launch(1, 'cos', cos, { memBytes: 8 << 20, cpu: 0, grantDiskPartition: cos.partition, technique });
  w.expect('cos', 'cos> ');
  const before = w.output('cos').length;
  const hv0 = p.stats.hvCycles;
  const t0 = performance.now();
  w.type(1, `burner ${BURN}\r`);
  const done = () => /Minstr\/s\)[^]*cos> /.test(w.output('cos').slice(before));
  for (let i = 0; i < 100_000 && !done(); i++) w.machine.run(1_000_000);
  if (!done()) throw new Error(`burner did not finish in the partition:\n${w.output('cos').slice(before)}`);
  const ms = performance.now() - t0;
  return { ms, machineMs: burnerMs(w.output('cos').slice(before)), hvCycles: p.stats.hvCycles - hv0 };
}

type Technique = 'hardware' | 'paravirtual' | 'trap-emulate';

/**
 * Two cos clients, one per pCPU, each running `burner`: wall ms until both have finished, with the
 * pCPUs on this one thread (Machine.run, the deterministic mode) or each on a thread of its own.
 */
async function burnTwo(image: Uint8Array, threads: 1 | 2): Promise<{ ms: number; syncs: number }> {
  const w = new HvWorld({ cpus: 2, memBytes: 64 << 20, diskImage: image, sharedMemory: threads === 2 });
  const cos = w.diskOs('cos');
  const names = ['cos1', 'cos2'];
  names.forEach((name, i) =>
    w.launch(i + 1, name, cos, { memBytes: 8 << 20, cpu: i, grantDiskPartition: cos.partition }),
  );
  if (threads === 2) w.parallel = await parallelRunner(w.machine);
  try {
    for (const n of names) w.expect(n, 'cos> ');
    const before = names.map((n) => w.output(n).length);
    const done = () => names.every((n, i) => /Minstr\/s\)[^]*cos> /.test(w.output(n).slice(before[i])));
    const t0 = performance.now();
    names.forEach((_, i) => w.type(i + 1, `burner ${BURN}\r`));
    // Steps of 4 ms of machine time: each ends with both pCPUs at the same time (a barrier).
    for (let i = 0; i < 25_000 && !done(); i++) w.step(4_000_000);
    if (!done()) throw new Error('burner did not finish on both pCPUs');
    return { ms: performance.now() - t0, syncs: w.parallel?.stats.syncs ?? 0 };
  } finally {
    w.parallel?.close();
  }
}

/** smp-2: two independent guests, 2 threads against 1 (target: speedup >= 1.7). */
export async function smp2(image: Uint8Array): Promise<Record<string, number>> {
  await burnTwo(image, 1); // warm-up: V8 optimises the interpreter on whichever runs first
  let one = Infinity;
  let two = Infinity;
  let syncs = 0;
  for (let i = 0; i < 3; i++) {
    one = Math.min(one, (await burnTwo(image, 1)).ms);
    const r = await burnTwo(image, 2);
    if (r.ms < two) [two, syncs] = [r.ms, r.syncs];
  }
  return { oneThreadMs: round(one), twoThreadsMs: round(two), speedup: Math.round((one / two) * 1000) / 1000, syncs };
}

/**
 * ratio: bare wall time / partition wall time (the host's speed). machineRatio: the same in machine
 * time, as the burner itself measured it (the same on every host: what the hypervisor's charged
 * work costs the guest); hvShare: the hypervisor's work for the partition over the job's machine
 * time, the Performance view's figure (docs/performance.md#what-virtualization-costs-in-machine-time).
 */
export function virtOverhead(
  image: Uint8Array,
  technique: Technique,
): {
  bareMs: number;
  partitionMs: number;
  ratio: number;
  bareMachineMs: number;
  partitionMachineMs: number;
  machineRatio: number;
  hvShare: number;
} {
  // Interleaved, so that a slow spell of the machine hits both sides alike.
  let bare = Infinity;
  let part = Infinity;
  let bareRun: Burn | undefined;
  let partRun: Burn | undefined;
  for (let i = 0; i < 3; i++) {
    const b = burnBare(image);
    const p = burnInPartition(image, technique);
    bare = Math.min(bare, b.ms);
    part = Math.min(part, p.ms);
    // Machine time is the same every run (deterministic): the last of each.
    bareRun = b;
    partRun = p;
  }
  const { machineMs: bm } = bareRun!;
  const { machineMs: pm, hvCycles } = partRun!;
  return {
    bareMs: round(bare),
    partitionMs: round(part),
    ratio: Math.round((bare / part) * 1000) / 1000,
    bareMachineMs: bm,
    partitionMachineMs: pm,
    machineRatio: Math.round((bm / pm) * 10000) / 10000,
    hvShare: Math.round((hvCycles / (pm * (TIMEBASE / 1000))) * 10000) / 10000,
  };
}

/**
 * Aggregate guest throughput with `n` cos guests of 1 MiB all running `burner` on 2 pCPUs: guest
 * instructions retired per wall second over `cycles` of machine time, after every guest has started.
 */
export function guestsThroughput(
  image: Uint8Array,
  engine: 'interp' | 'jit',
  n: number,
  cycles: number,
): { ips: number; bootMs: number; regions: number; sharedRegions: number } {
  const MEM = 1 << 20;
  const t0 = performance.now();
  const w = new HvWorld({
    cpus: 2,
    memBytes: n * MEM + (24 << 20),
    diskImage: image,
    reserveBytes: 16 << 20,
    engine,
  });
  const cos = w.diskOs('cos');
  const parts: Partition[] = [];
  for (let i = 1; i <= n; i++)
    parts.push(w.launch(i, `g${i}`, cos, { memBytes: MEM, cpu: i % 2, grantDiskPartition: cos.partition }));
  const all = (re: RegExp) => parts.every((p) => re.test(w.output(p.name)));
  for (let i = 0; i < 20_000 && !all(/cos> $/); i++) w.machine.run(1_000_000);
  if (!all(/cos> $/)) throw new Error('not every guest booted');
  // Long enough (4 G instructions) that no guest finishes inside the window: steady state only.
  for (const p of parts) w.type(p.id, 'burner 1000000000\r');
  for (let i = 0; i < 20_000 && !all(/burner 1000000000\r\n$/); i++) w.machine.run(1_000_000);
  const bootMs = performance.now() - t0;
  const instret = () => parts.reduce((s, p) => s + p.vcpus.reduce((t, v) => t + v.instret, 0), 0);
  w.machine.run(10_000_000); // every guest has been switched in once more: counters are saved ones
  const i0 = instret();
  const t1 = performance.now();
  w.machine.run(cycles);
  const ms = performance.now() - t1;
  // Translations: regions compiled, and how many of them identical code (another guest's) had
  // compiled already, so that they share one function and V8's optimised code.
  const jits = w.machine.cpus.map((c) => c.jit).filter((j): j is Jit => j instanceof Jit);
  const regions = jits.reduce((s, j) => s + j.stats.regions, 0);
  const sharedRegions = jits.reduce((s, j) => s + j.stats.sharedRegions, 0);
  return { ips: ((instret() - i0) / ms) * 1000, bootMs, regions, sharedRegions };
}

/** guests-N: N active guests' aggregate throughput over one guest's (target >= 0.85 for 1,000). */
export function manyGuests(image: Uint8Array, engine: 'interp' | 'jit', n = 1000): Record<string, unknown> {
  const cycles = 500_000_000; // 2 s of machine time: every guest gets its slices
  // Best of several runs on each side; the single guest runs 4 times as long (its run is short and
  // varies most). Throughput is per wall second, so the lengths need not match.
  const bestOf = (runs: number, guests: number, length: number) => {
    let b = guestsThroughput(image, engine, guests, length);
    for (let i = 1; i < runs; i++) {
      const r = guestsThroughput(image, engine, guests, length);
      if (r.ips > b.ips) b = { ...r, regions: b.regions, sharedRegions: b.sharedRegions };
    }
    return b;
  };
  const one = bestOf(3, 1, 4 * cycles);
  // (regions and sharedRegions are the first run's: a second run finds every translation there.)
  const many = bestOf(2, n, cycles);
  return {
    engine,
    guests: n,
    throughputRatio: Math.round((many.ips / one.ips) * 1000) / 1000,
    oneGuestMips: round(one.ips / 1e6),
    manyGuestsMips: round(many.ips / 1e6),
    bootAndStartMs: Math.round(many.bootMs),
    ...(engine === 'jit' ? { regions: many.regions, sharedRegions: many.sharedRegions } : {}),
  };
}

/**
 * Swapped guests kept deflated in memory (the app's swap goes to files, src/main/disk/swapFiles.ts;
 * the pages of a booted cos that are not zeros, 10,000 times over, are more than this machine should
 * give a bench, so the bench compresses).
 */
class DeflateSwapStore implements SwapStore {
  private readonly saved = new Map<number, Buffer>();
  bytes = 0;
  save(partition: number, bytes: Uint8Array): true | Error {
    this.drop(partition);
    const z = deflateRawSync(bytes, { level: 1 });
    this.saved.set(partition, z);
    this.bytes += z.length;
    return true;
  }
  load(partition: number): Uint8Array | Error {
    const z = this.saved.get(partition);
    return z ? new Uint8Array(inflateRawSync(z)) : new Error(`nothing swapped out for partition ${partition}`);
  }
  drop(partition: number): void {
    const z = this.saved.get(partition);
    if (z) this.bytes -= z.length;
    this.saved.delete(partition);
  }
}

/**
 * guests-10000: `n` cos guests of 1 MiB resident in one machine, most of them swapped out: they
 * are launched and booted `batch` at a time, and every batch but the last is swapped out (M17)
 * before the next one comes into the memory it gave back. With all of them resident, what the app
 * needs stays quick: a 1 ms step of machine time, and bringing one swapped guest back to answer a
 * command.
 */
export function manyResident(image: Uint8Array, n = 10_000, batch = 500): Record<string, number> {
  const MEM = 1 << 20;
  const t0 = performance.now();
  const store = new DeflateSwapStore();
  const w = new HvWorld({
    cpus: 2,
    memBytes: batch * MEM + (128 << 20),
    diskImage: image,
    reserveBytes: 96 << 20,
    swap: store,
  });
  const cos = w.diskOs('cos');
  const ctl = w.hv.partitions.get(0) as Partition;
  const parts: Partition[] = [];
  for (let first = 1; first <= n; first += batch) {
    const group: Partition[] = [];
    for (let id = first; id < first + batch && id <= n; id++) {
      // Each guest takes the top 1 MiB of ctl's memory (where swapped guests' memory went back).
      const gpa = ctl.memEnd - MEM;
      w.hv.create(id, `g${id}`);
      const p = w.hv.partitions.get(id) as Partition;
      w.hv.addVcpu(p, id % 2);
      w.hv.writeGuest(ctl, gpa + cos.loadAddress, cos.bytes);
      p.diskGrants.set('disk0', new Set([cos.partition]));
      const err = w.hv.moveMemory(ctl, p, gpa, MEM) ?? w.hv.start(id, cos.entry, cos.cooperative ? 1 : 0);
      if (err) throw new Error(`guest ${id}: ${err}`);
      group.push(p);
    }
    const booted = () => group.every((p) => /cos> $/.test(w.output(p.name)));
    for (let i = 0; i < 20_000 && !booted(); i++) w.machine.run(1_000_000);
    if (!booted()) throw new Error(`batch from ${first} did not boot`);
    parts.push(...group);
    if (first + batch <= n)
      for (const p of group) {
        const err = swapOut(w.hv, p);
        if (err) throw new Error(`swap out ${p.name}: ${err}`);
        w.out.delete(p.name);
      }
  }
  const setupMs = performance.now() - t0;
  const swapped = parts.filter((p) => p.state === 'swapped').length;
  // A 1 ms step of machine time with every guest resident (what the engine does per tick).
  const t1 = performance.now();
  for (let i = 0; i < 100; i++) w.machine.run(250_000);
  const stepMs = (performance.now() - t1) / 100;
  // One swapped guest back: swap in (making room: one running guest goes out), answer, go out again.
  const t2 = performance.now();
  const room = parts[parts.length - 1];
  const old = parts[0];
  const e1 = swapOut(w.hv, room) ?? swapIn(w.hv, old, ctl.memEnd - MEM);
  if (e1) throw new Error(`swap in: ${e1}`);
  w.type(old.id, 'echo back\r');
  for (let i = 0; i < 10_000 && !/back\r\ncos> $/.test(w.output(old.name)); i++) w.machine.run(250_000);
  if (!/back\r\ncos> $/.test(w.output(old.name)))
    throw new Error(`the swapped-in guest did not answer: ${old.state} ${JSON.stringify(w.output(old.name))}`);
  const swapInEchoMs = performance.now() - t2;
  return {
    guests: parts.length,
    guestMiB: MEM / 2 ** 20,
    running: parts.length - swapped,
    swapped,
    swapStoreMiB: round(store.bytes / 2 ** 20),
    heapAndBuffersMiB: Math.round((process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers) / 2 ** 20),
    setupMs: Math.round(setupMs),
    stepMs: round(stepMs),
    swapInEchoMs: round(swapInEchoMs),
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The bench lines, as run.ts prints them. */
export async function hypervisorBenches(
  filter?: string,
  engines: readonly ('interp' | 'jit')[] = ['interp', 'jit'],
): Promise<Record<string, unknown>[]> {
  const image = await defaultImage();
  const lines: Record<string, unknown>[] = [];
  const want = (name: string) => !filter || filter.split(',').some((f) => name.includes(f));
  for (const engine of engines) {
    if (!want('hypercall-roundtrip') && !want('world-switch')) break;
    const rt = hypercallRoundtrip(image, engine);
    if (want('hypercall-roundtrip')) lines.push({ bench: 'hypercall-roundtrip', engine, ...rt, target: 50 });
    if (want('world-switch'))
      lines.push({ bench: 'world-switch', engine, ...worldSwitch(image, engine, rt.ns), target: 200 });
  }
  if (want('guests-1000'))
    for (const engine of engines) lines.push({ bench: 'guests-1000', ...manyGuests(image, engine), target: 0.85 });
  if (want('guests-10000')) lines.push({ bench: 'guests-10000', ...manyResident(image) });
  if (want('smp-2')) lines.push({ bench: 'smp-2', ...(await smp2(image)), target: 1.7 });
  if (want('virt-overhead')) {
    // One unmeasured round first: V8 warms the interpreter up on whichever runs first.
    burnBare(image);
    burnInPartition(image, 'paravirtual');
  }
  if (want('virt-overhead'))
    for (const technique of ['hardware', 'paravirtual', 'trap-emulate'] as const)
      lines.push({ bench: 'virt-overhead', technique, ...virtOverhead(image, technique), target: 0.95 });
  return lines;
}
