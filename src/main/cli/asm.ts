/** `hyperdesk asm FILE.s -o FILE.bin [--list FILE.lst] [--symbols FILE.sym]` */
import { writeFileSync } from 'node:fs';
import { formatDiagnostic } from '../asm/index.js';
import { assembleFile } from '../host/assembleFile.js';

export async function asmCommand(
  file: string,
  opts: { output: string; list?: string; symbols?: string },
): Promise<number> {
  const r = assembleFile(file);
  if (r.readError) {
    process.stderr.write(r.readError + '\n');
    return 1;
  }
  for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  if (!r.ok) return 1;
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
