/**
 * The hostile requests of the web campaign (web.ts, docs/security.md#the-web-face), each a function
 * of the seed alone: API calls with mutated argument lists for every method of API_ARGS, wrong or
 * missing tokens, wrong methods, odd paths, malformed JSON, oversized bodies, and raw bytes (junk
 * request lines, WebSocket upgrades with junk headers or frames).
 *
 * Methods that would end the run or reshape the machine (DISRUPTIVE) only get argument lists that
 * API_ARGS refuses (wrong count or a wrong type first): the campaign checks the server, and the
 * machine must still be the booted demo at the end (docs/security.md#the-web-face says why).
 */
import { API_ARGS, HOST_METHODS, type ArgSpec, type HostMethod } from '../../src/shared/api.js';
import type { Rng } from './rng.js';

/** Calls whose valid arguments would power off, reboot, restore, pause or rewrite the machine. */
export const DISRUPTIVE: ReadonlySet<string> = new Set<HostMethod>([
  'boot',
  'powerOff',
  'setEngine',
  'deploy',
  'debugDeploy',
  'writeFile',
  'resetDisk',
  'deleteMachine',
  'saveMachine',
  'snapshotSave',
  'snapshotRestore',
  'snapshotRemove',
  'debugPause',
  'debugStep',
  'debugRunTo',
  'debugSetRegister',
  'debugWriteMemory',
  'debugSetBreakpoints',
  'debugSetWatchpoints',
  'debugSetTrapBreaks',
  'debugMachine',
  'recordStart',
  'replay',
  'seek',
  'seekTo',
  'reverseStep',
  'forwardStep',
  'reverseContinue',
  'compare', // spawns builds: slow, and bounded by its own limit (issue 13)
  'ctl', // `ctl stop 1` would stop cos, which the final check types into
]);

export type WebInput =
  | { kind: 'api'; method: string; body: string; token: 'right' | 'wrong' | 'none'; verb: string; origin?: string }
  | { kind: 'static'; path: string; verb: string }
  | { kind: 'raw'; bytes: string; upgrade: boolean }
  | { kind: 'big'; mib: number };

const JUNK = ['', '\u0000', '../', '..\\', '%00', '%2e%2e/', '\uffff', '\ud800', '<script>', 'CON', "'; DROP", '\r\n'];

function junkString(rng: Rng): string {
  switch (rng.int(0, 4)) {
    case 0:
      return rng.pick(JUNK).repeat(rng.int(1, 4));
    case 1:
      return 'A'.repeat(rng.pick([300, 5000, 70_000, (1 << 20) + 1]));
    case 2:
      return String.fromCharCode(...Array.from({ length: rng.int(1, 40) }, () => rng.int(0, 0xffff)));
    default:
      return Array.from({ length: rng.int(1, 12) }, () => String.fromCharCode(rng.int(32, 126))).join('');
  }
}

function junkValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, 9)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([-1, 0, 1, 2, 3, 65535, 65536, 2 ** 31, -(2 ** 53), 1.5, 1e308, -0]);
    case 3:
      return junkString(rng);
    case 4:
      return depth > 3 ? [] : Array.from({ length: rng.int(0, 4) }, () => junkValue(rng, depth + 1));
    case 5: {
      if (depth > 3) return {};
      const o: Record<string, unknown> = {};
      for (let i = rng.int(0, 4); i > 0; i--)
        o[rng.pick(['mode', 'cpus', 'disks', 'file', 'line', '__proto__', 'constructor', junkString(rng)])] = junkValue(
          rng,
          depth + 1,
        );
      return o;
    }
    case 6: {
      // Deep nesting: a parser or checker that recurses must not blow the stack.
      let v: unknown = 1;
      for (let i = rng.pick([10, 1000, 3000]); i > 0; i--) v = [v];
      return v;
    }
    default:
      return rng.int(-5, 70_000);
  }
}

/** A value near what the spec accepts: often valid, often just past a limit. */
function nearValue(spec: ArgSpec, rng: Rng): unknown {
  if (rng.chance(0.25)) return junkValue(rng);
  switch (spec.kind) {
    case 'int':
      return rng.pick([
        spec.min,
        spec.max,
        spec.min - 1,
        spec.max + 1,
        rng.int(Math.max(spec.min, -1e6), Math.min(spec.max, 1e6)),
        1,
        2,
      ]);
    case 'number':
      return rng.pick([spec.min, spec.max, spec.min - 0.5, spec.max * 2, Number.NaN]);
    case 'string':
      return rng.chance(0.5)
        ? 'x'.repeat(rng.pick([0, 1, spec.maxLength, spec.maxLength + 1]))
        : rng.pick(['hello.s', 'readme', '..', '.', 'CON', 'a/b', 'nosuch.s', junkString(rng)]);
    case 'bool':
      return rng.chance(0.8) ? rng.chance(0.5) : 'true';
    case 'list':
      return Array.from({ length: rng.pick([0, 1, 3, spec.maxItems + 1]) }, () => nearValue(spec.item, rng));
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const f of spec.fields) if (!f.optional || rng.chance(0.5)) o[f.key] = nearValue(f.spec, rng);
      if (rng.chance(0.2)) o[rng.pick(['evil', '__proto__', 'x'])] = 1;
      return o;
    }
    default:
      return junkValue(rng);
  }
}

function apiArgs(method: string, rng: Rng): unknown[] {
  const specs = Object.hasOwn(API_ARGS, method) ? API_ARGS[method as HostMethod] : [];
  if (DISRUPTIVE.has(method)) {
    // Refused by API_ARGS for sure: one argument too many, or the first one of a wrong type.
    if (specs.length === 0 || rng.chance(0.5)) return [...specs.map((s) => nearValue(s, rng)), junkValue(rng)];
    return [{ not: 'an argument' }, ...specs.slice(1).map((s) => nearValue(s, rng))].map((v, i) =>
      i === 0 && specs[0]!.kind === 'object' ? 'not an object' : v,
    );
  }
  if (rng.chance(0.1)) return Array.from({ length: rng.int(0, 6) }, () => junkValue(rng));
  return specs.map((s) => nearValue(s, rng));
}

const CHAOS_PATHS = [
  '/',
  '/index.html',
  '/../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%00',
  '/a%00.html',
  '/%',
  '/%E0%A4%A',
  '//index.html',
  '//',
  '//evil.example/x',
  '/api',
  '/api/',
  '/api/../index.html',
  '/\\..\\..\\windows',
  '/index.html?x=%00',
];

/** Lone surrogates become U+FFFD (as a client's UTF-8 encoder would send them). */
export const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

export function makeInput(rng: Rng): WebInput {
  const r = rng.int(0, 99);
  if (r < 65) {
    const method = rng.chance(0.9)
      ? rng.pick(HOST_METHODS)
      : rng.pick([
          'nosuch',
          '__proto__',
          'constructor',
          'toString',
          'hasOwnProperty',
          '',
          '../status',
          'status/x',
          junkString(rng).slice(0, 200),
        ]);
    let body: string;
    const shape = rng.int(0, 19);
    if (shape === 0) body = rng.pick(['{', '[1,', 'nul', '"x"', '{}', '[]]', '\u0000', '[1e999]', '']);
    else if (shape === 1) body = JSON.stringify(junkValue(rng));
    else body = JSON.stringify(apiArgs(method, rng));
    const token = rng.chance(0.85) ? 'right' : rng.pick(['wrong', 'none'] as const);
    const verb = rng.chance(0.9) ? 'POST' : rng.pick(['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD']);
    const origin = rng.chance(0.05) ? rng.pick(['http://evil.example', 'null', 'http://127.0.0.1:1']) : undefined;
    return { kind: 'api', method, body, token, verb, ...(origin ? { origin } : {}) };
  }
  if (r < 78) {
    const p = rng.chance(0.8)
      ? rng.pick(CHAOS_PATHS)
      : '/' + encodeURI(wellFormed(junkString(rng).slice(0, 4000))).replace(/#/g, '%23');
    return { kind: 'static', path: p, verb: rng.chance(0.8) ? 'GET' : rng.pick(['HEAD', 'POST', 'TRACE']) };
  }
  if (r < 80) return { kind: 'big', mib: rng.pick([1.01, 2, 5]) };
  return { kind: 'raw', upgrade: rng.chance(0.6), bytes: '' };
}
