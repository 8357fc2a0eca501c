/**
 * `mcjobs dashboard --endpoint URL`: the live dashboard against a deployed Jobs API (IAM auth), through a loopback
 * proxy that signs the page's API calls with your AWS credentials. For the local twin, `mcjobs start` serves the
 * dashboard itself.
 */
import { z } from "zod";
import type { Command } from "../mcjobs";
import { readArgv, regionArg, runCommand, UsageError, validate, wholeNumberArg, type CommandSpec } from "../args";

const usage = `Usage: mcjobs dashboard --endpoint URL [--region R] [--port N]

Serves the jobs dashboard on http://127.0.0.1:N/ and forwards its read-only calls (GET /jobs/...) to the deployed
Jobs API, signed with SigV4 using your AWS credentials (environment, profile or SSO, as the AWS CLI finds them).
Your identity needs execute-api:Invoke on the API (see the stack's apiUrl output).

Options:
  --endpoint URL  the stack's Jobs API URL (required; one: the dashboard shows one region at a time, while
                  \`mcjobs jobs STATUS --endpoint A --endpoint B\` lists several regions together)
  --region R      region of the API (default: from the URL, else AWS_REGION)
  --port N        local port (default 8781; 0 = any free port)`;

const DEFAULT_PORT = 8781;

const spec = {
  command: "dashboard",
  usage,
  // endpoint is read as a list only to refuse a second one rather than silently keep the last.
  options: { endpoint: { type: "string", multiple: true }, region: { type: "string" }, port: { type: "string" } },
} satisfies CommandSpec;

type Proxy = typeof import("../../dashboard/proxy");
/** The proxy module, loaded on use: `mcjobs --help` loads every command and need not load the proxy. */
function proxyModule(): Proxy {
  return require("../../dashboard/proxy") as Proxy;
}

export interface DashboardArgs {
  endpoint: string;
  region: string;
  port: number;
}

/** Reads `mcjobs dashboard`'s options; the region falls back to the one in the URL, then AWS_REGION. */
export function parseDashboardArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DashboardArgs {
  const proxy = proxyModule();
  const schema = z.object({
    endpoint: z.string({ message: "--endpoint URL is required" }).pipe(proxy.EndpointSchema),
    region: regionArg.optional(),
    port: wholeNumberArg("--port", 0, 65535).default(DEFAULT_PORT),
  });
  const { values } = readArgv(spec, argv);
  const endpoints = (values.endpoint ?? []) as string[];
  if (endpoints.length > 1)
    throw new UsageError(
      "the dashboard shows one Jobs API at a time: give --endpoint once (to list several regions' jobs together, " +
        "use `mcjobs jobs STATUS --endpoint A --endpoint B`)",
    );
  const args = validate(schema, { ...values, endpoint: endpoints[0] });
  const region = args.region ?? proxy.regionOfEndpoint(args.endpoint) ?? env.AWS_REGION;
  if (!region) throw new UsageError("cannot tell the API's region from the URL; pass --region");
  return { endpoint: args.endpoint, region, port: args.port };
}

const command: Command = {
  summary: "open the live dashboard against a deployed Jobs API (signs requests with your AWS credentials)",
  usage,
  run: (argv) => runCommand(spec, argv, parseDashboardArgs, serve),
};

async function serve(args: DashboardArgs): Promise<number> {
  const { fromNodeProviderChain } = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
  const server = await proxyModule().startDashboardProxy({ ...args, credentials: fromNodeProviderChain() });
  console.log(`Dashboard: ${server.url}  (API ${args.endpoint}, ${args.region}). Ctrl-C to stop.`);
  return new Promise<number>((resolve) => {
    process.once("SIGINT", () => void server.stop().then(() => resolve(0)));
    process.once("SIGTERM", () => void server.stop().then(() => resolve(0)));
  });
}

export default command;
