/**
 * The Network view: the hypervisor's bridge (a learning switch), one port per guest NIC, the learned
 * MAC table and the counters, polled while the view is shown; "Save capture" downloads the bridge's
 * capture buffer as a pcap file (a Blob download, which works the same in Electron).
 */
import './network.css';
import type { NetworkView as Net } from '../../shared/api.js';
import type { AppContext, View } from '../app/context.js';
import { bytes, h, headRow, message, num } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import { ownerColour } from '../control/ownership.js';
import { download } from '../ui/download.js';
import { addressesFromPcap, cosAddress } from './addresses.js';
import { MessagesPanel } from './MessagesPanel.js';

const POLL_MS = 1000;

/** Decodes base64 into bytes (atob gives a binary string). */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export class NetworkView implements View {
  readonly id = 'network';
  readonly title = 'Network';
  readonly el: HTMLElement;
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  private readonly diagram = h('div.bridge-diagram');
  private readonly ports = h('tbody');
  private readonly macs = h('tbody');
  private readonly totals = h('dl.stats');
  private readonly note = h('p.note');
  private readonly saveButton: HTMLButtonElement;
  /** MAC -> IPv4 address, from the capture (network/addresses.ts), re-read when it grew. */
  private addresses = new Map<string, string>();
  private capturedSeen = -1;
  /** Messages between partitions (M19): a card of this view, polled with it. */
  private readonly messages: MessagesPanel;
  private lastCaptureRead = 0;

  constructor(private readonly ctx: AppContext) {
    this.messages = new MessagesPanel(ctx);
    this.saveButton = h(
      'button.primary',
      {
        type: 'button',
        title: 'Download the capture buffer as a pcap file (Ctrl+Shift+S)',
        onclick: () => void this.save(),
      },
      'Save capture',
    );
    this.el = h(
      'section.view.network',
      { 'data-view': this.id },
      h(
        'div.net-grid',
        {},
        h(
          'article.card.wide',
          {},
          h('div.card-head', {}, h('h2', {}, 'Bridge'), h('span.spacer'), this.saveButton),
          this.diagram,
          h(
            'p.muted.net-hint',
            {},
            'cos in partition N takes 10.0.0.(N+1)/24: cos (partition 1) is 10.0.0.2; swos has a nic but no IP stack. ',
            'To try it, type ',
            h('code', {}, 'ping 10.0.0.4'),
            ' in cos: the demo machine starts a second cos, cos2, in partition 3. The IPv4 column fills in from what the guests send.',
          ),
          this.totals,
          this.note,
        ),
        h(
          'article.card.wide',
          {},
          h('h2', {}, 'Ports'),
          h(
            'table.data',
            {},
            headRow(['#Port', 'Guest', 'MAC', 'IPv4', '#RX frames', '#RX bytes', '#TX frames', '#TX bytes', '#Drops']),
            this.ports,
          ),
        ),
        h(
          'article.card',
          {},
          h('h2', {}, 'Learned addresses'),
          h('table.data', {}, headRow(['MAC', '#Port']), this.macs),
        ),
        this.messages.el,
      ),
    );
    document.addEventListener('keydown', (e) => {
      if (this.el.hidden) return;
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void this.save();
      }
    });
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const n = await this.ctx.api.network();
      // The capture holds every frame: read it for addresses only when it grew, at most every 3 s.
      if (n.captured !== this.capturedSeen && Date.now() - this.lastCaptureRead > 3000) {
        this.lastCaptureRead = Date.now();
        const cap = await this.ctx.api.capture();
        this.addresses = addressesFromPcap(base64ToBytes(cap.base64));
        this.capturedSeen = n.captured;
      }
      this.render(n);
      this.note.textContent = '';
      await this.messages.update();
    } catch (e) {
      this.note.textContent = `The network is not available: ${message(e)}`;
    } finally {
      this.polling = false;
    }
  }

  private render(n: Net): void {
    this.diagram.replaceChildren(
      h(
        'div.switch',
        {},
        h('strong', {}, 'bridge'),
        h('span', {}, `${n.ports.length} port(s)`),
        h('span', {}, '10.0.0.0/24'),
      ),
      h('div.switch-link', { hidden: n.ports.length === 0 }),
      h(
        'div.port-row',
        {},
        ...n.ports.map((p) => {
          const el = h(
            'div.port',
            { 'data-port': p.port },
            h('div.port-link'),
            h(
              'div.port-box',
              {},
              h('strong', {}, p.guestName),
              h('span', {}, `port ${p.port}`),
              h('code', {}, p.mac),
              h('code.ip', { title: this.addressTitle(p.guest) }, this.addresses.get(p.mac) ?? 'no IPv4 seen'),
            ),
          );
          el.style.setProperty('--owner', ownerColour(p.guest));
          return el;
        }),
      ),
    );
    if (n.ports.length === 0) this.diagram.append(h('p.muted', {}, 'No guest has a network port yet.'));
    this.ports.replaceChildren(
      ...n.ports.map((p) =>
        h(
          'tr',
          {},
          h('td.num', {}, p.port),
          h('td', {}, p.guestName),
          h('td', {}, h('code', {}, p.mac)),
          h('td', { title: this.addressTitle(p.guest) }, this.addresses.get(p.mac) ?? h('span.muted', {}, '–')),
          h('td.num', {}, num(p.rxFrames)),
          h('td.num', {}, bytes(p.rxBytes)),
          h('td.num', {}, num(p.txFrames)),
          h('td.num', {}, bytes(p.txBytes)),
          h('td.num', {}, num(p.drops)),
        ),
      ),
    );
    this.macs.replaceChildren(
      ...n.macs.map((m) => h('tr', {}, h('td', {}, h('code', {}, m.mac)), h('td.num', {}, m.port))),
    );
    if (n.macs.length === 0) this.macs.append(h('tr', {}, h('td.muted', { colspan: 2 }, 'Nothing learned yet')));
    this.totals.replaceChildren(
      ...(
        [
          ['Frames switched', num(n.frames)],
          ['Flooded', num(n.flooded)],
          ['Filtered', num(n.filtered)],
          ['In capture', num(n.captured)],
          ['Capture dropped (oldest)', num(n.captureDropped)],
        ] as const
      ).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
    );
  }

  /** Where an address comes from, and what cos would use in that partition. */
  private addressTitle(id: number): string {
    return (
      `Seen on the bridge (ARP and IPv4 senders in the capture). cos takes ${cosAddress(id)} in partition ${id}; ` +
      'swos has a nic but no IP stack. Ping another cos from cos: ping 10.0.0.N.'
    );
  }

  private async save(): Promise<void> {
    const cap = await busy(this.saveButton, () => this.ctx.api.capture(), 'Save capture: ');
    if (!cap) return;
    download(cap.name, base64ToBytes(cap.base64), 'application/vnd.tcpdump.pcap');
    toast(`Saved ${cap.name}: ${cap.frames} frame(s)`, 'ok');
  }

  shown(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  hidden(): void {
    clearInterval(this.timer);
  }
}
