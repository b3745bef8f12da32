// Module hooks that do no hooking (worker-boot.mjs registers them before tsx): they run in the
// worker's module-hooks thread, which is where tsx's esbuild service is spawned, note each child
// process spawned there, and on request stop the service and wait until the child has exited, so
// that it is reaped before that thread ends (else it stays a zombie: issue 13).
import childProcess from 'node:child_process';

const children = [];
const spawn = childProcess.spawn;
childProcess.spawn = function (...args) {
  const child = spawn.apply(this, args);
  children.push(child);
  return child;
};

export async function initialize({ port }) {
  port.on('message', async () => {
    const esbuild = await import('esbuild');
    await esbuild.stop();
    await Promise.all(
      children.splice(0).map((c) =>
        c.exitCode !== null || c.signalCode !== null
          ? undefined
          : new Promise((resolve) => {
              c.ref(); // the service is unref'd: keep this thread alive until it has been reaped
              c.once('exit', resolve);
            }),
      ),
    );
    port.postMessage('stopped');
  });
  port.unref();
}
