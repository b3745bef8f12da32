/**
 * The host API's image calls (src/shared/api.ts: images, imageCreate ... machineAttach), over the
 * image library (imageLibrary.ts), the store's saved machines and the engine
 * (docs/disks.md#disks-in-the-app). An image the running machine uses is open in the engine: its
 * files go through the running guest that boots from the partition (the guest-file calls listFiles,
 * readFile, writeFile), and everything else is refused until the machine is off, so the host never
 * writes a file the engine holds.
 */
import { basename } from 'node:path';
import type {
  HostApi,
  ImageFiles,
  ImageInfo,
  MachineConfig,
  MachineStatus,
  SavedMachine,
  SnapshotInfo,
} from '../../shared/api.js';
import { disksOf, ImageLibrary, same, type LibraryContext } from './imageLibrary.js';
import type { WorkingDisks } from './workingDisks.js';

export type ImageCalls = Pick<
  HostApi,
  | 'images'
  | 'imageCreate'
  | 'imageImport'
  | 'imageDelete'
  | 'imagePartitionAdd'
  | 'imagePartitionRemove'
  | 'imageMkfs'
  | 'imageFiles'
  | 'imageReadFile'
  | 'imageWriteFile'
  | 'imageDeleteFile'
  | 'machineAttach'
  | 'machineDetach'
>;

export interface ImageCallDeps {
  library: ImageLibrary;
  working: WorkingDisks;
  /** The working copy's path (`<data>/disks/hyperdesk.img`): a machine with no disks runs from it. */
  demo: string;
  status(): Promise<MachineStatus>;
  /** The saved machines, and saving one (undefined: the store is off, and says why). */
  machines(): SavedMachine[];
  saveMachine: ((name: string, config: MachineConfig) => SavedMachine) | string;
  snapshots(): SnapshotInfo[];
  /** The guest-file calls of the host, which go through the engine. */
  guests: Pick<HostApi, 'listFiles' | 'readFile' | 'writeFile'>;
  log(kind: string, detail: string): void;
}

/** A machine has at most this many disks (checkConfig). */
const MAX_DISKS = 4;

export function imageCalls(d: ImageCallDeps): ImageCalls {
  const { library } = d;

  const context = async (): Promise<LibraryContext> => {
    const s = await d.status();
    const runs = s.state === 'running' || s.state === 'booting';
    return {
      machines: d.machines(),
      ...(runs && s.config ? { running: s.config.disks } : {}),
      snapshots: d.snapshots(),
    };
  };

  const info = async (name: string, ctx?: LibraryContext): Promise<ImageInfo> => {
    const base = library.describe(name, ctx ?? (await context()));
    const working = (await d.working.list()).find((w) => w.path === base.path);
    return working ? { ...base, working } : base;
  };

  /**
   * The running guest whose files these are, when the running machine has the image open; an error
   * when it has it open but no guest boots from that partition.
   */
  const viaGuest = async (name: string, part: number): Promise<{ guest: number; name: string } | undefined> => {
    const s = await d.status();
    if (s.state !== 'running' && s.state !== 'booting') return undefined;
    const path = library.pathOf(name);
    const disk = library.runningDisk(path, { machines: [], snapshots: [], running: s.config?.disks ?? [] });
    if (disk === undefined) return undefined;
    const g = disk === 0 ? s.guests.find((x) => x.bootPartition === part) : undefined;
    if (g) return { guest: g.id, name: g.name };
    throw new Error(
      `${name}: partition ${part} is on disk ${disk} of the running machine, and no running guest boots from it: ` +
        'its files can be read and changed here once the machine is off',
    );
  };

  const machineNamed = (name: string): SavedMachine => {
    const m = d.machines().find((x) => x.name === name);
    if (!m) throw new Error(`no saved machine named '${name}' (machines() lists them)`);
    return m;
  };
  const save = (name: string, config: MachineConfig): SavedMachine => {
    if (typeof d.saveMachine === 'string') throw new Error(`machines cannot be saved: ${d.saveMachine}`);
    return d.saveMachine(name, config);
  };

  return {
    async images() {
      const ctx = await context();
      const working = await d.working.list();
      return library.list(ctx).map((i) => {
        const w = working.find((x) => x.path === i.path);
        return w ? { ...i, working: w } : i;
      });
    },
    async imageCreate(name, size) {
      const path = library.create(name, size);
      d.log('image-created', `${path}, ${size}`);
      return info(name);
    },
    async imageImport(hostPath, name) {
      const r = library.import(hostPath, name);
      d.log(
        'image-imported',
        `${r.path} from ${hostPath}${r.warnings.length ? ` (${r.warnings.length} fsck warnings)` : ''}`,
      );
      return info(name);
    },
    async imageDelete(name) {
      library.delete(name, await context());
      d.log('image-deleted', name);
    },
    async imagePartitionAdd(name, spec) {
      const ctx = await context();
      const n = library.addPartition(name, spec, ctx);
      d.log('image-partitioned', `${name}: partition ${n} '${spec.name}' (${spec.type}, ${spec.blocks} blocks)`);
      return info(name, ctx);
    },
    async imagePartitionRemove(name, number) {
      const ctx = await context();
      library.removePartition(name, number, ctx);
      d.log('image-partitioned', `${name}: partition ${number} removed`);
      return info(name, ctx);
    },
    async imageMkfs(name, part, label) {
      const ctx = await context();
      library.mkfs(name, part, label, ctx);
      d.log('image-mkfs', `${name}:${part}`);
      return info(name, ctx);
    },
    async imageFiles(name, part): Promise<ImageFiles> {
      const via = await viaGuest(name, part);
      if (!via) return library.files(name, part);
      const files = await d.guests.listFiles(via.guest);
      const p = library.describe(name, await context()).partitions.find((x) => x.number === part);
      return {
        image: name,
        partition: part,
        kind: p?.type === 'sfs' ? 'sfs' : 'cfs',
        files,
        warnings: [],
        via,
      };
    },
    async imageReadFile(name, part, file) {
      const via = await viaGuest(name, part);
      return via ? d.guests.readFile(via.guest, file) : library.readFile(name, part, file);
    },
    async imageWriteFile(name, part, file, text) {
      const via = await viaGuest(name, part);
      if (via) return d.guests.writeFile(via.guest, file, text);
      const written = library.writeFile(name, part, file, text, await context());
      d.log('file-saved', written);
      return { written };
    },
    async imageDeleteFile(name, part, file) {
      if (await viaGuest(name, part))
        throw new Error(
          `${name}: cannot remove ${file}: the running machine has the image open (a guest's files are removed from the guest, or here once the machine is off)`,
        );
      library.removeFile(name, part, file, await context());
      d.log('file-removed', `${name}:${part} ${file}`);
    },
    async machineAttach(machine, image) {
      const m = machineNamed(machine);
      const path = library.pathOf(image);
      const disks = disksOf(m.config, d.demo);
      const already = disks.findIndex((x) => same(x, path));
      if (already >= 0) throw new Error(`${image} is attached to '${machine}' already (disk ${already})`);
      if (disks.length >= MAX_DISKS)
        throw new Error(`'${machine}' has ${MAX_DISKS} disks, the most a machine takes: detach one first`);
      // No disks meant the demo's working copy: named now, so it must exist (made as a boot would).
      if (m.config.disks.length === 0) await d.working.demo();
      const saved = save(machine, { ...m.config, disks: [...disks, path] });
      d.log('disk-attached', `${image} to '${machine}' as disk ${disks.length}`);
      return saved;
    },
    async machineDetach(machine, image) {
      const m = machineNamed(machine);
      const path = library.pathOf(image);
      const disks = disksOf(m.config, d.demo);
      const at = disks.findIndex((x) => same(x, path));
      if (at < 0)
        throw new Error(
          `${image} is not attached to '${machine}' (its disks: ${disks.map((x) => basename(x)).join(', ')})`,
        );
      if (disks.length === 1)
        throw new Error(
          `${image} is the only disk of '${machine}' (a machine without disks boots the demo disk): attach another first`,
        );
      const saved = save(machine, { ...m.config, disks: disks.filter((_, i) => i !== at) });
      d.log('disk-detached', `${image} from '${machine}' (was disk ${at})`);
      return saved;
    },
  };
}
