/**
 * `npm run fuzz -- crash --runs N [--seed S] [--report K]` and `npm run fuzz -- disk --count N
 * [--seed S] [--report K]` (docs/security.md#disks-and-the-store-issue-13): the disk campaigns of
 * issue 13, which take their own options. Each prints its failures (one JSON line each) and a
 * summary line; exit code 1 when anything failed.
 */
import { parseArgs } from 'node:util';
import { ensureDisks } from '../../src/main/host/disks.js';
import { runCrashCampaign } from './crash.js';
import { runDiskFuzz } from './diskFuzz.js';

/** The campaign's exit code, or undefined when argv names another campaign. */
export function runDiskCampaigns(argv: string[]): Promise<number> | undefined {
  if (argv[0] !== 'crash' && argv[0] !== 'disk') return undefined;
  const { values } = parseArgs({
    args: argv.slice(1),
    options: {
      runs: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      report: { type: 'string' },
    },
  });
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Date.now() >>> 0;
  const report = Number(values.report ?? 20);
  const log = (l: string) => process.stdout.write(l + '\n');
  const n = Number((argv[0] === 'crash' ? values.runs : values.count) ?? (argv[0] === 'crash' ? 20 : 1000));
  if (!Number.isSafeInteger(n) || n <= 0) {
    process.stderr.write(`--${argv[0] === 'crash' ? 'runs' : 'count'} takes a positive whole number\n`);
    return Promise.resolve(2);
  }
  return (async () => {
    const image = await ensureDisks();
    const r =
      argv[0] === 'crash'
        ? await runCrashCampaign({ runs: n, seed, image, log, report })
        : runDiskFuzz({ count: n, seed, image, log, report });
    process.stdout.write(JSON.stringify(r) + '\n');
    return r.failures > 0 ? 1 : 0;
  })();
}
