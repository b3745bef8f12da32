/**
 * Disk images (docs/disks.md): the partition table, cfs, sfs, OS images and image files. The host,
 * the CLI and the build script use this; the emulator gets only a BlockBackend (FileBlockBackend).
 */
export { crc32 } from '../../shared/crc32.js';
export * from '../../shared/osImage.js';
export { FileBlockBackend, type OpenOptions } from './FileBlockBackend.js';
export { DiskChain } from './DiskChain.js';
export { isOverlayFile, fileIdentity, OVERLAY_MAGIC, OVERLAY_VERSION } from './overlay.js';
export { fsckOverlay, type OverlayReport } from './overlayFsck.js';
export { DiskImage, fsckDisk, type MkfsOptions } from './DiskImage.js';
export { decodeBackup, planRepair, repairDisk, type BlockChange, type RepairReport } from './repair.js';
export { DiskError } from './errors.js';
export type { FileInfo, FileSystem, WriteOptions } from './fileSystem.js';
export {
  addPartition,
  checkPartitionTable,
  createPartitionTable,
  encodePartitionTable,
  parsePartitionTable,
  removePartition,
  validatePartitions,
  type NewPartition,
  type Partition,
  type PartitionTable,
  type PartitionType,
} from './partitionTable.js';
export { CfsVolume, checkCfs, mkfsCfs, openCfs, CFS_NAME_MAX } from './cfs.js';
export { SfsVolume, checkSfs, mkfsSfs, openSfs } from './sfs.js';
export { fromSfsName, toSfsName } from './sfsNames.js';
export { Region } from './Region.js';
export { buildCosExecutable, parseCosExecutable, HDX_MAGIC, type CosExecutable } from './cosExecutable.js';
export { createImageFile, parseSize, writeFileAtomic } from './imageFile.js';
export {
  buildDisk,
  ensureDiskImage,
  isStale,
  DEFAULT_DISK_BYTES,
  type AssembleFn,
  type AssembledImage,
  type BuildDiskOptions,
  type BuildReport,
} from './build.js';
export {
  addImagePartition,
  checkImportable,
  describePartitions,
  freeRuns,
  fsckImage,
  listGuestFiles,
  placePartition,
  readGuestText,
  withImage,
  writeGuestText,
  PARTITION_ALIGN,
  type ImportCheck,
} from './imageOps.js';
