/**
 * `npm run fuzz -- flood --kind console|events|input --seconds N`: a flood of a running machine
 * (flood.ts), one JSON line with its figures; exit code 1 when another guest stopped answering.
 *
 * `npm run fuzz -- web --count N [--seed S]`: hostile requests against the web face (web.ts); one
 * line per failure, then `{"fuzz":"web","inputs":..,"failures":..,"exceptions":..,"seed":..,"ms":..}`.
 *
 * `npm run fuzz -- soak --guests N --minutes M [--every S]`: the demo plus N busy clients (soak.ts),
 * one JSON line per interval and a summary; exit code 1 when a client starved or cos went silent.
 *
 * `npm run fuzz -- NAME --count N [--seed S] [--report K]`: one fuzz campaign (docs/security.md):
 * an isolation campaign, or `asm`, the assembler's. Prints every escape it localized (one JSON line each: the invariant, the step,
 * the shortest sequence that reproduces it), then one summary line
 * `{"fuzz":NAME,"inputs":N,"escapes":E,"exceptions":X,"seed":S,...}`. Exit code 1 when E or X > 0.
 */
import { parseArgs } from 'node:util';
import { runCampaign, type CampaignSpec } from './campaign.js';
import { CAMPAIGNS } from './campaigns.js';
import { runDiskCampaigns } from './diskRun.js';
import { FLOOD_KINDS, runFlood, type FloodKind } from './flood.js';
import { runSoak } from './soak.js';
import { runWebFuzz } from './web.js';

async function flood(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { kind: { type: 'string' }, seconds: { type: 'string' } },
  });
  const kind = values.kind as FloodKind;
  const seconds = Number(values.seconds ?? 10);
  if (!FLOOD_KINDS.includes(kind) || !(seconds > 0)) {
    process.stderr.write(`usage: npm run fuzz -- flood --kind ${FLOOD_KINDS.join('|')} --seconds N\n`);
    return 2;
  }
  const r = await runFlood(kind, seconds);
  process.stdout.write(JSON.stringify(r) + '\n');
  return r.otherGuest.answered > 0 && r.otherGuest.answered >= r.otherGuest.asked - 1 ? 0 : 1;
}

/** `web --count N [--seed S]`: hostile requests against the web face (web.ts). */
async function web(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { count: { type: 'string' }, seed: { type: 'string' } },
  });
  const count = Number(values.count ?? 1000);
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Date.now() >>> 0;
  if (!Number.isInteger(count) || count <= 0) {
    process.stderr.write('usage: npm run fuzz -- web --count N [--seed S]\n');
    return 2;
  }
  const r = await runWebFuzz({ count, seed, log: (l) => process.stdout.write(l + '\n') });
  process.stdout.write(JSON.stringify(r) + '\n');
  // The host is closed; exit now rather than wait for a lingering handle of a refused connection.
  process.exit(r.failures > 0 || r.exceptions > 0 ? 1 : 0);
}

/** `soak --guests N --minutes M [--every S]`: the demo plus N busy clients (soak.ts). */
async function soak(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { guests: { type: 'string' }, minutes: { type: 'string' }, every: { type: 'string' } },
  });
  const guests = Number(values.guests ?? 1000);
  const minutes = Number(values.minutes ?? 10);
  const every = Number(values.every ?? 60);
  if (!Number.isInteger(guests) || guests < 1 || guests > 1200 || !(minutes > 0) || !(every > 0)) {
    process.stderr.write('usage: npm run fuzz -- soak --guests N (1..1200) --minutes M [--every SECONDS]\n');
    return 2;
  }
  const r = await runSoak({
    guests,
    seconds: minutes * 60,
    intervalSeconds: every,
    log: (l) => process.stdout.write(l + '\n'),
  });
  process.stdout.write(JSON.stringify(r.summary) + '\n');
  process.exit(r.summary.starvedIntervals === 0 && r.summary.cosAnswered ? 0 : 1);
}

function main(): number | Promise<number> {
  // The disk campaigns of issue 13 take their own options (docs/security.md#disks-and-the-store-issue-13).
  const disks = runDiskCampaigns(process.argv.slice(2));
  if (disks) return disks;
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { count: { type: 'string' }, seed: { type: 'string' }, report: { type: 'string' } },
  });
  const name = positionals[0];
  const spec = name ? (CAMPAIGNS as unknown as Record<string, CampaignSpec<unknown>>)[name] : undefined;
  if (!spec) {
    process.stderr.write(
      `usage: npm run fuzz -- ${Object.keys(CAMPAIGNS).join('|')} --count N [--seed S] [--report K]\n` +
        '       npm run fuzz -- crash --runs N [--seed S] | disk --count N [--seed S]\n' +
        '       npm run fuzz -- flood --kind console|events|input --seconds N\n' +
        '       npm run fuzz -- web --count N [--seed S]\n' +
        '       npm run fuzz -- soak --guests N --minutes M [--every SECONDS]\n',
    );
    return 2;
  }
  const count = Number(values.count ?? 1000);
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Date.now() >>> 0;
  const report = Number(values.report ?? 3);
  if (!Number.isFinite(count) || count <= 0 || !Number.isFinite(report)) {
    process.stderr.write('--count and --report take positive numbers\n');
    return 2;
  }
  const r = runCampaign(spec, { count, seed, reportPerInvariant: report, log: (l) => process.stdout.write(l + '\n') });
  const { reports, counters, ...summary } = r;
  void reports;
  process.stdout.write(JSON.stringify({ ...summary, ...counters }) + '\n');
  return r.escapes > 0 || r.exceptions > 0 ? 1 : 0;
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { flood, web, soak };
const sub = SUBCOMMANDS[process.argv[2] ?? ''];
if (sub)
  void sub(process.argv.slice(3)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`${process.argv[2]}: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
else
  void Promise.resolve(main()).then((code) => {
    process.exitCode = code;
  });
