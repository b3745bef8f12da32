/** Saving bytes as a file from the page (the pcap capture, a console's text, the log). */
import { h } from './dom.js';

/** Saves bytes as a file through the browser's download (Electron shows its save dialog). */
export function download(name: string, data: Uint8Array<ArrayBuffer>, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
