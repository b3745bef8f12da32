#!/usr/bin/env node
// The `hyperdesk` command. It runs the CLI built to plain JavaScript under out/cli/, building it first
// when it is missing or older than its sources (a fraction of a second, once), so an `npm install` is
// all a user needs and no TypeScript is compiled at start. Where no build can be made (a read-only
// install, a compile error) it runs the TypeScript sources through tsx, which reports errors with
// their file and line (docs/architecture.md#the-command-line-tool-issue-17).
import { currentBuild } from '../scripts/cli-build.mjs';

// A reader that stops early (`hyperdesk disk ls IMG | head -1`) closes the pipe: end quietly, as
// Unix tools do, instead of dying on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });

let entry = process.env.HYPERDESK_TSX ? undefined : await currentBuild();
if (!entry) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/main/cli/index.ts', import.meta.url);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
