/**
 * The host API (src/shared/api.ts), implemented once. The faces (the Electron shell's IPC handlers,
 * the web server's HTTP routes) only carry calls to this object; they hold no logic of their own.
 * Today it can only describe the app; machines, disks and the assembler join it in later issues.
 */
import type { HostApi, HostInfo, HostMode } from '../../shared/api.js';
import { CSRS, OPCODES } from '../../shared/isa/index.js';
import pkg from '../../../package.json' with { type: 'json' };

export function createHost(mode: HostMode): HostApi {
  const info: HostInfo = {
    name: pkg.name,
    version: pkg.version,
    isa: { opcodes: OPCODES.length, csrs: CSRS.length },
    mode,
  };
  return {
    info: async () => structuredClone(info),
  };
}
