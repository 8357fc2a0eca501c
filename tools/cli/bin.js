#!/usr/bin/env node
// Thin launcher: runs the TypeScript CLI through tsx so `npx mcjobs` works straight after `npm ci`.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
require("tsx/cjs");
const { exitWhenFlushed } = require("./exit.ts");
require("./mcjobs.ts").main(process.argv.slice(2)).then(exitWhenFlushed);
