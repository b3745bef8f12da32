/**
 * The app's side of ctl's management channel (docs/guests.md#the-management-channel): one command
 * at a time, typed into ctl's console as `@TAG command`, answered by ctl with lines that start with
 * the tag and end with `@TAG ok` or `@TAG err NAME MESSAGE`. The exchange stays visible in ctl's
 * console: the app never acts behind ctl's back.
 */
import type { CtlReply } from '../../shared/api.js';

interface Pending {
  tag: string;
  command: string;
  lines: string[];
  /** Machine time (seconds) by which the answer must have come. */
  deadline: number;
  sent: boolean;
  resolve(r: CtlReply): void;
}

/** Machine seconds ctl has to answer one command (a destroy of a big partition zeroes memory). */
export const CTL_TIMEOUT_SECONDS = 5;

export class CtlChannel {
  private queue: Pending[] = [];
  private next = 1;

  constructor(
    /** Types text into ctl's console (the engine queues it against the UART's FIFO). */
    private readonly type: (text: string) => void,
    /** Whether ctl is ready for a command (its prompt is showing). */
    private readonly ready: () => boolean,
  ) {}

  /** Queue a command; the promise settles with ctl's answer or a timeout error. */
  send(command: string, now: number): Promise<CtlReply> {
    return new Promise((resolve) => {
      this.queue.push({
        tag: `h${this.next++}`,
        command,
        lines: [],
        deadline: now + CTL_TIMEOUT_SECONDS,
        sent: false,
        resolve,
      });
    });
  }

  /** Called each tick: sends the head command when ctl is ready, times out an old one. */
  poll(now: number): void {
    const head = this.queue[0];
    if (!head) return;
    if (!head.sent) {
      if (!this.ready()) {
        if (now > head.deadline)
          this.finish({ ok: false, lines: [], error: timeout(head, 'ctl never showed its prompt') });
        return;
      }
      head.sent = true;
      head.deadline = now + CTL_TIMEOUT_SECONDS;
      this.type(`@${head.tag} ${head.command}\r`);
      return;
    }
    if (now > head.deadline) this.finish({ ok: false, lines: head.lines, error: timeout(head, 'no answer') });
  }

  /** Every complete line ctl writes. */
  line(text: string): void {
    const head = this.queue[0];
    if (!head?.sent) return;
    const prefix = `@${head.tag} `;
    if (!text.startsWith(prefix)) return;
    const rest = text.slice(prefix.length);
    if (rest === 'ok') return this.finish({ ok: true, lines: head.lines });
    const err = /^err (\S+) ?(.*)$/.exec(rest);
    if (err) return this.finish({ ok: false, lines: head.lines, error: { name: err[1]!, message: err[2] ?? '' } });
    head.lines.push(rest);
  }

  /** The machine went away: every waiting command gets an error. */
  cancel(why: string): void {
    const all = this.queue;
    this.queue = [];
    for (const p of all) p.resolve({ ok: false, lines: p.lines, error: { name: 'EOFF', message: why } });
  }

  get busy(): boolean {
    return this.queue.length > 0;
  }

  private finish(reply: CtlReply): void {
    const head = this.queue.shift();
    head?.resolve(reply);
  }
}

function timeout(p: Pending, what: string): { name: string; message: string } {
  return {
    name: 'ETIMEDOUT',
    message: `ctl: ${what} to '${p.command}' within ${CTL_TIMEOUT_SECONDS} s of machine time`,
  };
}
