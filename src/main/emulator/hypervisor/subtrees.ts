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
 * `netctl` with its nics, as on the bare board). With `structure` (the Controlling OS, which decides
 * who gets what and so must see the tree), a controller it does not own is shown too, with what it
 * owns under it.
 */
export function ownedForest(root: IoNode, owned: ReadonlySet<string>, structure = false): IoNode[] {
  const trim = (n: IoNode): IoNode | undefined => {
    if (owned.has(n.id)) return n;
    if (!structure || n.kind !== 'controller') return undefined;
    const children = n.children.map(trim).filter((c): c is IoNode => c !== undefined);
    return children.length ? { ...n, children } : undefined;
  };
  const out: IoNode[] = [];
  const walk = (n: IoNode) => {
    const t = trim(n);
    if (t) out.push(t);
    else for (const c of n.children) walk(c);
  };
  for (const c of root.children) walk(c);
  return out;
}
