/** The page: connects to the app (IPC or HTTP), builds the window and its views, shows Consoles. */
import '@xterm/xterm/css/xterm.css';
import { AppContext } from './app/context.js';
import { Shell } from './app/Shell.js';
import { connect } from './client.js';
import { CompareView } from './compare/CompareView.js';
import { ConsolesView } from './consoles/ConsolesView.js';
import { ControlView } from './control/ControlView.js';
import { DebugView } from './debug/DebugView.js';
import { DisksView } from './disks/DisksView.js';
import { EditorView } from './editor/EditorView.js';
import { LogView } from './log/LogView.js';
import { MachinesView } from './machines/MachinesView.js';
import { NetworkView } from './network/NetworkView.js';
import { PerfView } from './perf/PerfView.js';
import { SnapshotsView } from './snapshots/SnapshotsView.js';
import { message } from './ui/dom.js';

async function start(): Promise<void> {
  const client = connect();
  const ctx = new AppContext(client.api);
  const editor = new EditorView(ctx);
  // The Disks view opens files in the editor; the Machines view's disk names open the Disks view.
  const disks = new DisksView(ctx, (target) => {
    shell.show('editor');
    void editor.openImageFile(target);
  });
  const views = [
    new ConsolesView(ctx),
    editor,
    new ControlView(ctx),
    new NetworkView(ctx),
    new PerfView(ctx),
    new CompareView(ctx),
    new LogView(ctx),
    new MachinesView(ctx, (name) => {
      shell.show('disks');
      disks.select(name);
    }),
    new SnapshotsView(ctx),
    new DebugView(ctx),
    disks,
  ];
  const shell = new Shell(ctx, views);
  document.body.replaceChildren(shell.el);
  shell.show(location.hash.slice(1) || 'consoles');
  client.onReconnect(() => {
    void shell.refresh();
    ctx.reconnected();
  });
  client.onConnection((c) => shell.connection(c, () => client.retryNow()));
  try {
    const info = await client.api.info();
    ctx.info = info;
    document.body.dataset.mode = info.mode;
    const where = info.mode === 'electron' ? 'desktop app' : `web mode on ${location.host}`;
    const store = info.store?.error ? ' · store off' : '';
    shell.setStoreProblem(info.store?.error);
    shell.setFoot(
      `${info.name} ${info.version} · ${where} · ISA ${info.isa.opcodes} opcodes, ${info.isa.csrs} control registers${store}`,
    );
  } catch (e) {
    shell.setFoot(`Could not reach the app: ${message(e)}`);
    document.body.dataset.offline = 'true';
  }
  await shell.refresh();
}

void start();
