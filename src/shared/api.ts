/**
 * The host API: what the UI may ask of the app. Defined once here (types only) and implemented once
 * in src/main/host; the Electron shell carries it over IPC (one `ipcMain.handle` per method, one
 * named preload method per call), the web mode over HTTP (`POST /api/<method>`, JSON array of
 * arguments in, JSON value out).
 */

/** Which face the UI is talking to. */
export type HostMode = 'electron' | 'web';

export interface HostInfo {
  /** Product name: `hyperdesk`. */
  name: string;
  /** The app's version (package.json). */
  version: string;
  /** Size of the instruction set, counted from the opcode table in src/shared/isa. */
  isa: { opcodes: number; csrs: number };
  mode: HostMode;
}

export interface HostApi {
  /** What this app is and which instruction set it emulates. */
  info(): Promise<HostInfo>;
}

/** The name of one host API call. */
export type HostMethod = keyof HostApi;

/** The IPC channel that carries one host API call in the Electron shell. */
export type HostChannel = `hyperdesk:${HostMethod}`;
