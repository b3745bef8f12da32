/**
 * `hyperdesk record start|stop|list|replay|seek|seekto|reverse-step|reverse-continue`
 * (docs/recording.md): record the machine of the running session (`hyperdesk serve`, found through
 * session.json in the data folder) and replay and move about a recording, through its host API.
 * `list` and `replay` also work with no session running (the data folder's store, through a host of
 * its own): `hyperdesk boot --record NAME` records without one.
 */
import type { ReplayPosition, ReplayReport } from '../../shared/api.js';
import { createHost } from '../host/host.js';
import { dataDir } from '../host/snapshotCatalog.js';
import { sessionCaller } from './sessionCall.js';

const out = (line: string) => process.stdout.write(line + '\n');
const USAGE =
  'start NAME | stop | list | replay NAME | seek SECONDS | seekto GUEST VCPU RETIRED [PC] | reverse-step GUEST VCPU [KIND] | forward-step GUEST VCPU [KIND] | reverse-continue GUEST ADDR[,ADDR...]';

function where(p: ReplayPosition): string {
  const s = p.stop;
  return s
    ? `${p.seconds.toFixed(6)} s: guest ${s.guest} vCPU ${s.vcpu} at pc 0x${s.pc.toString(16).padStart(8, '0')}, ${s.retired} retired (${s.reason})`
    : `${p.seconds.toFixed(6)} s`;
}

function replayed(r: ReplayReport): string {
  return `replayed ${r.name}: ${r.checkpoints} checkpoints matched (${r.startSeconds.toFixed(3)}..${r.endSeconds.toFixed(3)} s), console bytes ${JSON.stringify(r.consoleBytes)}, ${r.frames} frames`;
}

export async function recordCommand(action: string, args: string[]): Promise<number> {
  const data = dataDir();
  const fail = (m: string, code = 1) => {
    process.stderr.write(`hyperdesk record: ${m}\n`);
    return code;
  };
  const int = (i: number, what: string): number => {
    const v = Number(args[i]);
    if (args[i] === undefined || !Number.isInteger(v) || v < 0)
      throw new Error(`${action} needs ${what} (a whole number)`);
    return v;
  };
  const remote = sessionCaller(data);
  try {
    if (action === 'list') {
      const local = typeof remote === 'string' ? createHost('web', { dataDir: data }) : undefined;
      try {
        const all = typeof remote === 'string' ? await local!.recordings() : await remote('recordings');
        if (all.length === 0) out(`no recordings in ${data}`);
        for (const r of all)
          out(
            `${r.name.padEnd(20)} ${r.mode.padEnd(10)} ${r.seconds.toFixed(3).padStart(9)} s from ${r.startSeconds.toFixed(3)} s  ${r.inputs} inputs  ${r.checkpoints} checkpoints  ${r.bytes} bytes  ${r.createdAt}`,
          );
      } finally {
        await local?.close();
      }
      return 0;
    }
    if (typeof remote === 'string' && action === 'replay' && args[0]) {
      // No session: replay (verify) in a host of this process, as `boot --record` leaves recordings
      // (docs/recording.md#from-the-command-line). Moving about needs the replay to stay open: serve.
      const local = createHost('web', { dataDir: data });
      try {
        out(replayed(await local.replay(args[0])));
      } finally {
        await local.close();
      }
      return 0;
    }
    if (typeof remote === 'string') return fail(remote);
    switch (action) {
      case 'start': {
        if (!args[0]) return fail('start needs a recording name', 2);
        const r = await remote('recordStart', args[0]);
        out(`recording ${r.name} from ${r.seconds.toFixed(3)} s of machine time (every pCPU on one thread)`);
        return 0;
      }
      case 'stop': {
        const r = await remote('recordStop');
        out(
          `recorded ${r.name}: ${r.seconds.toFixed(3)} s, ${r.inputs} inputs, ${r.checkpoints} checkpoints, ${r.bytes} bytes`,
        );
        return 0;
      }
      case 'replay': {
        if (!args[0]) return fail('replay needs a recording name', 2);
        out(replayed(await remote('replay', args[0])));
        return 0;
      }
      case 'seek':
        if (!Number.isFinite(Number(args[0]))) return fail('seek needs SECONDS', 2);
        out(where(await remote('seek', Number(args[0]))));
        return 0;
      case 'seekto': {
        // With a pc, the first moment at that count and pc (docs/recording.md#points).
        const pc = args[3] === undefined ? undefined : Number(args[3]);
        if (pc !== undefined && (!Number.isInteger(pc) || pc < 0 || pc > 0xffffffff))
          return fail(`seekto's PC is an address (0x... or decimal), got '${args[3]}'`, 2);
        out(where(await remote('seekTo', int(0, 'GUEST'), int(1, 'VCPU'), int(2, 'RETIRED'), pc)));
        return 0;
      }
      case 'reverse-step':
      case 'forward-step': {
        // An optional step kind: instruction (the default), over or out (docs/recording.md#step-over-and-out).
        const kind = args[2] ?? 'instruction';
        if (kind !== 'instruction' && kind !== 'over' && kind !== 'out')
          return fail(`${action}'s KIND is instruction, over or out, got '${kind}'`, 2);
        const op = action === 'reverse-step' ? 'reverseStep' : 'forwardStep';
        out(where(await remote(op, int(0, 'GUEST'), int(1, 'VCPU'), kind)));
        return 0;
      }
      case 'reverse-continue':
        out(where(await remote('reverseContinue', int(0, 'GUEST'), args[1] ?? '')));
        return 0;
    }
    return fail(`unknown action '${action}' (${USAGE})`, 2);
  } catch (e) {
    return fail((e as Error).message);
  }
}
