/**
 * `npm run disks [--force]`: build disks/hyperdesk.img (docs/disks.md#the-default-disk) from
 * resources/ unless it is up to date. Only the entry: the building is src/main/disk/defaultDisk.ts,
 * with the host's assembler wired in by src/main/host/disks.ts (nothing imports this file).
 */
import { buildDisksCommand } from '../src/main/host/disks.js';

process.exitCode = await buildDisksCommand(process.argv.slice(2));
