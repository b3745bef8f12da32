/**
 * The app's side of ctl's management channel (docs/guests.md#the-management-channel): one command at
 * a time, put as a request frame into the hypervisor's management mailbox (emulator/hypervisor/
 * mgmt.ts, docs/hypercalls.md#the-management-mailbox); ctl takes it, runs it with its output
 * captured and answers with a reply frame (id, status, output, error message). Nothing goes through
 * ctl's console, so its console shows none of it, and neither interleaved output nor another prompt
 * can confuse the exchange. Each request is an input of the machine: the session logs it for
 * record/replay when it enters the mailbox (docs/recording.md).
 */
import type { CtlReply } from '../../shared/api.js';
import { ERRNO } from '../../shared/hypercalls.js';
import type { MgmtMailbox, MgmtReply } from '../emulator/hypervisor/mgmt.js';

interface Pending {
  command: string;
  /** The mailbox's id once submitted, else 0. */
  id: number;
  /** Machine time (seconds) by which the answer must have come. */
  deadline: number;
  resolve(r: CtlReply): void;
}

/** Machine seconds ctl has to answer one command (a destroy of a big partition zeroes memory). */
export const CTL_TIMEOUT_SECONDS = 5;

/** ctl's own error code for a disk read that failed (resources/ctl/defs.inc CE_IO). */
const CE_IO = -16;

export class CtlChannel {
  private queue: Pending[] = [];

  constructor(
    /** The hypervisor's mailbox (undefined in dual boot: there is no ctl to ask). */
    private readonly mailbox: () => MgmtMailbox | undefined,
    /** A request entered the mailbox (the session logs it for record/replay). */
    private readonly submitted: (id: number, command: string) => void = () => {},
  ) {}

  /** Queue a command; the promise settles with ctl's answer, or a clear error and nothing sent. */
  send(command: string, now: number): Promise<CtlReply> {
    return new Promise((resolve) => {
      this.queue.push({ command, id: 0, deadline: now + CTL_TIMEOUT_SECONDS, resolve });
      this.poll(now);
    });
  }

  /** Called after each run: collects answers, submits the head command, times out an old one. */
  poll(now: number): void {
    const box = this.mailbox();
    if (!box) return;
    for (const r of box.take()) {
      const head = this.queue[0];
      // An answer nobody waits for any more (timed out, or from before a restore): dropped.
      if (head && head.id === r.id) this.finish(reply(r));
    }
    const head = this.queue[0];
    if (!head) return;
    if (head.id === 0) {
      if (!box.busy) {
        const id = box.submit(head.command);
        if (typeof id === 'string') return this.finish(refused('EINVAL', `ctl: ${id}`));
        head.id = id;
        head.deadline = now + CTL_TIMEOUT_SECONDS;
        this.submitted(id, head.command);
        return;
      }
      if (now > head.deadline) this.finish(refused('ETIMEDOUT', timeout(head, 'never took the request')));
      return;
    }
    if (now > head.deadline) this.finish(refused('ETIMEDOUT', timeout(head, 'did not answer')));
  }

  /** The machine went away: every waiting command gets an error. */
  cancel(why: string): void {
    const all = this.queue;
    this.queue = [];
    for (const p of all) p.resolve({ ok: false, lines: [], error: { name: 'EOFF', message: why } });
  }

  get busy(): boolean {
    return this.queue.length > 0;
  }

  private finish(r: CtlReply): void {
    const head = this.queue.shift();
    head?.resolve(r);
  }
}

/** ctl's reply frame as the app's CtlReply: the output's lines, and the error's name and message. */
function reply(r: MgmtReply): CtlReply {
  const lines = r.text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (r.status === 0) return { ok: true, lines };
  return { ok: false, lines, error: { name: errorName(r.status), message: r.message } };
}

function errorName(status: number): string {
  if (status === CE_IO) return 'EIO';
  return ERRNO.find((e) => e.value === status)?.name ?? `E${status}`;
}

function refused(name: string, message: string): CtlReply {
  return { ok: false, lines: [], error: { name, message } };
}

function timeout(p: Pending, what: string): string {
  return `ctl ${what} '${p.command}' within ${CTL_TIMEOUT_SECONDS} s of machine time`;
}
