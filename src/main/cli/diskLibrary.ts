/**
 * `hyperdesk disk list|import|delete|attach|detach` (docs/disks.md#disks-in-the-app): the images in
 * the data folder's disks/ folder, the same calls the Disks view makes (images, imageImport,
 * imageDelete, machineAttach, machineDetach). Through the running session (`hyperdesk serve`) when
 * there is one, so that its running machine's disks are refused as in the app; else through a host
 * of this command's own on the data folder's store.
 */
import { basename } from 'node:path';
import type { ImageInfo } from '../../shared/api.js';
import { createHost } from '../host/host.js';
import { dataDir } from '../host/snapshotCatalog.js';
import { sessionCaller, type SessionCall } from './sessionCall.js';

const out = (line: string) => process.stdout.write(line + '\n');

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(bytes % (1 << 20) ? 1 : 0)} MiB` : `${bytes >> 10} KiB`;
}

/** One image as `disk list` prints it: a head line, then a line per partition. */
export function describeImage(i: ImageInfo): string[] {
  const uses = [
    i.usedBy.length ? `used by ${i.usedBy.join(', ')}` : 'not attached',
    i.runningDisk !== undefined ? `disk ${i.runningDisk} of the running machine` : '',
    i.snapshots.length ? `snapshots: ${i.snapshots.join(', ')}` : '',
    i.working ? `working copy of ${i.working.builtImage}${i.working.outdated ? ' (outdated)' : ''}` : '',
  ].filter(Boolean);
  const lines = [
    `${i.name}  ${size(i.bytes)}  ${i.partitions.length} partition${i.partitions.length === 1 ? '' : 's'}  ${uses.join('; ')}`,
  ];
  if (i.problem) lines.push(`  problem: ${i.problem}`);
  for (const p of i.partitions) {
    const what = p.fs
      ? `${p.fs.kind}, ${p.fs.files} file${p.fs.files === 1 ? '' : 's'}, ${p.fs.freeBlocks} blocks free${p.fs.warnings.length ? `, ${p.fs.warnings.length} warnings` : ''}`
      : (p.problem ?? (p.type === 'raw' ? 'raw' : `${p.type}, no file system (mkfs)`));
    lines.push(
      `  ${p.number}  ${p.name.padEnd(12)} blocks ${p.first}..${p.first + p.blocks - 1}${p.os ? `  OS ${p.os}` : ''}  ${what}`,
    );
  }
  return lines;
}

export async function libraryCommand(action: string, args: string[]): Promise<number> {
  const data = dataDir();
  const fail = (m: string, code = 1) => {
    process.stderr.write(`hyperdesk disk ${action}: ${m}\n`);
    return code;
  };
  const need: Record<string, number> = { list: 0, import: 1, delete: 1, attach: 2, detach: 2 };
  if (args.length < need[action]!) return fail(`needs ${need[action]} argument(s); see hyperdesk disk --help`, 2);
  const remote = sessionCaller(data);
  const local = typeof remote === 'string' ? createHost('web', { dataDir: data }) : undefined;
  const call: SessionCall =
    typeof remote !== 'string' ? remote : (m, ...a) => (local![m] as (...x: unknown[]) => Promise<never>)(...a);
  try {
    switch (action) {
      case 'list': {
        const all = await call('images');
        if (all.length === 0) out(`no images in ${data}/disks (hyperdesk disk import FILE, or create one there)`);
        for (const i of all) for (const l of describeImage(i)) out(l);
        return 0;
      }
      case 'import': {
        const name = args[1] ?? basename(args[0]!).replace(/(\.img)?$/, '.img');
        const i = await call('imageImport', args[0]!, name);
        out(`${args[0]}: imported as ${i.path}`);
        for (const l of describeImage(i)) out(l);
        return 0;
      }
      case 'delete':
        await call('imageDelete', args[0]!);
        out(`${args[0]}: deleted from ${data}/disks`);
        return 0;
      case 'attach':
      case 'detach': {
        const m = await call(action === 'attach' ? 'machineAttach' : 'machineDetach', args[0]!, args[1]!);
        out(`${m.name}: disks ${m.config.disks.map((d) => basename(d)).join(', ')} (from its next boot)`);
        return 0;
      }
    }
    return fail('unknown action', 2);
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    await local?.close();
  }
}
