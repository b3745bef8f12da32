/** `hyperdesk asm FILE.s -o FILE.bin [--list FILE.lst] [--symbols FILE.sym]` */
import { writeFileSync } from 'node:fs';
import { assembleOrReport } from './report.js';

export async function asmCommand(
  file: string,
  opts: { output: string; list?: string; symbols?: string },
): Promise<number> {
  const r = assembleOrReport(file);
  if (!r) return 1;
  const symPath = opts.symbols ?? opts.output.replace(/\.[^./]*$/, '') + '.sym';
  try {
    writeFileSync(opts.output, r.bytes);
    writeFileSync(symPath, r.symbolFile);
    if (opts.list) writeFileSync(opts.list, r.listing);
  } catch (e) {
    process.stderr.write(`error: cannot write output: ${(e as Error).message}\n`);
    return 1;
  }
  process.stderr.write(
    `${file}: ${r.bytes.length} bytes at 0x${r.base.toString(16).padStart(8, '0')}, entry 0x${r.entry.toString(16).padStart(8, '0')}\n`,
  );
  return 0;
}
