/**
 * ctl's management mailbox (docs/hypercalls.md#the-management-mailbox): the app's channel to the
 * Controlling OS, apart from ctl's console. The host puts one request frame in (`submit`: a command
 * line, at most MGMT_MAX_REQUEST bytes); the hypervisor raises source 31 of partition 0's interrupt
 * controller while it waits; ctl takes it with `mgmt_recv` (the frame's id in a1), runs the command
 * with its output captured, and answers with `mgmt_reply` (id, status, output, error message). The
 * reply is output, like console bytes: it goes to `replies`, which the host drains, and is no part
 * of the machine's state. The request waiting, the one being answered and the id counter are state
 * (saved, restored, hashed), and a submit is an input that a recording logs (docs/recording.md).
 *
 * Ids are the mailbox's own (1, 2, ...), so that a snapshot restored in another session cannot mix
 * an old request's answer with a new one's.
 */

/** Bytes of one request's command text (ctl's line buffer holds a line of this length). */
export const MGMT_MAX_REQUEST = 240;
/** Bytes of one reply's output text (ctl's capture buffer); more is cut there, and said so. */
export const MGMT_MAX_REPLY = 16 * 1024;
/** Bytes of one reply's error message. */
export const MGMT_MAX_MESSAGE = 256;
/** Replies the host has not collected yet: older ones go first (the host collects every tick). */
export const MGMT_MAX_REPLIES = 8;

export interface MgmtReply {
  id: number;
  /** 0, or the error code ctl returned (hypervisor codes -1..-9, ctl's own EIO -16). */
  status: number;
  text: string;
  message: string;
}

export interface MgmtState {
  nextId: number;
  /** The request waiting for ctl's mgmt_recv, or null. */
  waiting: { id: number; text: string } | null;
  /** The id ctl took and has not answered yet (0: none). */
  taken: number;
}

const decoder = new TextDecoder();

export class MgmtMailbox {
  private nextId = 1;
  private waiting: { id: number; text: string } | null = null;
  private taken = 0;
  /** Answers ctl gave, for the host (output: not saved, not hashed). */
  readonly replies: MgmtReply[] = [];

  constructor(
    /** Called when the mailbox's line (pending request) may have changed. */
    private readonly changed: () => void,
  ) {}

  /** A request is waiting for ctl (source 31 stays high for it). */
  get pending(): boolean {
    return this.waiting !== null;
  }

  /** ctl holds a request it has not answered. */
  get busy(): boolean {
    return this.waiting !== null || this.taken !== 0;
  }

  /**
   * The host's request: its id, or why it was refused (a clear sentence; nothing changes then).
   * One at a time: the host queues the rest.
   */
  submit(text: string): number | string {
    if (this.busy) return `ctl has not answered request ${this.waiting?.id ?? this.taken} yet`;
    if (text.length === 0) return 'an empty command';
    if (text.length > MGMT_MAX_REQUEST)
      return `a command of ${text.length} characters (ctl's management mailbox takes at most ${MGMT_MAX_REQUEST})`;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e)
        return `character ${i + 1} of the command is not printable ASCII (code ${c}): one line of text only`;
    }
    const id = this.nextId++;
    this.waiting = { id, text };
    this.changed();
    return id;
  }

  /** mgmt_recv: the waiting request (it becomes the taken one), or undefined. */
  receive(): { id: number; bytes: Uint8Array } | undefined {
    const w = this.waiting;
    if (!w) return undefined;
    this.waiting = null;
    this.taken = w.id;
    this.changed();
    const bytes = new Uint8Array(w.text.length);
    for (let i = 0; i < w.text.length; i++) bytes[i] = w.text.charCodeAt(i);
    return { id: w.id, bytes };
  }

  /** The length of the waiting request's text (mgmt_recv checks the buffer against it first). */
  get waitingLength(): number {
    return this.waiting?.text.length ?? 0;
  }

  /** mgmt_reply: false when `id` is not the request ctl took. */
  answer(id: number, status: number, text: Uint8Array, message: Uint8Array): boolean {
    if (id === 0 || id !== this.taken) return false;
    this.taken = 0;
    this.replies.push({ id, status, text: decoder.decode(text), message: decoder.decode(message) });
    if (this.replies.length > MGMT_MAX_REPLIES) this.replies.shift();
    return true;
  }

  /** The replies since the last call (the host's side). */
  take(): MgmtReply[] {
    return this.replies.splice(0);
  }

  saveState(): MgmtState {
    return { nextId: this.nextId, waiting: this.waiting ? { ...this.waiting } : null, taken: this.taken };
  }

  /**
   * Older snapshots have no mailbox: an empty one. The notification line is not driven here: its
   * level is in the restored interrupt controller's state already, and driving it would wake ctl's
   * vCPU, which the snapshot did not do.
   */
  restoreState(s: MgmtState | undefined): void {
    this.nextId = s?.nextId ?? 1;
    this.waiting = s?.waiting ? { ...s.waiting } : null;
    this.taken = s?.taken ?? 0;
    this.replies.length = 0;
  }
}
