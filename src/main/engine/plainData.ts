/**
 * Plain data to bytes and back, for snapshot files (docs/snapshots.md#the-snapshot-file): what every
 * stateful part's saveState() returns (house rule 7): objects, arrays, strings, numbers (NaN,
 * infinities and -0 kept), booleans, null, undefined, bigints, Maps, Sets and typed arrays. The
 * structure goes as JSON; typed arrays go after it as binary blobs, and a large one (RAM) only with
 * its non-zero 4 KiB pages, so a machine's mostly empty memory costs almost nothing to store and
 * nothing to compress. Independent of the V8 version (unlike v8.serialize), so a file written by the
 * CLI under Node reads in the app under Electron.
 *
 * Anything else (a class instance, a function, a cycle) is a bug in a saveState(), reported with the
 * path to it. Decoding checks every tag, index and length, and says where a payload is malformed.
 */

const TYPED = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

/** Arrays this long or longer are stored sparse: a bitmap of their non-zero pages, then those pages. */
const SPARSE_MIN = 64 * 1024;
const PAGE = 4096;

export class PlainDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlainDataError';
  }
}

/** Encode `value`; throws PlainDataError naming the path of anything that is not plain data. */
export function encodePlain(value: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): unknown => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (Number.isNaN(v)) return { $: 'n', v: 'NaN' };
        if (!Number.isFinite(v)) return { $: 'n', v: v > 0 ? 'Infinity' : '-Infinity' };
        if (Object.is(v, -0)) return { $: 'n', v: '-0' };
        return v;
      case 'undefined':
        return { $: 'u' };
      case 'bigint':
        return { $: 'b', v: v.toString() };
      case 'object':
        break;
      default:
        throw new PlainDataError(`${path} is a ${typeof v}, not plain data`);
    }
    if (v === null) return null;
    if (seen.has(v)) throw new PlainDataError(`${path} refers back to an object above it (a cycle)`);
    seen.add(v);
    try {
      if (ArrayBuffer.isView(v)) {
        const name = v.constructor.name as TypedName;
        if (!(name in TYPED)) throw new PlainDataError(`${path} is a ${v.constructor.name}, not plain data`);
        blobs.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        return { $: 'a', t: name, i: blobs.length - 1 };
      }
      if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
      if (v instanceof Map)
        return {
          $: 'm',
          v: [...v].map(([k, x], i) => [walk(k, `${path}.key${i}`), walk(x, `${path}.get(${String(k)})`)]),
        };
      if (v instanceof Set) return { $: 's', v: [...v].map((x, i) => walk(x, `${path}.item${i}`)) };
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        throw new PlainDataError(`${path} is a ${(v as object).constructor?.name ?? 'class instance'}, not plain data`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, `${path}.${k}`);
      // A plain object that happens to have a key '$' is wrapped so that it is not read as a tag.
      return '$' in out ? { $: 'o', v: out } : out;
    } finally {
      seen.delete(v);
    }
  };
  const json = new TextEncoder().encode(JSON.stringify(walk(value, 'state')));
  const parts: Uint8Array[] = [u32(json.length), json, u32(blobs.length)];
  for (const b of blobs) parts.push(...encodeBlob(b));
  return concat(parts);
}

/** Decode bytes made by encodePlain; throws PlainDataError saying what is malformed and where. */
export function decodePlain(bytes: Uint8Array): unknown {
  const r = new Reader(bytes);
  const jsonLength = r.u32('the structure length');
  let tree: unknown;
  try {
    tree = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.take(jsonLength, 'the structure')));
  } catch (e) {
    if (e instanceof PlainDataError) throw e;
    throw new PlainDataError(`the structure is not JSON: ${(e as Error).message}`);
  }
  const count = r.u32('the number of arrays');
  const blobs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) blobs.push(decodeBlob(r, i));
  if (!r.done()) throw new PlainDataError(`${bytes.length - r.at} bytes after the last array`);
  const used = new Set<number>();
  const walk = (v: unknown, path: string): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    const o = v as Record<string, unknown>;
    if (!('$' in o)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) out[k] = walk(x, `${path}.${k}`);
      return out;
    }
    const bad = (why: string): never => {
      throw new PlainDataError(`${path}: ${why}`);
    };
    switch (o.$) {
      case 'n':
        return o.v === 'NaN'
          ? NaN
          : o.v === 'Infinity'
            ? Infinity
            : o.v === '-Infinity'
              ? -Infinity
              : o.v === '-0'
                ? -0
                : bad(`bad number ${String(o.v)}`);
      case 'u':
        return undefined;
      case 'b':
        return typeof o.v === 'string' && /^-?\d+$/.test(o.v) ? BigInt(o.v) : bad('bad bigint');
      case 'm':
        if (!Array.isArray(o.v)) return bad('bad map');
        return new Map(
          (o.v as unknown[]).map((e, i) =>
            Array.isArray(e) && e.length === 2
              ? [walk(e[0], `${path}.key${i}`), walk(e[1], `${path}.item${i}`)]
              : bad(`bad map entry ${i}`),
          ),
        );
      case 's':
        return Array.isArray(o.v) ? new Set(o.v.map((x, i) => walk(x, `${path}.item${i}`))) : bad('bad set');
      case 'o': {
        if (typeof o.v !== 'object' || o.v === null || Array.isArray(o.v)) return bad('bad object');
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(o.v)) out[k] = walk(x, `${path}.${k}`);
        return out;
      }
      case 'a': {
        const i = o.i;
        if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= blobs.length)
          return bad(`array ${String(i)} does not exist (${blobs.length} arrays)`);
        if (used.has(i)) return bad(`array ${i} is used twice`);
        used.add(i);
        if (typeof o.t !== 'string' || !Object.hasOwn(TYPED, o.t)) return bad(`unknown array type ${String(o.t)}`);
        const Ctor = TYPED[o.t as TypedName];
        const b = blobs[i]!;
        if (b.byteLength % Ctor.BYTES_PER_ELEMENT !== 0)
          return bad(`array ${i}: ${b.byteLength} bytes is not a whole number of ${o.t} elements`);
        // Bytes are used where they lie (RAM: no second 64 MiB copy); wider elements need an
        // aligned buffer of their own.
        if (o.t === 'Uint8Array') return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        const copy = new Uint8Array(b.byteLength);
        copy.set(b);
        return new Ctor(copy.buffer) as Typed;
      }
      default:
        return bad(`unknown tag ${String(o.$)}`);
    }
  };
  return walk(tree, 'state');
}

function encodeBlob(b: Uint8Array): Uint8Array[] {
  if (b.byteLength < SPARSE_MIN) return [Uint8Array.of(0), u32(b.byteLength), b];
  const pages = Math.ceil(b.byteLength / PAGE);
  const bitmap = new Uint8Array(Math.ceil(pages / 8));
  const present: Uint8Array[] = [];
  // Scan as 32-bit words where the view is aligned (RAM is), else bytes.
  const words = b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset, b.byteLength >>> 2) : undefined;
  for (let p = 0; p < pages; p++) {
    const start = p * PAGE;
    const end = Math.min(start + PAGE, b.byteLength);
    let nonZero = false;
    if (words && end - start === PAGE) {
      for (let w = start >>> 2, e = end >>> 2; w < e; w++)
        if (words[w] !== 0) {
          nonZero = true;
          break;
        }
    } else {
      for (let i = start; i < end; i++)
        if (b[i] !== 0) {
          nonZero = true;
          break;
        }
    }
    if (!nonZero) continue;
    bitmap[p >>> 3]! |= 1 << (p & 7);
    present.push(b.subarray(start, end));
  }
  return [Uint8Array.of(1), u32(b.byteLength), bitmap, ...present];
}

function decodeBlob(r: Reader, i: number): Uint8Array {
  const what = `array ${i}`;
  const kind = r.take(1, `${what}'s kind`)[0];
  const length = r.u32(`${what}'s length`);
  if (kind === 0) return r.take(length, what);
  if (kind !== 1) throw new PlainDataError(`${what}: unknown kind ${kind}`);
  const out = new Uint8Array(length);
  const pages = Math.ceil(length / PAGE);
  const bitmap = r.take(Math.ceil(pages / 8), `${what}'s page map`);
  for (let p = 0; p < pages; p++) {
    if (!(bitmap[p >>> 3]! & (1 << (p & 7)))) continue;
    const start = p * PAGE;
    out.set(r.take(Math.min(PAGE, length - start), `${what} page ${p}`), start);
  }
  return out;
}

class Reader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  take(n: number, what: string): Uint8Array {
    if (this.at + n > this.bytes.length)
      throw new PlainDataError(`${what} runs past the end (${n} bytes at ${this.at}, ${this.bytes.length} in all)`);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u32(what: string): number {
    const b = this.take(4, what);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }
  done(): boolean {
    return this.at === this.bytes.length;
  }
}

function u32(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
