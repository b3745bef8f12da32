/* global structuredClone, queueMicrotask */
// A stand-in for the `electron` module, enough to load the built app's main process and preload
// under plain Node (test/app/builtApp.test.ts; Electron itself cannot start on the CI machines).
// It records what the shell registers (IPC handlers, windows, app events, the permission handler)
// and carries calls and events between the preload and the main process the way Electron does:
// arguments and results are structured-cloned, a handler's error reaches the page as
// "Error invoking remote method '<channel>': <error>", and every call says which frame sent it.
import { pathToFileURL } from 'node:url';

export const recorded = {
  /** ipcMain.handle: channel -> handler. */
  handlers: new Map(),
  /** Every BrowserWindow made, in order. */
  windows: [],
  /** app.on/once: event -> listeners. */
  appEvents: new Map(),
  /** session.defaultSession.setPermissionRequestHandler's handler. */
  permissionHandler: undefined,
  /** contextBridge.exposeInMainWorld: key -> api. */
  exposed: new Map(),
  /** ipcRenderer.on: channel -> listeners (the page's side of webContents.send). */
  rendererListeners: new Map(),
  /** Links given to shell.openExternal. */
  opened: [],
  /** Set when the app has quit (quit not prevented, or exit). */
  quit: undefined,
  /** Callbacks of app.whenReady() that have run. */
  readyRuns: 0,
};

let readyHandlers = 0;
/** Resolves once every app.whenReady() callback registered so far has run. */
export function allReady() {
  return new Promise((resolve) => {
    const check = () => (recorded.readyRuns >= readyHandlers ? resolve() : setTimeout(check, 5));
    check();
  });
}

function emitApp(name, ...args) {
  for (const l of [...(recorded.appEvents.get(name) ?? [])]) l(...args);
}

export const app = {
  isPackaged: false,
  whenReady() {
    readyHandlers++;
    const p = Promise.resolve();
    // Counts a callback as run when the promise chain the caller builds on it has gone one step.
    return {
      then(onReady, onError) {
        return p.then((v) => {
          try {
            return onReady?.(v);
          } finally {
            recorded.readyRuns++;
          }
        }, onError);
      },
    };
  },
  getPath(name) {
    if (name === 'userData') return process.env.HYPERDESK_STANDIN_USERDATA ?? '/nonexistent/userData';
    throw new Error(`electron stand-in: app.getPath('${name}') is not modelled`);
  },
  getVersion: () => '0.0.0-stand-in',
  on(name, listener) {
    const list = recorded.appEvents.get(name) ?? [];
    list.push(listener);
    recorded.appEvents.set(name, list);
    return app;
  },
  once(name, listener) {
    const wrapped = (...a) => {
      recorded.appEvents.set(
        name,
        (recorded.appEvents.get(name) ?? []).filter((l) => l !== wrapped),
      );
      listener(...a);
    };
    return app.on(name, wrapped);
  },
  /** As Electron: 'before-quit' first; a listener may preventDefault() and quit again later. */
  quit() {
    let prevented = false;
    emitApp('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    emitApp('will-quit', { preventDefault() {} });
    recorded.quit = { how: 'quit' };
    emitApp('quit');
  },
  exit(code = 0) {
    recorded.quit = { how: 'exit', code };
  },
};

class WebContents {
  constructor() {
    this.listeners = new Map();
    this.windowOpenHandler = undefined;
    this.destroyed = false;
  }
  /** main -> page: the preload's ipcRenderer.on listeners get a clone, as over real IPC. */
  send(channel, payload) {
    for (const l of recorded.rendererListeners.get(channel) ?? []) l({ senderId: 0 }, structuredClone(payload));
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  on(name, listener) {
    const list = this.listeners.get(name) ?? [];
    list.push(listener);
    this.listeners.set(name, list);
    return this;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class BrowserWindow {
  static getAllWindows() {
    return recorded.windows.filter((w) => !w.destroyed);
  }
  constructor(options = {}) {
    this.options = options;
    this.webContents = new WebContents();
    this.listeners = new Map();
    this.destroyed = false;
    this.shown = false;
    this.loaded = undefined;
    recorded.windows.push(this);
  }
  on(name, listener) {
    const list = this.listeners.get(name) ?? [];
    list.push(listener);
    this.listeners.set(name, list);
    return this;
  }
  once(name, listener) {
    return this.on(name, listener);
  }
  emit(name, ...args) {
    for (const l of this.listeners.get(name) ?? []) l(...args);
  }
  show() {
    this.shown = true;
  }
  /** The page's address, as the frames of this window report it. */
  get url() {
    return this.loaded?.file ? pathToFileURL(this.loaded.file).href : this.loaded?.url;
  }
  loadFile(file) {
    this.loaded = { file };
    queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  loadURL(url) {
    this.loaded = { url };
    queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export const ipcMain = {
  handle(channel, handler) {
    if (recorded.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    recorded.handlers.set(channel, handler);
  },
  removeHandler(channel) {
    recorded.handlers.delete(channel);
  },
  on() {},
};

/** Calls a main-process handler as Electron does for `ipcRenderer.invoke` from a frame at `url`. */
export async function invokeFrom(url, channel, ...args) {
  const handler = recorded.handlers.get(channel);
  if (!handler)
    throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
  const win = recorded.windows[0];
  const event = { sender: win?.webContents, senderFrame: { url } };
  try {
    return structuredClone(await handler(event, ...structuredClone(args)));
  } catch (e) {
    throw new Error(`Error invoking remote method '${channel}': ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
  }
}

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler) {
      recorded.permissionHandler = handler;
    },
  },
};

export const shell = {
  async openExternal(url) {
    recorded.opened.push(url);
  },
};

export const dialog = {
  /** The button index the "user" picks; every question asked is recorded. */
  showMessageBoxSync(_win, options) {
    recorded.messageBoxes = [...(recorded.messageBoxes ?? []), options];
    return recorded.messageBoxAnswer ?? options.cancelId ?? 0;
  },
  async showOpenDialog() {
    return { canceled: true, filePaths: [] };
  },
  async showSaveDialog() {
    return { canceled: true };
  },
  showErrorBox(title, content) {
    recorded.errorBoxes = [...(recorded.errorBoxes ?? []), { title, content }];
  },
};

export const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu(menu) {
    recorded.menu = menu;
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    recorded.schemes = schemes;
  },
  handle(scheme, handler) {
    recorded.protocols = { ...(recorded.protocols ?? {}), [scheme]: handler };
  },
};

// The preload's side.
export const contextBridge = {
  exposeInMainWorld(key, api) {
    recorded.exposed.set(key, api);
  },
};

export const ipcRenderer = {
  /** page -> main, from the first window's page. */
  invoke(channel, ...args) {
    return invokeFrom(recorded.windows[0]?.url, channel, ...args);
  },
  on(channel, listener) {
    const list = recorded.rendererListeners.get(channel) ?? [];
    list.push(listener);
    recorded.rendererListeners.set(channel, list);
    return ipcRenderer;
  },
  off(channel, listener) {
    recorded.rendererListeners.set(
      channel,
      (recorded.rendererListeners.get(channel) ?? []).filter((l) => l !== listener),
    );
    return ipcRenderer;
  },
};

export default {
  app,
  BrowserWindow,
  ipcMain,
  session,
  shell,
  dialog,
  Menu,
  protocol,
  contextBridge,
  ipcRenderer,
};
