/**
 * The fixed parts of the HD32 physical address map (docs/isa.md#memory-map). RAM starts at 0; device
 * registers live in the top 256 MiB. Firmware (a later issue) describes the rest in the boot info.
 */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const MMIO_BASE = 0xf000_0000;
/** Minimal console UART of the bare machine: TX at +0, RX at +4 (-1 when empty), STATUS at +8. */
export const UART0_BASE = 0xf000_0000;
/** System control: EXIT at +0 (write: stop the machine with that exit code), IPI at +4 (write: a
 *  pCPU number to interrupt). */
export const SYSCTL_BASE = 0xf000_1000;
export const RESET_PC = 0;
