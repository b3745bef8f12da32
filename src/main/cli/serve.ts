/**
 * `hyperdesk serve`: the web mode. Builds the renderer if needed, serves it and the host API on
 * 127.0.0.1, prints the address (with its token) and runs until SIGINT or SIGTERM.
 */
import { ensureRendererBuilt } from '../web/build.js';
import { startWebServer } from '../web/server.js';

export async function serveCommand(opts: { port: number }): Promise<number> {
  let staticDir: string;
  try {
    staticDir = await ensureRendererBuilt((line) => console.error(line));
  } catch (e) {
    console.error(`hyperdesk serve: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  let server;
  try {
    server = await startWebServer({ port: opts.port, host: '127.0.0.1', staticDir });
  } catch (e) {
    console.error(
      `hyperdesk serve: cannot listen on 127.0.0.1:${opts.port}: ${e instanceof Error ? e.message : String(e)}`,
    );
    return 1;
  }
  console.log(`hyperdesk web mode: ${server.url}`);
  // Listeners stay on until the server is closed, so a second Ctrl-C does not kill us mid-close.
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const signal = await stopped;
  console.error(`hyperdesk serve: ${signal}, stopping`);
  await server.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return 0;
}
