/**
 * `mcjobs start` (= `npm start`): runs the local twin in the foreground until Ctrl-C.
 */
import { z } from "zod";
import { JOB_STATUSES } from "../../../lib/domain/job";
import type { Command } from "../mcjobs";
import { positiveNumberArg, readArgv, runCommand, validate, wholeNumberArg, type CommandSpec } from "../args";

export const DEFAULT_PORT = 8780;

const usage = `Usage: mcjobs start [--dir DIR] [--fresh] [--port N] [--speed X] [--no-demo] [--reconcile-every SECONDS] [--drop-events PCT]

Runs the whole mcjobs pipeline on this machine: DynamoDB Local, kinesalite, s3rver, a local Firehose writing a
Parquet lake, a MediaConvert simulator, the collector, the consumers, the watch-folder handler, the Jobs API and the
dashboard. Prints the URLs and keeps going until Ctrl-C.

Options:
  --dir DIR    state folder, reused on the next start (default .mcjobs)
  --fresh      wipe the twin's state in DIR first (tables, stream, buckets, lake, checkpoints)
  --port N     port of the Jobs API and dashboard (default ${DEFAULT_PORT}; 0 = any free port)
  --speed X    simulated seconds per real second for MediaConvert jobs (default 30)
  --no-demo    do not generate demo jobs (drop files into the watch folder's inputs/ instead)
  --reconcile-every SECONDS
               seconds between reconciler sweeps, which heal jobs whose events were lost (default 30; 0 = off)
  --drop-events PCT
               the MediaConvert simulator loses this share of event deliveries, 0-100 (default 0)
  --verbose    print every handler warning and the twin's own progress lines

Needs Node.js 20+ and Java 17+ (DynamoDB Local). Other commands find the running twin through DIR/twin.json.`;

const spec = {
  command: "start",
  usage,
  options: {
    dir: { type: "string" },
    fresh: { type: "boolean" },
    port: { type: "string" },
    speed: { type: "string" },
    demo: { type: "boolean" },
    "no-demo": { type: "boolean" },
    verbose: { type: "boolean" },
    "reconcile-every": { type: "string" },
    "drop-events": { type: "string" },
  },
} satisfies CommandSpec;

const ArgsSchema = z.object({
  dir: z.string().min(1, "--dir needs a folder").default(".mcjobs"),
  fresh: z.boolean().default(false),
  port: wholeNumberArg("--port", 0, 65535).default(DEFAULT_PORT),
  speed: positiveNumberArg("--speed", 100_000).default(30),
  demo: z.boolean(),
  verbose: z.boolean().default(false),
  "reconcile-every": wholeNumberArg("--reconcile-every", 0, 86_400).default(30),
  "drop-events": wholeNumberArg("--drop-events", 0, 100).default(0),
});

export type StartArgs = z.infer<typeof ArgsSchema>;

/** Reads `mcjobs start`'s options; throws UsageError. Of --demo and --no-demo the last one given counts. */
export function parseStartArgs(argv: string[]): StartArgs {
  const { values, order } = readArgv(spec, argv);
  const lastDemo = order.filter((name) => name === "demo" || name === "no-demo").pop();
  return validate(ArgsSchema, { ...values, demo: lastDemo !== "no-demo" });
}

const command: Command = {
  summary: "run the whole pipeline locally (stand-ins, simulator, handlers, Jobs API, dashboard)",
  usage,
  run: (argv) => runCommand(spec, argv, parseStartArgs, start),
};

async function start(args: StartArgs): Promise<number> {
  // Loaded here, not at the top: `mcjobs --help` lists every command and need not load the twin.
  const { startTwin } = require("../../twin/twin") as typeof import("../../twin/twin");
  const log = (line: string) => console.log(`[twin] ${line}`);
  if (!args.verbose) {
    // Metrics are off locally; Powertools still says so after every invocation. Keep the terminal readable.
    const warn = console.warn.bind(console);
    console.warn = (...a: unknown[]) => {
      if (typeof a[0] === "string" && a[0].startsWith("No application metrics to publish")) return;
      warn(...a);
    };
  }
  // Signals are ours from here on, start-up included: DynamoDB Local runs in its own process group (out of
  // reach of the terminal's Ctrl-C), so this process must never die of one without stopping it.
  let early: string | undefined;
  let onSignal: (signal: string) => void = (signal) => {
    if (early) process.exit(130); // the exit hook in tools/twin/standins.ts still kills DynamoDB Local
    early = signal;
    console.log(`\nmcjobs: ${signal} received while starting; stopping as soon as the twin is up (again to force)…`);
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const listener = (signal: NodeJS.Signals) => onSignal(signal);
  for (const signal of signals) process.on(signal, listener);
  const release = () => {
    for (const signal of signals) process.off(signal, listener);
  };
  console.log(`mcjobs: starting the local twin (state in ${args.dir}${args.fresh ? ", wiped first" : ""})…`);
  let twin: Awaited<ReturnType<typeof startTwin>>;
  try {
    twin = await startTwin({
      dir: args.dir,
      fresh: args.fresh,
      ports: { http: args.port },
      speed: args.speed,
      demo: args.demo,
      reconcileEverySeconds: args["reconcile-every"],
      dropEventsPercent: args["drop-events"],
      logLevel: args.verbose ? "WARN" : "ERROR",
      // Ctrl-C reaches only this process, which stops DynamoDB Local after the in-flight invocations.
      ownProcessGroup: true,
      log: args.verbose ? log : (line) => (/^(not wired|dead letter)/.test(line) ? log(line) : undefined),
    });
  } catch (err) {
    release();
    throw err;
  }
  const st = twin.status();
  console.log("");
  console.log(`  Dashboard  ${twin.urls.dashboardUrl}`);
  // COMPLETE as the example: at the default speed most demo jobs are PROGRESSING for about a second (only the
  // demo's one long clip stays longer), so that list fills up first.
  console.log(`  Jobs API   ${twin.urls.apiUrl}/jobs/COMPLETE   ${twin.urls.apiUrl}/jobs/<jobId>   (any of ${JOB_STATUSES.join(", ")})`);
  console.log(`  Lake       ${twin.lakeDir}   (mcjobs history --local ${twin.lakeDir} --list)`);
  console.log(
    `  Watch      copy media into ${twin.inboxDir}/ (it goes to s3://${twin.buckets.watch}/inputs/ on ${twin.env.MCJOBS_ENDPOINT_S3})`,
  );
  if (st.missing.length) console.log(`  Not wired yet: ${st.missing.join("; ")}`);
  console.log("");
  const demoRuns = args.demo && !!twin.simulator;
  console.log(demoRuns ? "A demo workload is running. Press Ctrl-C to stop." : "Press Ctrl-C to stop.");

  return new Promise<number>((resolve) => {
    let stopping = false;
    let warned = false;
    onSignal = (signal: string) => {
      if (stopping) {
        if (warned) process.exit(130); // the exit hook still kills DynamoDB Local
        warned = true;
        console.error("mcjobs: stopping already; press Ctrl-C again to force.");
        return;
      }
      stopping = true;
      console.log(`\nmcjobs: ${signal} received, stopping the twin…`);
      twin.stop().then(
        () => {
          console.log("mcjobs: stopped cleanly.");
          release();
          resolve(0);
        },
        (err) => {
          console.error(`mcjobs: error while stopping: ${(err as Error).message}`);
          release();
          resolve(1);
        },
      );
    };
    if (early) onSignal(early);
  });
}

export default command;
