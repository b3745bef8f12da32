import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateIsaDoc, updateHypercallDoc } from '../host/tools.js';
import { PROJECT_ROOT } from '../web/build.js';

// Found from the project root, not from this module, which is a chunk under out/cli/ when built.
export const ISA_DOC_PATH = pathToFileURL(path.join(PROJECT_ROOT, 'docs', 'isa.md'));
export const HYPERCALL_DOC_PATH = pathToFileURL(path.join(PROJECT_ROOT, 'docs', 'hypercalls.md'));

/** docs/isa.md whole, and the generated tables of docs/hypercalls.md (`--check`: only say whether they are current). */
export async function docsCommand(opts: { check?: boolean }): Promise<number> {
  const isa = generateIsaDoc();
  const hcNow = await readFile(HYPERCALL_DOC_PATH, 'utf8');
  let hc: string;
  try {
    hc = updateHypercallDoc(hcNow);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  if (opts.check) {
    const cur = await readFile(ISA_DOC_PATH, 'utf8').catch(() => '');
    let stale = 0;
    if (cur !== isa) stale = (process.stderr.write('docs/isa.md is out of date: run `npm run docs`\n'), 1);
    if (hcNow !== hc) stale = (process.stderr.write('docs/hypercalls.md is out of date: run `npm run docs`\n'), 1);
    return stale;
  }
  await mkdir(new URL('.', ISA_DOC_PATH), { recursive: true });
  await writeFile(ISA_DOC_PATH, isa);
  process.stdout.write('wrote docs/isa.md\n');
  if (hc !== hcNow) {
    await writeFile(HYPERCALL_DOC_PATH, hc);
    process.stdout.write('wrote the tables of docs/hypercalls.md\n');
  }
  return 0;
}
