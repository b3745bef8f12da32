/**
 * Where the Controlling OS comes from in hypervisor mode (docs/hypercalls.md#boot-in-hypervisor-mode-m13):
 * the bootable disk partition whose OS is named `name` (ctl), its image read and checked like the
 * firmware would. The CLI's `boot --mode hypervisor` and the app's engine both start ctl this way.
 */
import type { BlockBackend } from '../devices/disk/BlockBackend.js';
import { readBootImage, scanBootEntries } from '../firmware/Firmware.js';

export interface ControllingOsImage {
  loadAddress: number;
  entry: number;
  bytes: Uint8Array;
  name: string;
  bootPartition: number;
}

/** The image, or why there is none (naming what the disks do hold). */
export function controllingOsImage(
  disks: readonly BlockBackend[],
  ramBytes: number,
  name = 'ctl',
): ControllingOsImage | string {
  const want = name.toLowerCase();
  const { entries, problems } = scanBootEntries(disks, ramBytes);
  const entry = entries.find((e) => e.header.name.toLowerCase().split(' ')[0] === want);
  if (!entry) {
    const found = entries.map((e) => e.header.name).join(', ') || 'none';
    return [...problems, `no bootable partition named '${want}' for the Controlling OS (found: ${found})`].join('\n');
  }
  const bytes = readBootImage(disks, entry);
  if (typeof bytes === 'string') return bytes;
  return {
    loadAddress: entry.header.loadAddress,
    entry: entry.header.entry,
    bytes,
    name: want,
    bootPartition: entry.partition,
  };
}
