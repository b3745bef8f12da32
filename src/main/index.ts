/**
 * The Electron shell: one window, and the host API wired to IPC (one `ipcMain.handle` per method).
 * Thin on purpose: everything the app can do lives in src/main/host, so the web mode and the CLI get
 * the same behaviour. This and src/preload/index.ts are the only files that import `electron`.
 */
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkArgs, EVENT_CHANNEL, HOST_METHODS, type HostMethod, type HostService } from '../shared/api.js';
import { createHost } from './host/host.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererFile = path.join(here, '../renderer/index.html');
/** The app's host, once Electron is ready; closed before the app quits. */
let host: HostService | undefined;
/** Set by `electron-vite dev`; absent in a built app. */
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];

/** Only our own page may call the host API. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  if (!url) return false;
  if (devServerUrl) return url.startsWith(devServerUrl);
  return url.startsWith('file://') && fileURLToPath(url.split(/[?#]/)[0] ?? '') === rendererFile;
}

/** One `ipcMain.handle` per host API method; arguments are checked again here (never trust a page). */
function wireHostApi(host: HostService): void {
  for (const name of HOST_METHODS) {
    const channel = `hyperdesk:${name}` as const;
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) throw new Error(`${channel}: refused a call from an untrusted frame`);
      const problem = checkArgs(name, args);
      if (problem) throw new TypeError(problem);
      const call = host[name as HostMethod] as (...a: unknown[]) => Promise<unknown>;
      return call.apply(host, args);
    });
  }
  // Events go to every window of ours (there is one).
  host.subscribe((e) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, e);
    }
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'hyperdesk',
    backgroundColor: '#0d1117',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The window shows our page only: links open in the user's browser, navigation elsewhere is refused.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  // The page refuses to unload with unsaved editor edits (beforeunload); Electron then cancels the
  // close silently unless the shell asks, as a browser would (docs/app.md, Editor).
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Leave', 'Stay'],
      defaultId: 1,
      cancelId: 1,
      title: 'Unsaved edits',
      message: 'The editor has unsaved edits.',
      detail: 'Leave and lose them, or stay and save them (Ctrl+S)?',
    });
    if (choice === 0) event.preventDefault();
  });
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererFile);
  return win;
}

app.whenReady().then(
  () => {
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    // $HYPERDESK_DATA first, as for the CLI and the web mode (tests point it at a temporary folder).
    const service = createHost('electron', { dataDir: process.env['HYPERDESK_DATA'] || app.getPath('userData') });
    host = service;
    // Said once on the terminal too; the window shows it under the top bar (docs/app.md).
    void service.info().then((i) => i.store.error && console.warn(`hyperdesk: ${i.store.error}`));
    wireHostApi(service);
    createWindow();
    // The demo machine boots at start; the window shows its progress and any error.
    void service.boot({}).catch((e: unknown) => console.error('hyperdesk: the demo machine did not boot:', e));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  },
  (e: unknown) => {
    console.error('hyperdesk: Electron failed to start:', e);
    app.exit(1);
  },
);

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Disk writes are flushed and the engine stopped before the app goes.
let closing = false;
app.on('before-quit', (event) => {
  if (!host || closing) return;
  closing = true;
  event.preventDefault();
  void host.close().finally(() => app.quit());
});
