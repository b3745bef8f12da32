/**
 * Device subtrees (M5; docs/hypercalls.md#device-subtrees): giving a controller gives its whole
 * subtree, and a partition that owns a controller owns every device under it. These pure helpers
 * read the board's I/O tree as plain data (which nodes are under which controller) for the plan
 * (plan.ts), the partition checker (validate.ts) and the boot info (Hypervisor.bootInfoFor).
 */
import { flatten, type IoNode } from '../machine/board.js';

/** A controller's id -> the ids of every node under it (depth first). Only controllers are listed. */
export type Subtrees = ReadonlyMap<string, readonly string[]>;

/** The subtrees of `root`'s controllers (buses are the hypervisor's: never given as a whole). */
export function subtreesOf(root: IoNode): Subtrees {
  const out = new Map<string, string[]>();
  for (const { node } of flatten(root))
    if (node.kind === 'controller')
      out.set(
        node.id,
        flatten(node)
          .slice(1)
          .map((x) => x.node.id),
      );
  return out;
}

/** What giving `device` gives: itself and, for a controller, everything under it. */
export function groupOf(subtrees: Subtrees | undefined, device: string): string[] {
  return [device, ...(subtrees?.get(device) ?? [])];
}

/**
 * `devices` without the controllers whose subtree it no longer holds whole: a partition that gives
 * away one device of a controller it owned keeps the others, and the controller goes back to nobody
 * (as at power-on), so that no partition holds a controller without everything under it.
 */
export function keepWhole(subtrees: Subtrees | undefined, devices: readonly string[]): string[] {
  if (!subtrees) return [...devices];
  const have = new Set(devices);
  return devices.filter((d) => (subtrees.get(d) ?? []).every((c) => have.has(c)));
}

/** Why `devices` breaks a subtree (a controller owned without something under it), or undefined. */
export function brokenSubtree(subtrees: Subtrees | undefined, devices: readonly string[]): string | undefined {
  if (!subtrees) return undefined;
  const have = new Set(devices);
  for (const d of devices) {
    const missing = (subtrees.get(d) ?? []).find((c) => !have.has(c));
    if (missing) return `it owns controller ${d} but not ${missing} under it`;
  }
  return undefined;
}

/**
 * The nodes a partition's boot info shows of the devices it owns: those whose parent it does not own
 * at the top, each owned controller with its subtree under it (so a guest walking the tree finds
 * `netctl` with its nics, as on the bare board).
 */
export function ownedForest(root: IoNode, owned: ReadonlySet<string>): IoNode[] {
  const out: IoNode[] = [];
  const walk = (n: IoNode, parentOwned: boolean) => {
    const mine = owned.has(n.id);
    if (mine && !parentOwned) out.push(n);
    for (const c of n.children) walk(c, mine);
  };
  walk(root, false);
  return out;
}
