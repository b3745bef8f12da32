/**
 * The snapshot tree as the Snapshots view draws it (docs/app.md#snapshots): snapshots by parent, a
 * branch wherever a restore was followed by new snapshots, and where the running machine is ("you
 * are here", under the snapshot it was last saved as or restored from). Also the name a new snapshot
 * is offered and the consoles' thumbnails. Pure (no DOM), so that it is unit-tested.
 */
import { SNAPSHOT_NAME_PATTERN, type SnapshotInfo } from '../../shared/api.js';

export interface SnapNode {
  snap: SnapshotInfo;
  children: SnapNode[];
  /** Its parent was deleted (the store then forgets the link): shown as a root, and said so. */
  orphan: boolean;
}

export interface SnapForest {
  roots: SnapNode[];
  /** The node the running machine goes on from, if any. */
  current: SnapNode | undefined;
  /** Nodes by name. */
  byName: Map<string, SnapNode>;
}

/** Builds the forest: every snapshot once, children and roots oldest first (by id). */
export function snapshotTree(list: readonly SnapshotInfo[]): SnapForest {
  const sorted = [...list].sort((a, b) => a.id - b.id);
  const byName = new Map<string, SnapNode>();
  for (const snap of sorted) byName.set(snap.name, { snap, children: [], orphan: false });
  const roots: SnapNode[] = [];
  for (const node of byName.values()) {
    const parent = node.snap.parent === null ? undefined : byName.get(node.snap.parent);
    // A parent that names the node itself or one of its own descendants would make a cycle: such
    // a list is damaged, and the node is shown as a root rather than lost.
    if (parent && !descends(parent, node, byName)) parent.children.push(node);
    else {
      node.orphan = node.snap.parent !== null;
      roots.push(node);
    }
  }
  const current = sorted.find((s) => s.current);
  return { roots, current: current ? byName.get(current.name) : undefined, byName };
}

/** Is `a` the node `b` or below it (following parents up from `a`)? */
function descends(a: SnapNode, b: SnapNode, byName: Map<string, SnapNode>): boolean {
  const seen = new Set<SnapNode>();
  for (let n: SnapNode | undefined = a; n && !seen.has(n); n = byName.get(n.snap.parent ?? '')) {
    if (n === b) return true;
    seen.add(n);
  }
  return false;
}

/** The names on the way from a root down to `name` (the node's ancestry, root first). */
export function pathTo(forest: SnapForest, name: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (let n = forest.byName.get(name); n && !seen.has(n.snap.name);) {
    seen.add(n.snap.name);
    out.unshift(n.snap.name);
    if (n.orphan || n.snap.parent === null) break;
    n = forest.byName.get(n.snap.parent);
  }
  return out;
}

/** The name a new snapshot is offered: `snapshot-N`, the first N not taken (VMware: "Snapshot N"). */
export function suggestName(list: readonly SnapshotInfo[]): string {
  const taken = new Set(list.map((s) => s.name));
  for (let n = list.length + 1; ; n++) {
    const name = `snapshot-${n}`;
    if (!taken.has(name)) return name;
  }
}

/** Why a name cannot be a snapshot's, or undefined when it can (the host checks the same). */
export function nameProblem(name: string, list: readonly SnapshotInfo[]): string | undefined {
  if (!name) return 'give the snapshot a name';
  if (!SNAPSHOT_NAME_PATTERN.test(name))
    return 'a snapshot name is 1..64 letters, digits, _ . - (starting with a letter or digit), no spaces';
  if (list.some((s) => s.name === name)) return `a snapshot named '${name}' exists already`;
  return undefined;
}

/**
 * A console's text as a screen would show its last `lines` lines: escape sequences dropped, a
 * carriage return starting its line over, a backspace taking back the character before it.
 */
export function screenLines(tail: string, lines = 6): string[] {
  // CSI sequences (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), then any other ESC + one char.
  /* eslint-disable no-control-regex -- a terminal's escape sequences are control characters */
  const plain = tail
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\x1b./g, '');
  /* eslint-enable no-control-regex */
  const out: string[] = [];
  let line = '';
  let col = 0;
  for (const ch of plain) {
    if (ch === '\n') {
      out.push(line);
      line = '';
      col = 0;
    } else if (ch === '\r') col = 0;
    else if (ch === '\b') col = Math.max(0, col - 1);
    else if (ch === '\t') {
      const to = (Math.floor(col / 8) + 1) * 8;
      line = line.padEnd(to, ' ');
      col = to;
    } else if (ch >= ' ' && ch !== '\x7f') {
      line = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  }
  out.push(line);
  const trimmed = out.map((l) => l.replace(/\s+$/, ''));
  // Blank lines at the very end (after a final newline) show nothing; keep the last line with text.
  while (trimmed.length > 1 && trimmed[trimmed.length - 1] === '') trimmed.pop();
  return trimmed.slice(-lines);
}

/** `12.345 s`, `4 min 5.1 s`, `2 h 3 min` of machine time. */
export function machineTime(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(3)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${(seconds % 60).toFixed(1)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** `7 Dec 2026 18:02:41` in the page's time zone, from an ISO time. */
export function wallDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = d.toLocaleString('en-GB', { month: 'short' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getDate()} ${month} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
