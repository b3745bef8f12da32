import { formatDiagnostic, type AsmResult } from '../host/tools.js';
import { assembleFile } from '../host/assembleFile.js';

/** Assemble a file, printing every diagnostic to stderr; undefined when it did not assemble. */
export function assembleOrReport(file: string): AsmResult | undefined {
  const r = assembleFile(file);
  if (r.readError) {
    process.stderr.write(r.readError + '\n');
    return undefined;
  }
  for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  return r.ok ? r : undefined;
}
