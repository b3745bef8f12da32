#!/usr/bin/env node
// The `hyperdesk` command. It runs the TypeScript sources through tsx, so an `npm install` is all a
// user needs (no separate build step for the CLI).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
