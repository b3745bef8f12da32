/**
 * Page-table entry format, shared by stage 1 and stage 2 (docs/isa.md#paging).
 *   bit 0 V valid, 1 R, 2 W, 3 X, 4 U (user; ignored by stage 2), 5 G (global; ignored by stage 2),
 *   bits 31:12 physical page number. A level-1 entry with R, W and X all clear points to a level-2
 *   table; with any of them set it maps a 4 MiB superpage (its bits 21:12 must be zero).
 */
export const PTE_V = 1 << 0;
export const PTE_R = 1 << 1;
export const PTE_W = 1 << 2;
export const PTE_X = 1 << 3;
export const PTE_U = 1 << 4;
export const PTE_G = 1 << 5;
export const PTE_RWX = PTE_R | PTE_W | PTE_X;

/** Access kinds, also the index of the per-kind TLB tag arrays. */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_EXEC = 2;
export type Access = 0 | 1 | 2;
