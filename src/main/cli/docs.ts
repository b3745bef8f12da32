import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateIsaDoc } from '../docs/isaDoc.js';
import { PROJECT_ROOT } from '../web/build.js';

/** Found from the project root, not from this module, which is a chunk under out/cli/ when built. */
export const ISA_DOC_PATH = pathToFileURL(path.join(PROJECT_ROOT, 'docs', 'isa.md'));

export async function docsCommand(opts: { check?: boolean }): Promise<number> {
  const text = generateIsaDoc();
  if (opts.check) {
    const cur = await readFile(ISA_DOC_PATH, 'utf8').catch(() => '');
    if (cur !== text) {
      process.stderr.write('docs/isa.md is out of date: run `npm run docs`\n');
      return 1;
    }
    return 0;
  }
  await mkdir(new URL('.', ISA_DOC_PATH), { recursive: true });
  await writeFile(ISA_DOC_PATH, text);
  process.stdout.write('wrote docs/isa.md\n');
  return 0;
}
