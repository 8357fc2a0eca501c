/**
 * `mcjobs dashboard --endpoint URL`: the live dashboard against a deployed Jobs API (IAM auth), through a loopback
 * proxy that signs the page's API calls with your AWS credentials. For the local twin, `mcjobs start` serves the
 * dashboard itself.
 */
import type { Command } from "../mcjobs";

const usage = `Usage: mcjobs dashboard --endpoint URL [--region R] [--port N]

Serves the jobs dashboard on http://127.0.0.1:N/ and forwards its read-only calls (GET /jobs/...) to the deployed
Jobs API, signed with SigV4 using your AWS credentials (environment, profile or SSO, as the AWS CLI finds them).
Your identity needs execute-api:Invoke on the API (see the stack's apiUrl output).

Options:
  --endpoint URL  the stack's Jobs API URL (required)
  --region R      region of the API (default: from the URL, else AWS_REGION)
  --port N        local port (default 8781; 0 = any free port)`;

const command: Command = {
  summary: "open the live dashboard against a deployed Jobs API (signs requests with your AWS credentials)",
  usage,
  async run(argv) {
    const get = (flag: string) => {
      const i = argv.indexOf(flag);
      return i >= 0 ? argv[i + 1] : undefined;
    };
    const known = new Set(["--endpoint", "--region", "--port"]);
    for (let i = 0; i < argv.length; i += 2) {
      if (!known.has(argv[i])) {
        console.error(`mcjobs dashboard: unknown option ${argv[i]}. Run \`mcjobs dashboard --help\`.`);
        return 2;
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proxy = require("../../dashboard/proxy") as typeof import("../../dashboard/proxy");
    const endpoint = get("--endpoint");
    const parsed = proxy.EndpointSchema.safeParse(endpoint);
    if (!parsed.success) {
      console.error(`mcjobs dashboard: ${endpoint ? parsed.error.issues[0].message : "--endpoint URL is required"}`);
      return 2;
    }
    const region = get("--region") ?? proxy.regionOfEndpoint(parsed.data) ?? process.env.AWS_REGION;
    if (!region) {
      console.error("mcjobs dashboard: cannot tell the API's region from the URL; pass --region.");
      return 2;
    }
    const port = Number(get("--port") ?? 8781);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error("mcjobs dashboard: --port must be a whole number from 0 to 65535.");
      return 2;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fromNodeProviderChain } = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
    const server = await proxy.startDashboardProxy({ endpoint: parsed.data, region, port, credentials: fromNodeProviderChain() });
    console.log(`Dashboard: ${server.url}  (API ${parsed.data}, ${region}). Ctrl-C to stop.`);
    return new Promise<number>((resolve) => {
      process.once("SIGINT", () => void server.stop().then(() => resolve(0)));
      process.once("SIGTERM", () => void server.stop().then(() => resolve(0)));
    });
  },
};

export default command;
