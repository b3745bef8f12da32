/**
 * The CLI's offline tools reach the assembler's diagnostics, the docs generator and the disk image
 * tools here, through the host, like every face reaches what is below it
 * (docs/architecture.md#layers-and-who-may-import-whom). None of these loads emulator code, so the
 * host's main thread stays free of it. Thin on purpose: the tools are those layers' own functions.
 */
export { formatDiagnostic, type AsmResult } from '../asm/index.js';
export { generateIsaDoc } from '../docs/isaDoc.js';
export { updateHypercallDoc } from '../docs/hypercallsDoc.js';
export {
  addImagePartition,
  createImageFile,
  DiskError,
  DiskChain,
  DiskImage,
  FileBlockBackend,
  fsckDisk,
  fsckOverlay,
  isOverlayFile,
  parseSize,
  repairDisk,
  decodeBackup,
  type RepairReport,
  type FileSystem,
  type PartitionType,
} from '../disk/index.js';
