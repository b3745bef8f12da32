/**
 * Loop versioning of the TLB check (docs/architecture.md#block-translation,
 * docs/performance.md#issue-17-third-session): a block that branches to itself (a JS loop in its
 * region) gets, at its head, an unchecked copy of itself that runs as many iterations as its loads
 * and stores are sure to stay in the pages they are in now, and the budget allows.
 *
 * Why this is exact: the TLB cannot change while a region runs (only slow paths change it, and they
 * run outside; compile.ts), and the head looks every access's page up in it, with the same tag
 * compare (permissions included) and alignment check as the checked path, for the first iteration.
 * An access is versioned only when its address is `A + j * S` in iteration j, with A and S known at
 * the head: the block's registers are followed as linear forms of their values at the head (add,
 * sub, addi, slli, lui), and a register the block changes must come out as its head value plus
 * something the block does not change (an induction variable). From A and S the head computes how
 * many iterations stay in the page (addresses wrap mod 2^32 as the interpreter's do, and a page never
 * straddles 2^32), and inside that run an access is `pa = base + offset` with the page's host offset
 * in a local. When any access misses the TLB, is misaligned, or would leave its page on the next
 * iteration, the head runs nothing and the checked iteration below it runs (and takes the slow path
 * where the interpreter must). A store cannot reach a code page (their write tags are revoked,
 * Tlb.revokeWrite), so the block's own code cannot change under it.
 */
import { baseKind, KIND as K, type CodePage } from '../decode.js';
import { accessJs, alignOf, aluJs, condJs, isMem, isStore, lit } from './emit.js';

/** A value as `k + sum(coef * register at the loop head)` (mod 2^32); null: anything else. */
type Lin = { c: Map<number, number>; k: number } | null;

const konst = (k: number): Lin => ({ c: new Map(), k: k | 0 });
function comb(x: Lin, y: Lin, f: number): Lin {
  if (!x || !y) return null;
  const c = new Map(x.c);
  for (const [r, v] of y.c) {
    const n = ((c.get(r) ?? 0) + Math.imul(f, v)) | 0;
    if (n === 0) c.delete(r);
    else c.set(r, n);
  }
  return { c, k: (x.k + Math.imul(f, y.k)) | 0 };
}
const scale = (x: Lin, f: number): Lin => comb(konst(0), x, f);

/** A linear form as an int32 JS expression of the registers' current locals. */
function linJs(x: Exclude<Lin, null>): string {
  let s = '';
  for (const [r, v] of x.c) {
    const term = v === 1 ? `r${r}` : `Math.imul(${v}, r${r})`;
    s = s === '' ? term : `((${s}) + ${term}) | 0`;
  }
  return s === '' ? lit(x.k) : x.k === 0 ? `(${s}) | 0` : `((${s}) + ${lit(x.k)}) | 0`;
}

/** The stretch's end folded into the loop's branch (below); a switch so its cost can be measured. */
let FOLD_BOUND = true;
export function setFoldBound(on: boolean): void {
  FOLD_BOUND = on;
}

export interface VersionedLoop {
  /** Code for the top of the loop's `for (;;)`, before its checked iteration. */
  head: string;
  /** Locals it needs, declared by the region. */
  locals: string[];
}

/**
 * The versioned head of the self-loop block [s, e) of `page`, whose `for (;;)` is labelled `label`
 * (a break leaves the loop where its branch falls through), or undefined when none of its accesses
 * can be versioned (then the loop is left as it is).
 */
export function versionLoop(page: CodePage, s: number, e: number, label: string): VersionedLoop | undefined {
  const val = new Map<number, Lin>();
  const get = (r: number): Lin => (r === 0 ? konst(0) : (val.get(r) ?? { c: new Map([[r, 1]]), k: 0 }));
  const acc: { i: number; k: number; base: number; imm: number; addr: Lin }[] = [];
  for (let i = s; i < e - 1; i++) {
    const w = page[2 * i];
    const k = baseKind(w);
    const imm = page[2 * i + 1];
    const rd = (w >>> 8) & 63;
    const a = get((w >>> 16) & 63);
    const c = get(w >>> 24);
    if (isMem(k)) {
      acc.push({ i, k, base: (w >>> 16) & 63, imm, addr: comb(a, konst(imm), 1) });
      if (!isStore(k)) val.set(rd, null);
      continue;
    }
    if (aluJs(k, '', '', '', 0, 0) === undefined) return undefined; // a hypercall: it may flush the TLB
    val.set(
      rd,
      k === K.add
        ? comb(a, c, 1)
        : k === K.sub
          ? comb(a, c, -1)
          : k === K.addi
            ? comb(a, konst(imm), 1)
            : k === K.slli
              ? scale(a, 1 << (imm & 31))
              : k === K.lui
                ? konst(imm)
                : null,
    );
  }
  if (acc.length === 0) return undefined;
  // What one iteration adds to each register it changes (null: not an induction variable).
  const step = new Map<number, Lin>();
  for (const [r, v] of val) {
    const d = comb(v, { c: new Map([[r, 1]]), k: 0 }, -1);
    step.set(r, d && [...d.c.keys()].every((x) => !val.has(x)) ? d : null);
  }
  const len = e - s;
  const head: string[] = [`if (left >= ${2 * len}) {`, `kf = (left / ${len}) | 0;`];
  for (const x of acc) {
    if (!x.addr) return undefined;
    let stride: Lin = konst(0);
    for (const [r, v] of x.addr.c) if (val.has(r)) stride = comb(stride, scale(step.get(r) ?? null, v), 1);
    if (!stride) return undefined;
    const al = alignOf(x.k);
    head.push(
      `va = ${linJs(x.addr)}; vpn = va >>> 12; ti = (vpn ^ cx) & 1023; st = ${linJs(stride)};`,
      `if (${isStore(x.k) ? 'wTag' : 'rTag'}[ti] !== (ctx | vpn)${al ? ` || ((va | st) & ${al}) !== 0` : ''}) kf = 0;`,
      `else { q = va & 4095; o${x.i} = (tbase[ti] - (va & -4096) + ${lit(x.imm)}) | 0; ` +
        `t = st > 0 ? (((4095 - q) / st) | 0) + 1 : st < 0 ? ((q / -st) | 0) + 1 : kf; if (t < kf) kf = t; }`,
    );
  }
  // The unchecked run: kf iterations at most; the branch falling through leaves the loop.
  const R = (r: number) => (r === 0 ? '0' : `r${r}`);
  const body: string[] = [];
  for (let i = s; i < e - 1; i++) {
    const w = page[2 * i];
    const k = baseKind(w);
    const rd = `r${(w >>> 8) & 63}`;
    const a = R((w >>> 16) & 63);
    const c = R(w >>> 24);
    if (isMem(k)) body.push(`pa = (${a} + o${i}) | 0; ${accessJs(k, rd, c)}`);
    else body.push(aluJs(k, rd, a, c, page[2 * i + 1], i) as string);
  }
  const bw = page[2 * (e - 1)];
  const cond = condJs(baseKind(bw), R((bw >>> 16) & 63), R(bw >>> 24));
  head.push('if (kf > 1) {');
  // `blt i, bound` on an induction variable i with a positive step d and a bound the block does not
  // change: the stretch's end folds into the branch (`i < min(bound, i0 + kf * d)`), one compare per
  // iteration instead of two, when i0 + kf * d stays an int32 (i then never wraps inside it).
  const bi = (bw >>> 16) & 63;
  const bb = bw >>> 24;
  const d = step.get(bi);
  if (FOLD_BOUND && baseKind(bw) === K.blt && bi !== 0 && d && !val.has(bb)) {
    head.push(
      `st = ${linJs(d)}; ib = r${bi} + kf * st;`,
      `if (st > 0 && ib <= 2147483647) {`,
      `ib = (${R(bb)} < ib ? ${R(bb)} : ib) | 0; i0 = r${bi};`,
      'for (;;) {',
      ...body,
      `if (!(r${bi} < ib)) break;`,
      '}',
      `left = (left - Math.imul(((r${bi} - i0) / st) | 0, ${len})) | 0;`,
      `if (${cond}) continue;`,
      `break ${label};`,
      '}',
    );
  }
  head.push(
    'kk = kf;',
    'for (;;) {',
    ...body,
    `if (!(${cond})) { left = (left - Math.imul((kf - kk + 1) | 0, ${len})) | 0; break ${label}; }`,
    'kk = (kk - 1) | 0; if (kk === 0) break;',
    '}',
    `left = (left - Math.imul(kf, ${len})) | 0;`,
    'continue;',
    '}',
    '}',
  );
  return { head: head.join('\n'), locals: ['kf', 'kk', 'st', 'q', 'ib', 'i0', ...acc.map((x) => `o${x.i}`)] };
}
