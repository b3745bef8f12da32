/**
 * What the Control panel says beside ctl's answers and its own buttons (docs/app.md#layout):
 * ctl's errors in a sentence that names the partition and says what to do; which row actions a
 * partition's state allows (ctl refuses the others with EBUSY); which devices can be moved; what a
 * pCPU card says. Pure, so that each rule is unit-tested.
 */
import type { GuestState, Ownership, TechniqueCounters } from '../../shared/api.js';

type Partition = Ownership['partitions'][number];
export type RowAction = 'start' | 'stop' | 'restart' | 'destroy' | 'swap-out' | 'swap-in';

/** The hypervisor's states each row action is legal in (docs/hypercalls.md#control-calls). */
const LEGAL: Record<RowAction, readonly GuestState[]> = {
  start: ['created', 'stopped', 'halted', 'faulted'],
  // part_stop refuses a swapped guest (EBUSY, "swap it in first": Hypervisor.stop).
  stop: ['running'],
  restart: ['running', 'stopped', 'halted', 'faulted'],
  destroy: ['created', 'running', 'stopped', 'halted', 'faulted', 'swapped'],
  // part_swap_out and part_swap_in (docs/hypercalls.md#control-api-partition-0-only, M17).
  'swap-out': ['running', 'stopped'],
  'swap-in': ['swapped'],
};

/** Whether the action can work in the state, and if not, why (the button's title). */
export function rowAction(action: RowAction, p: Pick<Partition, 'name' | 'state'>): { ok: boolean; why: string } {
  if (LEGAL[action].includes(p.state)) return { ok: true, why: '' };
  const why: Record<RowAction, string> = {
    start: `${p.name} is ${p.state}: only a stopped, created, halted or faulted partition starts (Restart restarts a running one)`,
    stop:
      p.state === 'swapped'
        ? `${p.name} is swapped out: Swap in brings it back first`
        : `${p.name} is ${p.state}: only a running partition can be stopped`,
    restart: `${p.name} is ${p.state}`,
    destroy: `${p.name} is ${p.state}`,
    'swap-out':
      p.state === 'swapped'
        ? `${p.name} is swapped out already`
        : `${p.name} is ${p.state}: only a running or stopped partition can be swapped out`,
    'swap-in': `${p.name} is ${p.state}, not swapped out`,
  };
  return { ok: false, why: why[action] };
}

/** The verb and partition id of a ctl command line (`resize 2 +1M` -> resize, 2). */
function parse(command: string): { verb: string; id?: number; device?: string } {
  const words = command.trim().split(/\s+/);
  const verb = words[0] ?? '';
  if (verb === 'move') return { verb, device: words[1], id: Number(words[2]) };
  if (verb === 'remove' && words[2] === 'dev') return { verb, device: words[3], id: Number(words[1]) };
  const id = Number(words[1]);
  return { verb, id: Number.isInteger(id) ? id : undefined };
}

/** What to do when ctl says EBUSY to a verb, given the partition's state. */
function busyHint(verb: string, state: GuestState | undefined): string {
  switch (verb) {
    case 'start':
      return state === 'running' ? 'it runs already; Restart starts it again' : 'Stop it first';
    case 'stop':
      return 'only a running partition can be stopped';
    case 'resize':
    case 'assign':
    case 'technique':
    case 'move':
      return 'Stop it first, make the change, then Start it';
    case 'destroy':
      return 'Stop it first, then Destroy';
    case 'swap':
      return state === 'swapped'
        ? 'it is out already; Swap in brings it back'
        : 'only a running or stopped partition can be swapped out, and only a swapped one in';
    default:
      return 'wait until it is running or stopped, then try again';
  }
}

/**
 * ctl's error as a sentence for the panel: which partition, in which state, and what to do. Undefined
 * when there is nothing to add to ctl's own message.
 */
export function explainError(
  command: string,
  error: { name: string; message: string },
  partitions: readonly Pick<Partition, 'id' | 'name' | 'state'>[],
): string | undefined {
  const { verb, id, device } = parse(command);
  const p = id === undefined ? undefined : partitions.find((x) => x.id === id);
  const who = p ? `Partition ${p.id} (${p.name}) is ${p.state}` : id !== undefined ? `Partition ${id}` : 'It';
  switch (error.name) {
    case 'EBUSY':
      if (verb === 'move' && /ctl keeps it/.test(error.message))
        return `${device ?? 'That device'} is one ctl needs itself (its console, boot disk or power switch), or holds one: pick another device.`;
      if (verb === 'move' && /which runs: ask for it/.test(error.message))
        return `${device ?? 'That device'} belongs to a running partition: Take it back first (the guest may refuse), or stop that partition.`;
      return `${who}: ${busyHint(verb, p?.state)}.`;
    case 'EINVAL':
      if (verb === 'remove' && /last one is never removed/.test(error.message))
        return `${who}: it has one vCPU, and a partition always keeps one.`;
      return undefined;
    case 'ENOENT':
      if (id !== undefined && !p && verb !== 'create')
        return `There is no partition ${id}: the table above lists the partitions.`;
      return undefined;
    case 'ENOMEM':
      // With ctl's `swap auto` on, ENOMEM means even swapping every idle client out would not make room
      // (docs/guests.md#swapping-automatically).
      if (verb === 'swap')
        return `Not enough free memory to bring ${p ? p.name : 'it'} back, even with idle guests swapped out: destroy or swap out another partition first.`;
      return 'Not enough free memory, even with idle guests swapped out: shrink (Resize with a minus) or destroy another partition first.';
    case 'EPERM':
      return 'Only ctl, the Controlling OS, may do this.';
    default:
      return undefined;
  }
}

/**
 * Devices the Move form offers: devices and controllers (a controller moves with everything under
 * it, M5), not buses, the interrupt controller, ctl's own (its console, boot disk and power switch:
 * resources/ctl/ctlcmds.s, move_dev) or a controller with one of those under it.
 */
export function movableDevices(devices: Ownership['devices']): Ownership['devices'] {
  const keeps = new Set(['uart0', 'disk0', 'sysctl']);
  const under = (d: Ownership['devices'][number], seen = new Set<string>()): boolean => {
    if (keeps.has(d.name)) return true;
    if (seen.has(d.id)) return false;
    seen.add(d.id);
    return devices.some((c) => c.parent === d.id && under(c, seen));
  };
  return devices.filter(
    (d) => (d.owner !== null || d.kind === 'controller') && !['bus', 'intc'].includes(d.kind) && !under(d),
  );
}

/** Devices the "Take back" form offers: those a client owns (M21, M18; ctl asks it if it runs). */
export function returnableDevices(devices: Ownership['devices']): Ownership['devices'] {
  const owners = new Map(devices.map((d) => [d.id, d.owner]));
  // A controller's subtree goes back with it: offer the top of each subtree a client holds.
  return devices.filter(
    (d) => d.owner !== null && d.owner !== 0 && (d.parent === undefined || owners.get(d.parent) !== d.owner),
  );
}

/**
 * What a pCPU card says: who runs on it now, or whose vCPUs share it. The map is read between
 * time slices, when no guest is on the pCPU, so "idle" would be wrong whenever vCPUs are pinned.
 */
export function cpuLine(
  c: Ownership['cpus'][number],
  partitions: readonly Pick<Partition, 'id' | 'name' | 'state'>[],
): string {
  const name = (id: number) => partitions.find((p) => p.id === id)?.name ?? `#${id}`;
  if (c.running !== null) return `runs ${name(c.running)}`;
  const live = c.pinned.filter((id) => partitions.find((p) => p.id === id)?.state === 'running');
  if (live.length === 0) return 'idle';
  if (live.length === 1) return `runs ${name(live[0]!)}`;
  return `time-shared by ${live.length} vCPUs`;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * A client's technique and the counter that tells it apart (M7, docs/guide.md lab M7): what
 * trap-and-emulate pays in emulated instructions and shadow-table builds, what hardware assist and
 * paravirtualization still pay in exits and hypercalls. '' for ctl (no counters: not virtualized).
 */
export function techniqueLine(c: TechniqueCounters | undefined): string {
  if (!c) return '';
  switch (c.technique) {
    case 'trap-emulate':
      return `trap-emulate · ${count(c.emulated)} emulated · ${count(c.shadowBuilds)} shadow builds`;
    case 'hardware':
      return `hardware · ${count(c.exits)} exits`;
    case 'paravirtual':
      return `paravirtual · ${count(c.hypercalls)} hypercalls · ${count(c.exits)} exits`;
  }
}

/** Every counter, for the cell's title. */
export function techniqueTitle(c: TechniqueCounters | undefined): string {
  if (!c) return 'ctl owns the real devices: it is not virtualized by a technique';
  return (
    `${count(c.exits)} exits (${count(c.hypercalls)} hypercalls, ${count(c.mmioExits)} MMIO), ` +
    `${count(c.emulated)} instructions emulated, ${count(c.shadowBuilds)} shadow tables built, ` +
    `${count(c.reflected)} faults reflected`
  );
}
