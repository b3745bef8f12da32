// Runs the built app's main process (out/main/index.js) under plain Node with the electron
// stand-in, then its preload (out/preload/index.cjs) as Electron runs a sandboxed preload, and
// lets the parent (test/app/builtApp.test.ts, over the fork IPC channel) call the API the preload
// exposed, exactly as the page would. Usage: node builtMain.mjs OUT_DIR
//
// To the parent: { ready: {...what the shell registered} }, { event: HostEvent }, and
// { id, ok, value | error } for each { id, call, args } or { id, untrusted, channel, args }.
// { quit: true } asks the app to quit (before-quit: the host closes); the process then exits.
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

register(new URL('./electronHooks.mjs', import.meta.url));
const electron = await import('./electronStandIn.mjs');
const { recorded } = electron;

const outDir = process.argv[2];
// As the main process of that Electron version sees itself (which native builds it may load).
if (process.env.HYPERDESK_STANDIN_ELECTRON) {
  Object.defineProperty(process.versions, 'electron', {
    value: process.env.HYPERDESK_STANDIN_ELECTRON,
    enumerable: true,
  });
}
await import(pathToFileURL(path.join(outDir, 'main', 'index.js')).href);
await electron.allReady();

const win = recorded.windows[0];
if (!win) throw new Error('the shell made no window');
// Electron's sandboxed preload: a CommonJS script whose require() knows only 'electron' (and a few
// built-ins the shell does not use).
const preloadFile = win.options.webPreferences?.preload;
const preload = vm.compileFunction(readFileSync(preloadFile, 'utf8'), ['require', 'module', 'exports'], {
  filename: preloadFile,
});
const mod = { exports: {} };
preload(
  (id) => {
    if (id === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require('${id}')`);
  },
  mod,
  mod.exports,
);
const api = recorded.exposed.get('hyperdesk');

let permission;
recorded.permissionHandler?.({}, 'media', (granted) => (permission = granted));
process.send({
  ready: {
    channels: [...recorded.handlers.keys()],
    exposed: api ? Object.keys(api) : [],
    window: {
      webPreferences: { ...win.options.webPreferences },
      loaded: win.loaded,
      shown: win.shown,
    },
    preloadFile,
    permissionGranted: permission,
    appEvents: [...recorded.appEvents.keys()],
    webContentsEvents: [...win.webContents.listeners.keys()],
  },
});
api?.onEvent((e) => process.send({ event: e }));

process.on('message', async (m) => {
  if (m.quit) {
    electron.app.quit();
    const t0 = Date.now();
    while (!recorded.quit && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    process.send({ quitted: recorded.quit ?? null }, () => process.exit(recorded.quit ? 0 : 1));
    return;
  }
  if (m.preventUnload !== undefined) {
    // The page refused to unload (beforeunload): the shell asks; the answer is m.preventUnload.
    recorded.messageBoxAnswer = m.preventUnload;
    let left = false;
    for (const l of win.webContents.listeners.get('will-prevent-unload') ?? [])
      l({ preventDefault: () => (left = true) });
    process.send({ id: m.id, ok: true, value: { left, asked: recorded.messageBoxes?.at(-1)?.message } });
    return;
  }
  try {
    const value = m.untrusted
      ? await electron.invokeFrom(m.untrusted, m.channel, ...m.args)
      : await api[m.call](...m.args);
    process.send({ id: m.id, ok: true, value });
  } catch (e) {
    process.send({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
