#!/usr/bin/env node
"use strict";
/**
 * `serverless-fullstack start [--stack dev] [--port 3000] [--fresh] [--state-dir .local/<stack>]`, in a Pulumi
 * project's folder: runs its index.ts with its stack config under mocks and serves it on the embedded emulators,
 * as `npm start` does for this repository's reference app (local/start.ts).
 */
const USAGE = "usage: serverless-fullstack start [--stack <name>] [--port <n>] [--fresh] [--state-dir <dir>]";
const [command, ...args] = process.argv.slice(2);
if (command !== "start") {
  console.error(command === undefined || command === "--help" || command === "-h" ? USAGE : `unknown command "${command}"\n${USAGE}`);
  process.exit(command === "--help" || command === "-h" ? 0 : 2);
}
// The program's own TypeScript (index.ts, its handlers' imports) with the program's tsconfig.json; the package's
// files keep its own loader (load.js), installed after so that it sees them first.
require("../local/offline/register.cjs");
const { load } = require("./load");
load("local/start")
  .main(args)
  .catch((error) => {
    console.error(`\nserverless-fullstack start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
