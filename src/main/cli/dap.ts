/**
 * `hyperdesk dap [--port N]`: the Debug Adapter Protocol server (dapSession.ts) on stdin/stdout,
 * or with --port on 127.0.0.1:N, one session per connection (docs/debugger.md#the-debug-adapter).
 */
import { createServer, type Server } from 'node:net';
import { HyperdeskDebugSession } from './dapSession.js';

/** Serve DAP sessions on a port (0: any free one); resolves with the server once it listens. */
export function serveDap(port: number): Promise<Server> {
  const server = createServer((socket) => {
    const session = new HyperdeskDebugSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('close', () => session.dispose());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export async function dapCommand(opts: { port?: number }): Promise<number> {
  // stdout carries the protocol: anything printed goes to stderr instead.
  console.log = console.error;
  if (opts.port !== undefined) {
    const server = await serveDap(opts.port);
    const addr = server.address();
    console.error(`hyperdesk dap: listening on 127.0.0.1:${typeof addr === 'object' && addr ? addr.port : opts.port}`);
    await new Promise<void>((resolve) => server.on('close', resolve));
    return 0;
  }
  const session = new HyperdeskDebugSession();
  session.start(process.stdin, process.stdout);
  await new Promise<void>((resolve) => process.stdin.on('end', resolve));
  return 0;
}
