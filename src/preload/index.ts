/**
 * The preload (sandboxed, context-isolated): exposes `window.hyperdesk`, one named method per host
 * API call, each checking its arguments (API_ARGS in src/shared/api.ts) before invoking its own IPC
 * channel, plus `onEvent` for the host's events. It exposes nothing else: no ipcRenderer, no
 * generic `invoke(channel)`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  checkArgs,
  EVENT_CHANNEL,
  HOST_METHODS,
  type HostApi,
  type HostClient,
  type HostEvent,
  type HostMethod,
} from '../shared/api.js';

function method<M extends HostMethod>(name: M): HostApi[M] {
  const channel = `hyperdesk:${name}` as const;
  const call = (...args: unknown[]) => {
    const problem = checkArgs(name, args);
    if (problem) return Promise.reject(new TypeError(`hyperdesk.${problem}`));
    return ipcRenderer.invoke(channel, ...args);
  };
  return call as unknown as HostApi[M];
}

const api = Object.fromEntries(HOST_METHODS.map((m) => [m, method(m)])) as unknown as HostApi;

const client: HostClient = {
  ...api,
  onEvent(listener: (e: HostEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('hyperdesk.onEvent(listener): listener must be a function');
    const forward = (_event: IpcRendererEvent, e: HostEvent) => listener(e);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('hyperdesk', client);
