/** The placeholder page: shows what the host API reports, nothing else is live yet. */
import { connect } from './client.js';

function setText(id: string, text: string): void {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

async function start(): Promise<void> {
  const { api, transport } = connect();
  try {
    const info = await api.info();
    setText('version', `v${info.version}`);
    setText('mode', info.mode === 'electron' ? 'desktop app' : 'web mode');
    setText('opcodes', String(info.isa.opcodes));
    setText('csrs', String(info.isa.csrs));
    setText(
      'foot',
      info.mode === 'electron'
        ? `${info.name} ${info.version} · Electron shell, host API over IPC`
        : `${info.name} ${info.version} · web mode, host API over HTTP on ${window.location.host}`,
    );
    document.body.dataset.mode = info.mode;
  } catch (e) {
    setText('mode', transport === 'electron' ? 'desktop app: offline' : 'web mode: offline');
    setText('opcodes', '–');
    setText('csrs', '–');
    const error = document.getElementById('error');
    if (error) {
      error.textContent = `Could not reach the app: ${e instanceof Error ? e.message : String(e)}`;
      error.hidden = false;
    }
  }
}

void start();
