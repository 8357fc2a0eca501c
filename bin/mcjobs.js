#!/usr/bin/env node
// Thin launcher: runs the TypeScript CLI through tsx so `npx mcjobs` works straight after `npm ci`.
require("tsx/cjs");
require("../cli/mcjobs.ts")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
