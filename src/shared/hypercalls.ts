/**
 * The one hypercall table (docs/hypercalls.md): number, name, who may call it, in which states of
 * the target partition a control call is legal, arguments and result. The hypervisor's dispatcher
 * checks the caller and the states from it, docs/hypercalls.md's API tables are generated from it
 * (`npm run docs`; a test fails when they are stale), and the app reads it. Every hypercall is made
 * from supervisor mode: from user mode the instruction traps to the guest's own kernel
 * (docs/isa.md#virtualizability).
 */
export type PartitionStateName = 'created' | 'running' | 'stopped' | 'faulted' | 'swapped' | 'destroyed';

export interface HypercallInfo {
  readonly nr: number;
  readonly name: string;
  /** client: any partition; control: partition 0 (the Controlling OS) only, EPERM for the others. */
  readonly api: 'client' | 'control';
  /** For a control call on partition a0: the states it is legal in (EBUSY otherwise); absent = any. */
  readonly states?: readonly PartitionStateName[];
  readonly args: string;
  readonly result: string;
}

export const HYPERCALLS = [
  { nr: 0x00, name: 'hv_version', api: 'client', args: '-', result: 'version (1)' },
  {
    nr: 0x01,
    name: 'console_write',
    api: 'client',
    args: 'a0 buffer, a1 length',
    result: 'bytes written: a paravirtual console (M18)',
  },
  { nr: 0x02, name: 'console_read', api: 'client', args: 'a0 buffer, a1 max', result: 'bytes read, 0 when none' },
  { nr: 0x03, name: 'yield', api: 'client', args: '-', result: '0: give the pCPU to another vCPU' },
  {
    nr: 0x04,
    name: 'shutdown',
    api: 'client',
    args: 'a0 exit code',
    result: 'does not return: the partition stops; ctl gets a notice message',
  },
  { nr: 0x05, name: 'partition_id', api: 'client', args: '-', result: "the caller's id" },
  {
    nr: 0x06,
    name: 'request',
    api: 'client',
    args: 'a0 kind (1 memory bytes, 2 vCPUs, 3 a device), a1 amount (kind 3: the device id, NUL-terminated)',
    result: '0: a request message queued to ctl, which decides (`request ID mem|cpu|dev AMOUNT|DEVICE`)',
  },
  {
    nr: 0x07,
    name: 'mem_release',
    api: 'client',
    args: 'a0 size (4 KiB multiple, less than all)',
    result:
      "0: the top `size` bytes of the caller's memory go back to ctl (how a guest agrees to give memory back, M21)",
  },
  {
    nr: 0x08,
    name: 'net_send',
    api: 'client',
    args: 'a0 frame, a1 length (14..1514)',
    result:
      "0: the frame enters the bridge at the caller's port (paravirtual network, M18; ENOENT without a virtual nic)",
  },
  {
    nr: 0x09,
    name: 'net_recv',
    api: 'client',
    args: 'a0 buffer, a1 size',
    result:
      "the length of the next frame waiting at the caller's port, copied there; 0 when none; EINVAL (the frame stays queued) when it does not fit",
  },
  {
    nr: 0x10,
    name: 'msg_send',
    api: 'client',
    args: 'a0 destination id, a1 buffer, a2 length (<= 256)',
    result: '0; asynchronous (M19)',
  },
  {
    nr: 0x11,
    name: 'msg_call',
    api: 'client',
    args: 'a0 destination, a1 buffer, a2 length, a3 reply buffer, a4 reply max',
    result: 'reply length; blocks until the reply',
  },
  {
    nr: 0x12,
    name: 'msg_recv',
    api: 'client',
    args: 'a0 buffer, a1 max',
    result: 'length (a1 = sender id, a2 = 1 if the sender waits for a reply), EAGAIN when none',
  },
  {
    nr: 0x13,
    name: 'msg_reply',
    api: 'client',
    args: 'a0 destination, a1 buffer, a2 length',
    result: '0; wakes the caller of msg_call',
  },
  {
    nr: 0x14,
    name: 'share_offer',
    api: 'client',
    args: 'a0 guest-physical page, a1 destination id',
    result: 'a share id: offers the page',
  },
  {
    nr: 0x15,
    name: 'share_accept',
    api: 'client',
    args: 'a0 share id, a1 guest-physical page of the caller',
    result: '0: the page is mapped in both (zero copy)',
  },
  {
    nr: 0x18,
    name: 'cpu_release',
    api: 'client',
    args: 'a0 vCPU number (its highest; called from another of its vCPUs)',
    result:
      '0: that vCPU leaves the caller (how a guest agrees to give a vCPU back, M21); EINVAL for its last or not its highest',
  },
  {
    nr: 0x19,
    name: 'dev_release',
    api: 'client',
    args: 'a0 device id (NUL-terminated; a controller goes with its subtree)',
    result: '0: the device goes back to ctl (how a guest agrees to give a device back, M18, M21)',
  },
  {
    nr: 0x100,
    name: 'part_create',
    api: 'control',
    args: "a0 id (1..254: 255 is the hypervisor's sender id and a MAC's last byte), a1 name (NUL-terminated)",
    result: '0',
  },
  {
    nr: 0x101,
    name: 'part_assign_cpu',
    api: 'control',
    args: 'a0 id, a1 pCPU number (the vCPU is pinned there; -1 = any)',
    result: 'vCPU number',
  },
  {
    nr: 0x102,
    name: 'part_assign_mem',
    api: 'control',
    args: "a0 id, a1 caller's guest-physical start, a2 size (4 KiB multiple)",
    result: "0: the range leaves the caller and is appended to the partition's guest-physical memory",
  },
  {
    nr: 0x103,
    name: 'part_assign_dev',
    api: 'control',
    args: 'a0 id, a1 device id (NUL-terminated, e.g. "uart1")',
    result: '0: the subtree moves from the caller (or from a stopped owner)',
  },
  {
    nr: 0x104,
    name: 'part_grant_disk',
    api: 'control',
    args: 'a0 id, a1 disk node id, a2 disk partition number',
    result: "0: the client's virtual disk may use that disk partition",
  },
  {
    nr: 0x105,
    name: 'part_start',
    api: 'control',
    states: ['created', 'stopped', 'faulted'],
    args: 'a0 id, a1 entry (guest-physical), a2 flags (bit 0: write boot info)',
    result: '0',
  },
  { nr: 0x106, name: 'part_stop', api: 'control', states: ['running'], args: 'a0 id', result: '0' },
  {
    nr: 0x107,
    name: 'part_destroy',
    api: 'control',
    args: 'a0 id',
    result: '0: memory and devices return to the caller',
  },
  {
    nr: 0x108,
    name: 'part_query',
    api: 'control',
    args: 'a0 id, a1 buffer (64 bytes)',
    result: '0: state, vCPUs, memory, counters (layout below)',
  },
  {
    nr: 0x109,
    name: 'sched_set',
    api: 'control',
    args: 'a0 id, a1 weight (1..100), a2 time slice in microseconds (0 = default)',
    result: '0',
  },
  {
    nr: 0x10a,
    name: 'part_restart',
    api: 'control',
    states: ['running', 'stopped', 'faulted'],
    args: 'a0 id',
    result:
      '0: stop, reset its vCPUs, start at the same entry from the image it was started with; EINVAL if it was never started',
  },
  {
    nr: 0x10b,
    name: 'part_swap_out',
    api: 'control',
    states: ['running', 'stopped'],
    args: 'a0 id',
    result: '0: the whole guest goes to the swap store, its memory back to ctl; its vCPUs keep their state (M17)',
  },
  {
    nr: 0x10c,
    name: 'part_swap_in',
    api: 'control',
    states: ['swapped'],
    args: "a0 id, a1 caller's guest-physical start",
    result: '0: memory of the same size taken from ctl at that address; the guest resumes where it was',
  },
  {
    nr: 0x10d,
    name: 'part_remove_mem',
    api: 'control',
    states: ['running'],
    args: 'a0 id, a1 size',
    result:
      '0: asks the guest (notice `mem-remove SIZE`); it agrees by calling mem_release, or refuses by not doing so',
  },
  {
    nr: 0x10f,
    name: 'bridge_stats',
    api: 'control',
    args: 'a0 port index (0, 1, ... in the order of port ids), a1 buffer (40 bytes)',
    result: '0: that bridge port and its counters (layout below); ENOENT past the last port',
  },
  {
    nr: 0x110,
    name: 'part_technique',
    api: 'control',
    states: ['created', 'stopped', 'faulted'],
    args: 'a0 id (a client), a1 technique (0 paravirtual, 1 hardware, 2 trap-emulate)',
    result: '0: used from its next start; EBUSY while it runs or is swapped out (section Virtualization techniques)',
  },
  {
    nr: 0x115,
    name: 'ft_on',
    api: 'control',
    states: ['running'],
    args: "a0 id (a one-vCPU client), a1 address of ctl memory for the backup, a2 its size (= the client's), a3 the backup's id (a free one)",
    result:
      "the backup's id: partition a3 (NAME~b) gets that memory and a vCPU on another pCPU and follows the client epoch by epoch (M23, docs/fault-tolerance.md); EINVAL for ctl or a client with more vCPUs, EBUSY when it is paired already, ENOMEM when the size is not the client's",
  },
  {
    nr: 0x116,
    name: 'ft_off',
    api: 'control',
    args: 'a0 id (a primary)',
    result: '0: its held output leaves, its backup is destroyed (its memory back to ctl); ENOENT when it has none',
  },
  {
    nr: 0x117,
    name: 'ft_query',
    api: 'control',
    args: 'a0 id, a1 buffer (32 bytes)',
    result:
      "0: its pair (backup id or -1, epoch, lag in instructions, held bytes, held frames, pages copied at the last epoch, last takeover in cycles or -1, the backup's pCPU; docs/fault-tolerance.md#ft_query); ENOENT when it has no backup and was never taken over",
  },
  {
    nr: 0x11a,
    name: 'part_remove_cpu',
    api: 'control',
    states: ['created', 'running', 'stopped', 'faulted'],
    args: 'a0 id',
    result:
      '0: its highest vCPU goes now, or (running) the guest is asked (notice `cpu-remove N`) and agrees with cpu_release; EINVAL for its last vCPU',
  },
  {
    nr: 0x11b,
    name: 'part_remove_dev',
    api: 'control',
    states: ['created', 'running', 'stopped', 'faulted'],
    args: 'a0 id, a1 device id (NUL-terminated; one it owns)',
    result:
      '0: the device comes back to ctl now, or (running) the guest is asked (notice `dev-remove DEV ...`) and agrees with dev_release, or refuses',
  },
  {
    nr: 0x111,
    name: 'part_prefer',
    api: 'control',
    args: 'a0 id (a client; -1: none)',
    result:
      '0: the preferred guest, the one a hypervisor crash does not lose (M24, section The preferred guest); EINVAL for ctl',
  },
  {
    nr: 0x112,
    name: 'fault_inject',
    api: 'control',
    args: 'a0 fault (0 kernel, 1 irqoff, 2 wild, 3 dma, 4 fail, 5 crash, 6 diskerr), a1 id (a client; 0 for crash)',
    result: '0: the fault is injected (section Fault injection); what contains it is logged',
  },
  {
    nr: 0x113,
    name: 'mgmt_recv',
    api: 'control',
    args: 'a0 buffer, a1 size',
    result:
      "the length of the app's waiting management request (its command text), copied there, a1 = its id; EAGAIN when none; EINVAL (it stays waiting) when it does not fit (section The management mailbox)",
  },
  {
    nr: 0x114,
    name: 'mgmt_reply',
    api: 'control',
    args: 'a0 request id, a1 status (0 or an error code), a2 output, a3 its length (<= 16384), a4 error message, a5 its length (<= 256)',
    result: '0: the answer goes to the app; ENOENT when the id is not the request taken and unanswered',
  },
  {
    nr: 0x120,
    name: 'part_idle',
    api: 'control',
    args: 'a0 id',
    result:
      'microseconds of machine time since its last activity (console byte, message, a whole time slice computed, start or swap-in), saturating at 2^31-1 (section Idle time and input while swapped)',
  },
] as const satisfies readonly HypercallInfo[];

export type HypercallName = (typeof HYPERCALLS)[number]['name'];

/** Hypercall numbers by name. */
export const HC = Object.fromEntries(HYPERCALLS.map((h) => [h.name, h.nr])) as {
  readonly [K in HypercallName]: number;
};

const BY_NUMBER = new Map<number, HypercallInfo>(HYPERCALLS.map((h) => [h.nr, h]));

/** The table's entry for hypercall `nr`, or undefined (ENOSYS). */
export function hypercallInfo(nr: number): HypercallInfo | undefined {
  return BY_NUMBER.get(nr);
}

/** Error codes a guest gets in a0 (docs/hypercalls.md#calling-convention), with what each means. */
export const ERRNO = [
  { name: 'EPERM', value: -1, doc: 'not allowed for this caller (a control call from a client)' },
  { name: 'EINVAL', value: -2, doc: 'a bad argument' },
  { name: 'ENOENT', value: -3, doc: 'no such partition, device, share or message' },
  { name: 'EBUSY', value: -4, doc: 'the partition is not in a state that allows it' },
  {
    name: 'ENOMEM',
    value: -5,
    doc: "not enough memory, the range is not the caller's, or the hypervisor's reserve is full",
  },
  { name: 'EFAULT', value: -6, doc: "a buffer outside the caller's memory" },
  { name: 'EAGAIN', value: -7, doc: "nothing there now (non-blocking receive), or the destination's inbox is full" },
  { name: 'ENOSYS', value: -8, doc: 'no such hypercall' },
  {
    name: 'ENOSPC',
    value: -9,
    doc: 'a table the caller fills is full: 16 pending share offers per partition, 64 shared pages into one',
  },
] as const;
