/**
 * The preload (sandboxed, context-isolated): exposes `window.hyperdesk`, one named method per host
 * API call, each checking its arguments before invoking its own IPC channel. It exposes nothing else:
 * no ipcRenderer, no generic `invoke(channel)`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { HostApi, HostChannel, HostInfo } from '../shared/api.js';

function invoke<T>(channel: HostChannel, ...args: unknown[]): Promise<T> {
  return ipcRenderer.invoke(channel, ...args) as Promise<T>;
}

function expectNoArgs(method: string, args: unknown[]): void {
  if (args.length !== 0) throw new TypeError(`hyperdesk.${method}() takes no arguments`);
}

const api: HostApi = {
  info: (...args: unknown[]) => {
    expectNoArgs('info', args);
    return invoke<HostInfo>('hyperdesk:info');
  },
};

contextBridge.exposeInMainWorld('hyperdesk', api);
