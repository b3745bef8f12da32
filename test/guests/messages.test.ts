/**
 * M19 from the guests' side (docs/guests.md#messages-and-shared-pages): ctl's `msg` reaches cos's
 * mailbox (`mail`); echosrv and echocli talk across the demo's two cos with synchronous calls; produce
 * and consume move bytes through one shared page; every refusal has its reason, in the program's
 * words and in the hypervisor's log, which the app's message sequence reads (messageRows.ts).
 * Together they walk docs/guide.md#lab-m19-messages-and-shared-pages: every command of the lab, and
 * what it says you will see.
 */
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/main/engine/messageRows.js';
import { bootCtl, type HvRun } from './hvrun.js';

const names = (r: HvRun) => (id: number) => r.hv.partitions.get(id)?.name ?? `partition ${id}`;
const messages = (r: HvRun) => rowsOf(r.hv.events, names(r));

describe("cos's mailbox", () => {
  it("ctl's msg reaches cos's mail; the mailbox keeps the newest 8; a waiting program gets a message at once", async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('ctl', 'msg 1 hello cos')).toBe('ctl: sent 9 bytes to 1 (cos)\n');
    expect(r.cmd('cos', 'mail')).toBe(
      'mailbox: 1 messages (the newest 8 are kept; 0 lost)\n  1 from 0   message          9 bytes: hello cos\n',
    );
    expect(r.cmd('cos', 'mail 1')).toMatch(/^message 1 from partition 0, 9 bytes, at \d+ ms:\nhello cos\n$/);
    expect(r.cmd('cos', 'mail 2')).toBe('mail: no message 2 (mail lists them)\n');
    expect(messages(r).at(-1)).toMatchObject({
      from: 0,
      to: 1,
      toName: 'cos',
      op: 'send',
      bytes: 9,
      text: 'hello cos',
    });
    for (let i = 1; i <= 9; i++) r.cmd('ctl', `msg 1 note ${i}`);
    const list = r.cmd('cos', 'mail');
    expect(list).toMatch(/^mailbox: 8 messages \(the newest 8 are kept; 2 lost\)\n/);
    expect(list).toContain('  1 from 0   message          6 bytes: note 2\n');
    expect(list).toContain('  8 from 0   message          6 bytes: note 9\n');
    expect(r.cmd('cos', 'mail clear')).toBe('mailbox emptied\n');
    // cos to cos from the shell, and a refusal with its reason in the log.
    expect(r.cmd('cos', 'mail send 3 from the shell')).toBe('mail: sent to partition 3\n');
    expect(r.cmd('cos2', 'mail')).toContain('  1 from 1   message         14 bytes: from the shell\n');
    expect(r.cmd('cos', 'mail send 9 anyone')).toBe(
      "mail: send to partition 9 failed (error 2: see the hypervisor's log)\n",
    );
    expect(messages(r).at(-1)).toMatchObject({ from: 1, to: 9, op: 'send', error: 'ENOENT: no partition 9' });
    // A program waiting in msg_recv has the next message at once, and prints it.
    r.type('cos2', 'echosrv &\r');
    r.expect('cos2', 'answering calls with their own text (Ctrl-C ends it)\r\n');
    // (the mailbox's "from the shell" is the first thing it reads)
    r.expect('cos2', 'echosrv: message from partition 1: "from the shell"\r\n');
    expect(r.cmd('ctl', 'msg 3 straight to a program')).toBe('ctl: sent 21 bytes to 3 (cos2)\n');
    r.expect('cos2', 'echosrv: message from partition 0: "straight to a program"\r\n');
    expect(r.cmd('cos2', 'mail')).toMatch(
      /^mailbox: 0 messages .*\npid \d+ listens: msg_recv takes the oldest message\n$/,
    );
  }, 120_000);
});

describe('echosrv and echocli: synchronous calls across two cos', () => {
  it('each call gets its own text back, with the round trip; the log pairs each call with its reply', async () => {
    const r = await bootCtl();
    r.booted();
    // Nobody listens in cos2 yet: cos answers the call at once, empty, so the caller never hangs.
    expect(r.cmd('cos', 'echocli 3')).toBe(
      'echocli: an empty reply from partition 3: nobody listens there (run echosrv & in it)\n' +
        'cos: pid 1 (echocli) exited with code 1\n',
    );
    r.cmd('cos2', 'echosrv &');
    r.expect('cos2', '(Ctrl-C ends it)\r\n');
    const out = r.cmd('cos', 'echocli 3 3 hello');
    const trips = [...out.matchAll(/^echocli: call (\d): reply "hello" in (\d+) us of machine time$/gm)];
    expect(trips.map((m) => m[1])).toEqual(['1', '2', '3']);
    expect(out).toMatch(
      /\nechocli: 3 calls to partition 3, round trip average \d+ us, fastest \d+ us of machine time\n$/,
    );
    for (let i = 0; i < 3; i++) r.expect('cos2', 'echosrv: call from partition 1: "hello"\r\n');
    const calls = messages(r).filter((m) => !m.error && (m.op === 'call' || m.op === 'reply'));
    expect(calls.map((m) => `${m.from}>${m.to} ${m.op} ${m.text}`).slice(-6)).toEqual([
      '1>3 call hello',
      '3>1 reply hello',
      '1>3 call hello',
      '3>1 reply hello',
      '1>3 call hello',
      '3>1 reply hello',
    ]);
    // The round trip echocli measured (its own clock) and the one the log shows (the hypervisor's)
    // are the same machine time, to within a few microseconds of the instructions around the call.
    const logged = calls.filter((m) => m.op === 'call').slice(-3);
    logged.forEach((m, i) => {
      expect(m.replySeconds).toBeGreaterThan(0);
      expect(Math.abs(m.replySeconds! * 1e6 - Number(trips[i]![2]))).toBeLessThan(10);
    });
  }, 120_000);

  it('refuses bad calls with the reason: no such partition, itself, a partition that stops while it waits', async () => {
    const r = await bootCtl();
    r.booted();
    expect(r.cmd('cos', 'echocli 9')).toBe(
      'echocli: msg_call to partition 9 refused: ENOENT: no such partition or share, or it is not running\n' +
        'cos: pid 1 (echocli) exited with code 1\n',
    );
    expect(r.cmd('cos', 'echocli 1')).toBe(
      'echocli: msg_call to partition 1 refused: EINVAL: a bad argument (a message holds 0..256 bytes; a partition cannot call itself)\n' +
        'cos: pid 2 (echocli) exited with code 1\n',
    );
    const refused = messages(r).filter((m) => m.error);
    expect(refused.map((m) => `${m.op} ${m.from}>${m.to}: ${m.error}`)).toEqual([
      'call 1>9: ENOENT: no partition 9',
      'call 1>1: EINVAL: partition 1 cannot call itself',
    ]);
    // swos never answers: the call waits (all of cos with it) until swos stops, then fails.
    r.type('cos', 'echocli 2\r');
    r.run(30_000_000);
    expect(r.hv.partitions.get(1)!.vcpus[0]!.waitingReplyFrom).toBe(2);
    expect(r.cmd('ctl', 'stop 2')).toBe('ctl: stopped 2 (swos)\n');
    expect(r.expect('cos', 'cos> ')).toContain(
      'echocli: msg_call to partition 2 refused: ENOENT: no such partition or share, or it is not running\n',
    );
    expect(r.cmd('cos', 'echo cos goes on')).toBe('cos goes on\n');
  }, 120_000);
});

describe('produce and consume: bytes through one shared page', () => {
  it('moves 64 KiB with no copy, the same sum on both sides, and counts bytes per second', async () => {
    const r = await bootCtl();
    r.booted();
    r.cmd('cos2', 'consume &');
    r.expect('cos2', 'consume: waiting for an offer (run produce ID in the other cos)\r\n');
    const made = r.cmd('cos', 'produce 3 64');
    expect(made).toMatch(
      /^produce: offered a page to partition 3 \(share 1\); waiting for consume there\nproduce: consume mapped it; writing 64 KiB into the shared page\nproduce: wrote 65536 bytes \(sum 134209536\) in \d+ us of machine time, no copies\n$/,
    );
    const got = r.expect('cos2', 'zero copies\r\n');
    const m =
      /consume: read 65536 bytes in (\d+) us of machine time: (\d+) bytes\/s \((\d+) KiB\/s\), sum 134209536, 0 errors, zero copies/.exec(
        got,
      );
    expect(m).not.toBeNull();
    const [us, bps, kibs] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(bps).toBe(kibs * 1024);
    expect(Math.abs(kibs - Math.floor((64 * 1e6) / us))).toBeLessThanOrEqual(1);
    // Zero copy: one host page, cos's, mapped into cos2 at its share window.
    const share = r.hv.shares.find((s) => s.from === 1 && s.to === 3);
    expect(share?.at).toBe(0x40000000);
    expect(r.hv.partitions.get(3)!.shared.map((x) => x.hpa)).toContain(share!.hpa);
    // The page stays cos's after produce ended (cos2 may still map it): cos does not reuse it.
    expect(r.cmd('cos', 'run hello')).toBe('Hello from user mode!\n');
    expect(r.cmd('cos', 'produce 9 1')).toBe(
      'produce: share_offer refused: ENOENT: no such partition or share, or it is not running\n' +
        'cos: pid 3 (produce) exited with code 1\n',
    );
    expect(messages(r).filter((m) => m.error)).toEqual([]); // a share is not a message: not in this log
  }, 180_000);
});
