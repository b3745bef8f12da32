/**
 * A disk as a chain of files (docs/disks.md#copy-on-write-disks): the image at the bottom, then
 * overlays, each holding the blocks written since the one below it was frozen. Reads fall through
 * from the top to the first layer that has the block; writes go to the top; flush fsyncs the top.
 * Without overlays it is the image itself, read and written in place.
 *
 * The object stays the same while its chain changes (`freeze`, `switchTo`): the machine's disk
 * device and the hypervisor hold it, and a snapshot or a restore swaps the files underneath between
 * two ticks. Every failure is an Error value naming the file; nothing changes on a failure.
 */
import { rmSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { BlockBackend } from '../emulator/devices/disk/BlockBackend.js';
import { BLOCK } from './bytes.js';
import { FileBlockBackend } from './FileBlockBackend.js';
import { BASE_IMAGE, BASE_OVERLAY, BASE_PATH_MAX, fileIdentity, isOverlayFile, type BaseIdentity } from './overlay.js';
import { OverlayFile } from './OverlayFile.js';

export class DiskChain implements BlockBackend {
  private constructor(
    private image: FileBlockBackend,
    /** Bottom to top. */
    private overlays: OverlayFile[],
    readonly readOnly: boolean,
  ) {}

  /**
   * Open `path`: an image, or an overlay with every file below it. Each overlay's record of its
   * base (size, SHA-256) is checked against the file it names, so a chain never runs on the wrong
   * base. The lower layers open read-only; the top one as asked (a frozen top only read-only).
   */
  static open(path: string, options: { readOnly?: boolean } = {}): DiskChain | Error {
    const readOnly = options.readOnly ?? false;
    const overlays: OverlayFile[] = [];
    const closeAll = () => {
      for (const o of overlays) o.close();
    };
    let current = resolve(path);
    let top = true;
    for (let depth = 0; isOverlayFile(current); depth++) {
      if (depth > 1000) {
        closeAll();
        return new Error(`${path}: a chain of more than 1000 overlays (a loop?)`);
      }
      const o = OverlayFile.open(current, { readOnly: readOnly || !top });
      if (o instanceof Error) {
        closeAll();
        return new Error(`${current}: ${o.message}`);
      }
      overlays.unshift(o);
      const base = resolve(dirname(current), o.header.base.path);
      const problem = checkBase(base, o.header.base, o.blocks);
      if (problem) {
        closeAll();
        return new Error(`${current}: ${problem}`);
      }
      current = base;
      top = false;
    }
    const image = FileBlockBackend.open(current, { readOnly: readOnly || !top });
    if (image instanceof Error) {
      closeAll();
      return new Error(`${current}: ${image.message}`);
    }
    if (overlays.length && overlays[0]!.blocks !== image.blocks) {
      image.close();
      closeAll();
      return new Error(
        `${overlays[0]!.path}: describes a disk of ${overlays[0]!.blocks} blocks; its base has ${image.blocks}`,
      );
    }
    return new DiskChain(image, overlays, readOnly);
  }

  /**
   * A new overlay at `newTop` over `base` (an image, or a frozen overlay): the tools' way to start a
   * copy-on-write disk by hand (`hyperdesk disk overlay`). The whole chain below is checked first.
   */
  static createOverlay(base: string, newTop: string): true | Error {
    const below = DiskChain.open(base, { readOnly: true });
    if (below instanceof Error) return below;
    const top = below.overlays.at(-1);
    below.close();
    if (top && !top.frozen)
      return new Error(
        `${base}: is a working overlay; freeze it first (hyperdesk disk freeze), or it could change under the new one`,
      );
    const identity = identify(resolve(base), top ? BASE_OVERLAY : BASE_IMAGE, newTop);
    if (identity instanceof Error) return identity;
    const o = OverlayFile.create(resolve(newTop), below.blocks, identity);
    if (o instanceof Error) return new Error(`${newTop}: ${o.message}`);
    return o.close();
  }

  /** Freeze the overlay at `path` where it lies (`hyperdesk disk freeze`). */
  static freezeOverlay(path: string): true | Error {
    const o = OverlayFile.open(path);
    if (o instanceof Error) return new Error(`${path}: ${o.message}`);
    const r = o.freeze();
    return r instanceof Error ? new Error(`${path}: ${r.message}`) : true;
  }

  /** The top file: where writes go. */
  get path(): string {
    return this.overlays.at(-1)?.path ?? this.image.path;
  }

  /** The image at the bottom of the chain. */
  get imagePath(): string {
    return this.image.path;
  }

  /** Every file of the chain, bottom (the image) to top. */
  files(): string[] {
    return [this.image.path, ...this.overlays.map((o) => o.path)];
  }

  get blocks(): number {
    return this.image.blocks;
  }

  read(lba: number, count: number): Uint8Array | Error {
    if (!Number.isSafeInteger(lba) || !Number.isSafeInteger(count) || lba < 0 || count < 0 || lba + count > this.blocks)
      return new Error(`read of blocks ${lba}..${lba + count - 1} is past the end (${this.blocks} blocks)`);
    if (this.overlays.length === 0) return this.image.read(lba, count);
    const out = new Uint8Array(count * BLOCK);
    // Runs of blocks that no overlay has are read from the image in one call.
    let run = -1;
    const flushRun = (end: number): Error | undefined => {
      if (run < 0) return undefined;
      const r = this.image.read(lba + run, end - run);
      if (r instanceof Error) return new Error(`${this.image.path}: ${r.message}`);
      out.set(r, run * BLOCK);
      run = -1;
      return undefined;
    };
    for (let i = 0; i < count; i++) {
      const blk = lba + i;
      let layer: OverlayFile | undefined;
      for (let k = this.overlays.length - 1; k >= 0; k--) {
        if (this.overlays[k]!.has(blk)) {
          layer = this.overlays[k];
          break;
        }
      }
      if (!layer) {
        if (run < 0) run = i;
        continue;
      }
      const e = flushRun(i);
      if (e) return e;
      const r = layer.readBlock(blk, out, i * BLOCK);
      if (r instanceof Error) return new Error(`${layer.path}: ${r.message}`);
    }
    return flushRun(count) ?? out;
  }

  write(lba: number, data: Uint8Array): true | Error {
    if (this.readOnly) return new Error('read-only disk');
    if (data.length % BLOCK !== 0) return new Error(`write of ${data.length} bytes is not a whole number of blocks`);
    const count = data.length / BLOCK;
    if (!Number.isSafeInteger(lba) || lba < 0 || lba + count > this.blocks)
      return new Error(`write of blocks ${lba}..${lba + count - 1} is past the end (${this.blocks} blocks)`);
    const top = this.overlays.at(-1);
    if (!top) return this.image.write(lba, data);
    const r = top.write(lba, data);
    return r instanceof Error ? new Error(`${top.path}: ${r.message}`) : r;
  }

  flush(): true | Error {
    const top = this.overlays.at(-1) ?? this.image;
    const r = top.flush();
    return r instanceof Error ? new Error(`${top.path}: ${r.message}`) : r;
  }

  close(): true | Error {
    let result: true | Error = true;
    for (const f of [...this.overlays].reverse()) {
      const r = f.close();
      if (r instanceof Error && result === true) result = new Error(`${f.path}: ${r.message}`);
    }
    const r = this.image.close();
    if (r instanceof Error && result === true) result = new Error(`${this.image.path}: ${r.message}`);
    return result;
  }

  /**
   * Freeze the disk as it is now and go on in a new overlay at `newTop` (a snapshot, step 1). The
   * top file is flushed and frozen (an overlay gets its frozen flag; the image is reopened read-only),
   * so what a snapshot names never changes again. Returns the frozen file's path.
   */
  freeze(newTop: string): string | Error {
    if (this.readOnly) return new Error('the disk is open read-only: nothing to freeze');
    const flushed = this.flush();
    if (flushed instanceof Error) return flushed;
    const top = this.overlays.at(-1);
    const frozen = top?.path ?? this.image.path;
    // The new overlay is created first, recording the top as it will be once frozen (an overlay's
    // header gets the frozen flag), so a failure before the freeze changes nothing.
    const identity = identify(frozen, top ? BASE_OVERLAY : BASE_IMAGE, newTop, top?.frozenHeader());
    if (identity instanceof Error) return identity;
    const next = OverlayFile.create(resolve(newTop), this.blocks, identity);
    if (next instanceof Error) return new Error(`${newTop}: ${next.message}`);
    const undo = (e: Error): Error => {
      next.close();
      rmSync(next.path, { force: true });
      return e;
    };
    if (top) {
      const r = top.freeze();
      if (r instanceof Error) return undo(new Error(`${top.path}: ${r.message}`));
      // Reopened read-only, as every layer below the top is.
      const ro = OverlayFile.open(top.path, { readOnly: true });
      if (ro instanceof Error) return undo(new Error(`${top.path}: ${ro.message}`));
      this.overlays[this.overlays.length - 1] = ro;
    } else {
      const ro = FileBlockBackend.open(this.image.path, { readOnly: true });
      if (ro instanceof Error) return undo(new Error(`${this.image.path}: ${ro.message}`));
      this.image.close();
      this.image = ro;
    }
    this.overlays.push(next);
    return frozen;
  }

  /**
   * Go on from `frozen` (a snapshot's frozen file of this disk) in a new overlay at `newTop` (a
   * restore), in two steps so that several disks switch all or none: `prepareSwitch` opens and
   * checks the whole chain below `frozen` and creates the new overlay, changing nothing of this
   * disk; then `commitSwitch` switches (it cannot fail) or `abortSwitch` forgets it.
   */
  prepareSwitch(frozen: string, newTop: string): PreparedSwitch | Error {
    if (this.readOnly) return new Error('the disk is open read-only');
    const below = DiskChain.open(frozen, { readOnly: true });
    if (below instanceof Error) return below;
    if (below.blocks !== this.blocks) {
      below.close();
      return new Error(`${frozen}: a disk of ${below.blocks} blocks; this disk has ${this.blocks}`);
    }
    const identity = identify(resolve(frozen), below.overlays.length ? BASE_OVERLAY : BASE_IMAGE, newTop);
    if (identity instanceof Error) {
      below.close();
      return identity;
    }
    const next = OverlayFile.create(resolve(newTop), this.blocks, identity);
    if (next instanceof Error) {
      below.close();
      return new Error(`${newTop}: ${next.message}`);
    }
    return { disk: this, below, next };
  }

  /** Switch to a prepared chain; returns the old top (the caller deletes it if nothing needs it). */
  static commitSwitch(p: PreparedSwitch): { oldTop: string; oldTopWasOverlay: boolean } {
    const d = p.disk;
    const oldTop = d.path;
    const oldTopWasOverlay = d.overlays.length > 0;
    d.close();
    d.image = p.below.image;
    d.overlays = [...p.below.overlays, p.next];
    return { oldTop, oldTopWasOverlay };
  }

  static abortSwitch(p: PreparedSwitch): void {
    p.below.close();
    p.next.close();
    rmSync(p.next.path, { force: true });
  }

  /** Both steps at once (one disk). */
  switchTo(frozen: string, newTop: string): { oldTop: string; oldTopWasOverlay: boolean } | Error {
    const p = this.prepareSwitch(frozen, newTop);
    return p instanceof Error ? p : DiskChain.commitSwitch(p);
  }
}

/** A restore of one disk, checked and ready (DiskChain.prepareSwitch). */
export interface PreparedSwitch {
  readonly disk: DiskChain;
  readonly below: DiskChain;
  readonly next: OverlayFile;
}

/** The identity of `path` as the base of an overlay at `overlayPath` (path stored relative to it). */
function identify(
  path: string,
  kind: BaseIdentity['kind'],
  overlayPath: string,
  header?: Uint8Array,
): BaseIdentity | Error {
  const id = fileIdentity(path, header);
  if (id instanceof Error) return new Error(`${path}: ${id.message}`);
  let stored = relative(dirname(resolve(overlayPath)), resolve(path));
  if (Buffer.byteLength(stored) > BASE_PATH_MAX || isAbsolute(stored)) stored = resolve(path);
  if (Buffer.byteLength(stored) > BASE_PATH_MAX)
    return new Error(`${path}: the path is longer than an overlay can record (${BASE_PATH_MAX} bytes)`);
  return { kind, bytes: id.bytes, sha256: id.sha256, path: stored };
}

/** Why `path` is not the base an overlay recorded, or undefined when it is. */
export function checkBase(path: string, want: BaseIdentity, blocks: number): string | undefined {
  const isOverlay = isOverlayFile(path);
  if (want.kind === BASE_OVERLAY && !isOverlay) return `its base ${path} should be an overlay but is not`;
  if (want.kind === BASE_IMAGE && isOverlay) return `its base ${path} should be a disk image but is an overlay`;
  const id = fileIdentity(path);
  if (id instanceof Error) return `its base ${path}: ${id.message}`;
  if (id.bytes !== want.bytes)
    return `its base ${path} is ${id.bytes} bytes, not the ${want.bytes} it was made on (the base changed or is another file)`;
  if (id.sha256 !== want.sha256)
    return `its base ${path} changed since the overlay was made on it (SHA-256 ${id.sha256.slice(0, 16)}..., recorded ${want.sha256.slice(0, 16)}...)`;
  if (want.kind === BASE_IMAGE && id.bytes !== blocks * BLOCK)
    return `its base ${path} has ${id.bytes / BLOCK} blocks; the overlay describes ${blocks}`;
  return undefined;
}
