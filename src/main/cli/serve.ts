/**
 * `hyperdesk serve`: the web mode. Builds the renderer if needed, serves it and the host API on
 * 127.0.0.1, prints the address (with its token), boots the demo machine (unless --no-boot) and runs
 * until SIGINT or SIGTERM.
 */
import { createHost } from '../host/host.js';
import { dataDir } from '../host/snapshotCatalog.js';
import { ensureRendererBuilt } from '../web/build.js';
import { startWebServer, type WebServer } from '../web/server.js';
import { removeSessionFile, writeSessionFile } from '../web/sessionFile.js';
import { loadWebState, saveWebState } from '../web/webState.js';

export async function serveCommand(opts: { port: number; boot: boolean }): Promise<number> {
  let staticDir: string;
  try {
    staticDir = await ensureRendererBuilt((line) => console.error(line));
  } catch (e) {
    console.error(`hyperdesk serve: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const folder = dataDir();
  const host = createHost('web', { dataDir: folder });
  // The address of the last run when no port is asked for and it is free: a page left open
  // reconnects by itself to a restarted server (docs/app.md#connection).
  const last = loadWebState(folder);
  const start = (port: number) => startWebServer({ port, host: '127.0.0.1', staticDir, api: host, token: last.token });
  let server: WebServer;
  try {
    if (opts.port === 0 && last.port > 0) server = await start(last.port).catch(() => start(0));
    else server = await start(opts.port);
  } catch (e) {
    console.error(
      `hyperdesk serve: cannot listen on 127.0.0.1:${opts.port}: ${e instanceof Error ? e.message : String(e)}`,
    );
    await host.close();
    return 1;
  }
  try {
    saveWebState(folder, { token: server.token, port: Number(new URL(server.url).port) });
  } catch (e) {
    console.error(`hyperdesk serve: cannot keep the address for the next run: ${(e as Error).message}`);
  }
  console.log(`hyperdesk web mode: ${server.url}`);
  // So that `hyperdesk snapshot ...` in another terminal finds this session (docs/snapshots.md).
  const data = folder;
  try {
    writeSessionFile(data, {
      url: new URL(server.url).origin,
      token: server.token,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    });
  } catch (e) {
    console.error(`hyperdesk serve: cannot publish the session in ${data}: ${(e as Error).message}`);
  }
  if (opts.boot) {
    // The page shows the boot's progress and any error; the server keeps serving either way.
    host.boot({}).then(
      (status) => {
        if (status.error) console.error(`hyperdesk serve: the demo machine did not boot: ${status.error}`);
      },
      (e: unknown) => console.error(`hyperdesk serve: the demo machine did not boot: ${String(e)}`),
    );
  }
  // Listeners stay on until the server is closed, so a second Ctrl-C does not kill us mid-close.
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const signal = await stopped;
  console.error(`hyperdesk serve: ${signal}, stopping`);
  removeSessionFile(data);
  await server.close();
  await host.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return 0;
}
