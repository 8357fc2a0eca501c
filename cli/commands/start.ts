/**
 * `mcjobs start` (= `npm start`): runs the local twin in the foreground until Ctrl-C.
 */
import { z } from "zod";
import { JOB_STATUSES } from "../../domain/job";
import type { Command } from "../mcjobs";

export const DEFAULT_PORT = 8780;

const usage = `Usage: mcjobs start [--dir DIR] [--fresh] [--port N] [--speed X] [--no-demo]

Runs the whole mcjobs pipeline on this machine: DynamoDB Local, kinesalite, s3rver, a local Firehose writing a
Parquet lake, a MediaConvert simulator, the collector, the consumers, the convert handler, the Jobs API and the
dashboard. Prints the URLs and keeps going until Ctrl-C.

Options:
  --dir DIR    state folder, reused on the next start (default .mcjobs)
  --fresh      wipe the twin's state in DIR first (tables, stream, buckets, lake, checkpoints)
  --port N     port of the Jobs API and dashboard (default ${DEFAULT_PORT}; 0 = any free port)
  --speed X    simulated seconds per real second for MediaConvert jobs (default 30)
  --no-demo    do not generate demo jobs (drop files into the watch folder's inputs/ instead)
  --verbose    print every handler warning and the twin's own progress lines

Needs Node.js 20+ and Java 17+ (DynamoDB Local). Other commands find the running twin through DIR/twin.json.`;

const ArgsSchema = z.object({
  dir: z.string().min(1, "--dir needs a folder").default(".mcjobs"),
  fresh: z.boolean(),
  port: z.coerce
    .number({ message: "--port must be a number" })
    .int("--port must be a whole number")
    .min(0, "--port must be between 0 and 65535")
    .max(65535, "--port must be between 0 and 65535")
    .default(DEFAULT_PORT),
  speed: z.coerce.number({ message: "--speed must be a number" }).positive("--speed must be above 0").max(100_000, "--speed must be at most 100000").default(30),
  demo: z.boolean(),
  verbose: z.boolean(),
});

export type StartArgs = z.infer<typeof ArgsSchema>;

export function parseStartArgs(argv: string[]): StartArgs {
  const raw: Record<string, unknown> = { fresh: false, demo: true, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith("--"))) throw new Error(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case "--dir":
        raw.dir = value();
        break;
      case "--port":
        raw.port = value();
        break;
      case "--speed":
        raw.speed = value();
        break;
      case "--fresh":
        raw.fresh = true;
        break;
      case "--no-demo":
        raw.demo = false;
        break;
      case "--demo":
        raw.demo = true;
        break;
      case "--verbose":
        raw.verbose = true;
        break;
      default:
        throw new Error(`unknown option ${a}. Run \`mcjobs start --help\` for the options.`);
    }
  }
  const parsed = ArgsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

const command: Command = {
  summary: "run the whole pipeline locally (stand-ins, simulator, handlers, Jobs API, dashboard)",
  usage,
  async run(argv) {
    let args: StartArgs;
    try {
      args = parseStartArgs(argv);
    } catch (err) {
      console.error(`mcjobs start: ${(err as Error).message}`);
      return 2;
    }
    // Loaded here, not at the top: `mcjobs --help` lists every command and need not load the twin.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startTwin } = require("../../local/twin") as typeof import("../../local/twin");
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
      if (early) process.exit(130); // the exit hook in local/standins.ts still kills DynamoDB Local
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
    // COMPLETE as the example: at the default speed a demo job is PROGRESSING for about a second, so that list is
    // usually empty when someone first opens it.
    console.log(`  Jobs API   ${twin.urls.apiUrl}/jobs/COMPLETE   ${twin.urls.apiUrl}/jobs/<jobId>   (any of ${JOB_STATUSES.join(", ")})`);
    console.log(`  Lake       ${twin.lakeDir}   (mcjobs history --local ${twin.lakeDir} --list)`);
    console.log(`  Watch      copy media into ${twin.inboxDir}/ (it goes to s3://${twin.buckets.watch}/inputs/ on ${twin.env.MCJOBS_ENDPOINT_S3})`);
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
  },
};

export default command;
