/**
 * The ctl command words the panel sends (docs/guests.md#shell): each action of the panel becomes the
 * same line a person would type at ctl's console, checked here only for what would make it
 * ambiguous (spaces in a name, an empty field). Ranges and meaning are ctl's to judge: its error
 * answers are shown as they are.
 */

export type PanelAction =
  | { kind: 'create'; id: number; name: string }
  | { kind: 'start'; id: number; os?: string; size?: string }
  | { kind: 'stop' | 'restart' | 'destroy'; id: number }
  /** M17: the whole guest to the hypervisor's swap store (its memory back to ctl), or back. */
  | { kind: 'swap-out' | 'swap-in'; id: number }
  | { kind: 'assign-cpu'; id: number; cpu: number }
  | { kind: 'assign-mem'; id: number; size: string }
  | { kind: 'resize'; id: number; size: string }
  | { kind: 'move'; device: string; id: number }
  /** M21, M18: its highest vCPU back, or a device back to ctl (a running guest is asked). */
  | { kind: 'remove-cpu'; id: number }
  | { kind: 'remove-dev'; id: number; device: string }
  | { kind: 'msg'; id: number; text: string }
  | { kind: 'sched'; id: number; weight: number; sliceUs?: number }
  /** M7: how the hypervisor virtualizes it from its next start (ctl refuses while it runs). */
  | { kind: 'technique'; id: number; technique: string }
  /** M24: the guest a hypervisor crash keeps (null: none). */
  | { kind: 'prefer'; id: number | null }
  /** The fault-injection lab: one of FAULTS into a client (crash: into the hypervisor). */
  | { kind: 'fault'; fault: string; id: number }
  /** M23: a backup partition that takes over (docs/fault-tolerance.md). */
  | { kind: 'ft'; id: number; on: boolean };

/**
 * The faults of the lab (docs/guide.md#the-fault-injection-lab-m22-m24), as ctl's `fault` command
 * names them, with what the app's menu says of each: what is injected and what contains it
 * (docs/hypercalls.md#fault-injection).
 */
export const FAULTS = [
  {
    fault: 'kernel',
    label: 'Kernel fault',
    contained: 'its own kernel (cos panics and stops), then ctl’s fault policy',
  },
  {
    fault: 'irqoff',
    label: 'Interrupts-off loop',
    contained: 'the hypervisor’s watchdog: stopped after 100 of its time slices',
  },
  {
    fault: 'wild',
    label: 'Write outside memory',
    contained: 'stage-2 translation: the write never lands, the partition is stopped',
  },
  {
    fault: 'dma',
    label: 'DMA outside memory',
    contained: 'its DMA domain: the transfer is refused (STATUS 3), the guest goes on',
  },
  {
    fault: 'fail',
    label: 'Primary failure',
    contained: 'fail-stop: the partition stops and ctl is told; with a backup (Fault tolerance) the backup takes over',
  },
  {
    fault: 'crash',
    label: 'Hypervisor crash',
    contained: 'the recovery path: the preferred guest goes on, every other guest is lost, ctl reboots',
  },
  {
    fault: 'diskerr',
    label: 'Disk write error',
    contained: 'its disk: the next write fails (STATUS 4), nothing is written, its driver sees it',
  },
] as const;

/** The techniques ctl's `technique` command takes (docs/hypercalls.md#virtualization-techniques). */
export const TECHNIQUES = ['paravirtual', 'hardware', 'trap-emulate'] as const;

const WORD = /^[A-Za-z0-9_.+-]+$/;
const SIZE = /^[+-]?\d+[KkMm]?$/;

/** The command line for an action, or an error in words when a field cannot be sent as it is. */
export function commandFor(a: PanelAction): { command: string } | { error: string } {
  const id = (n: number | null) => n === null || (Number.isInteger(n) && n >= 0);
  if ('id' in a && !id(a.id)) return { error: 'the partition id must be a whole number' };
  switch (a.kind) {
    case 'create':
      if (!WORD.test(a.name)) return { error: 'the name must be one word (letters, digits, _ . + -)' };
      return { command: `create ${a.id} ${a.name}` };
    case 'start': {
      if (a.os !== undefined && a.os !== '' && !WORD.test(a.os))
        return { error: 'the OS must be one word (cos, swos)' };
      if (a.size && !SIZE.test(a.size)) return { error: 'the size is a number with K or M (8M)' };
      const os = a.os ? ` ${a.os}${a.size ? ` ${a.size}` : ''}` : '';
      return { command: `start ${a.id}${os}` };
    }
    case 'stop':
    case 'restart':
    case 'destroy':
      return { command: `${a.kind} ${a.id}` };
    case 'swap-out':
      return { command: `swap ${a.id} out` };
    case 'swap-in':
      return { command: `swap ${a.id} in` };
    case 'assign-cpu':
      if (!id(a.cpu)) return { error: 'the pCPU must be a whole number' };
      return { command: `assign ${a.id} cpu ${a.cpu}` };
    case 'assign-mem':
      if (!SIZE.test(a.size)) return { error: 'the size is a number with K or M (8M)' };
      return { command: `assign ${a.id} mem ${a.size}` };
    case 'resize': {
      const size = a.size.startsWith('+') || a.size.startsWith('-') ? a.size : `+${a.size}`;
      if (!SIZE.test(size)) return { error: 'the size is a number with K or M (+4M)' };
      return { command: `resize ${a.id} ${size}` };
    }
    case 'move':
      if (!WORD.test(a.device)) return { error: 'pick a device' };
      return { command: `move ${a.device} ${a.id}` };
    case 'remove-cpu':
      return { command: `remove ${a.id} cpu` };
    case 'remove-dev':
      if (!WORD.test(a.device)) return { error: 'pick a device' };
      return { command: `remove ${a.id} dev ${a.device}` };
    case 'msg': {
      const text = a.text.replace(/[\r\n]+/g, ' ').trim();
      if (!text) return { error: 'the message is empty' };
      return { command: `msg ${a.id} ${text}` };
    }
    case 'sched':
      if (!Number.isInteger(a.weight)) return { error: 'the weight must be a whole number' };
      return { command: `sched ${a.id} ${a.weight}${a.sliceUs !== undefined ? ` ${a.sliceUs}` : ''}` };
    case 'technique':
      if (!(TECHNIQUES as readonly string[]).includes(a.technique))
        return { error: `the technique is one of ${TECHNIQUES.join(', ')}` };
      return { command: `technique ${a.id} ${a.technique}` };
    case 'prefer':
      return { command: a.id === null ? 'prefer none' : `prefer ${a.id}` };
    case 'fault':
      if (!FAULTS.some((f) => f.fault === a.fault)) return { error: 'pick a fault from the list' };
      return { command: a.fault === 'crash' ? 'fault crash' : `fault ${a.fault} ${a.id}` };
    case 'ft':
      return { command: `ft ${a.id} ${a.on ? 'on' : 'off'}` };
  }
}

/**
 * The panel's technique switch as ctl needs it: a running guest keeps its technique (EBUSY), so it
 * is stopped first and restarted after, and one that is not running just gets it for its next start.
 */
export function techniqueActions(id: number, technique: string, state: string | undefined): PanelAction[] {
  const set: PanelAction = { kind: 'technique', id, technique };
  return state === 'running' ? [{ kind: 'stop', id }, set, { kind: 'restart', id }] : [set];
}

/** The lowest partition id from 1 that nobody has, for the "create" form's default. */
export function nextFreeId(ids: readonly number[]): number {
  const used = new Set(ids);
  for (let i = 1; i < 64; i++) if (!used.has(i)) return i;
  return 63;
}
