/**
 * The Electron shell: one window, and the host API wired to IPC (one `ipcMain.handle` per method).
 * Thin on purpose: everything the app can do lives in src/main/host, so the web mode and the CLI get
 * the same behaviour. This and src/preload/index.ts are the only files that import `electron`.
 */
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostApi, HostChannel } from '../shared/api.js';
import { createHost } from './host/host.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererFile = path.join(here, '../renderer/index.html');
/** Set by `electron-vite dev`; absent in a built app. */
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];

/** Only our own page may call the host API. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  if (!url) return false;
  if (devServerUrl) return url.startsWith(devServerUrl);
  return url.startsWith('file://') && fileURLToPath(url.split(/[?#]/)[0] ?? '') === rendererFile;
}

function handle(channel: HostChannel, fn: (...args: unknown[]) => Promise<unknown>): void {
  ipcMain.handle(channel, (event, ...args: unknown[]) => {
    if (!isTrustedSender(event)) throw new Error(`${channel}: refused a call from an untrusted frame`);
    return fn(...args);
  });
}

function wireHostApi(host: HostApi): void {
  handle('hyperdesk:info', async (...args) => {
    if (args.length !== 0) throw new TypeError('info() takes no arguments');
    return host.info();
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
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererFile);
  return win;
}

app.whenReady().then(
  () => {
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    wireHostApi(createHost('electron'));
    createWindow();
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
