/**
 * `hyperdesk snapshot save|list|restore|rm` (docs/snapshots.md#from-the-command-line): whole-machine
 * snapshots of the machine a running session holds (`hyperdesk serve`, found through session.json
 * in the data folder), through its host API. `list` and `rm` also work with no session running:
 * then they use the data folder's store directly, through a host of their own.
 */
import type { SnapshotInfo } from '../../shared/api.js';
import { createHost } from '../host/host.js';
import { dataDir } from '../host/snapshotCatalog.js';
import { sessionCaller, type SessionCall } from './sessionCall.js';

const out = (line: string) => process.stdout.write(line + '\n');

function describe(s: SnapshotInfo): string {
  const kib = Math.ceil(s.bytes / 1024);
  return `${s.name.padEnd(20)} ${s.mode.padEnd(10)} ${s.seconds.toFixed(3).padStart(9)} s  ${String(kib).padStart(7)} KiB  ${s.createdAt}${s.parent ? `  (after ${s.parent})` : ''}`;
}

export async function snapshotCommand(action: string, name: string | undefined): Promise<number> {
  const data = dataDir();
  const fail = (m: string, code = 1) => {
    process.stderr.write(`hyperdesk snapshot: ${m}\n`);
    return code;
  };
  const needsName = action === 'save' || action === 'restore' || action === 'rm';
  if (!['save', 'list', 'restore', 'rm'].includes(action))
    return fail(`unknown action '${action}' (save, list, restore or rm)`, 2);
  if (needsName && !name) return fail(`${action} needs a snapshot name`, 2);
  const remote = sessionCaller(data);
  try {
    if (action === 'save' || action === 'restore') {
      if (typeof remote === 'string') return fail(remote);
      if (action === 'save') {
        const s = await remote('snapshotSave', name!);
        out(`saved ${s.name}: ${s.seconds.toFixed(3)} s of machine time, ${s.bytes} bytes in ${s.file}`);
      } else {
        const st = await remote('snapshotRestore', name!);
        out(`restored ${name}: the machine is ${st.state} at ${st.seconds.toFixed(3)} s of machine time`);
      }
      return 0;
    }
    // list and rm: through the session when one runs (it keeps its own view up to date), else here.
    const local = typeof remote === 'string' ? createHost('web', { dataDir: data }) : undefined;
    try {
      const call: SessionCall =
        remote !== undefined && typeof remote !== 'string'
          ? remote
          : (m, ...a) => (local![m] as (...x: unknown[]) => Promise<never>)(...a);
      if (action === 'list') {
        const all = await call('snapshotList');
        if (all.length === 0) out(`no snapshots in ${data}`);
        for (const s of all) out(describe(s));
      } else {
        await call('snapshotRemove', name!);
        out(`removed ${name}`);
      }
    } finally {
      await local?.close();
    }
    return 0;
  } catch (e) {
    return fail((e as Error).message);
  }
}
