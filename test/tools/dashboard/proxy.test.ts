import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import command, { parseDashboardArgs } from "../../../tools/cli/commands/dashboard";
import { EndpointSchema, regionOfEndpoint, startDashboardProxy } from "../../../tools/dashboard/proxy";
import { assertUsageError, runInProcess } from "../cli/run-command";

const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

describe("dashboard proxy for a deployed (IAM-auth) Jobs API", () => {
  let upstream: http.Server;
  let upstreamUrl: string;
  const seen: Array<{ url: string; headers: http.IncomingHttpHeaders; valid: boolean }> = [];

  before(async () => {
    upstream = http.createServer((req, res) => {
      void (async () => {
        // Re-sign what arrived with the same key and time: the signature must match.
        const u = new URL(req.url!, "http://x");
        const amzDate = String(req.headers["x-amz-date"]);
        const signingDate = new Date(
          `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
        );
        const signer = new SignatureV4({ service: "execute-api", region: "eu-west-1", credentials: creds, sha256: Sha256 });
        const query: Record<string, string> = {};
        for (const [k, v] of u.searchParams) query[k] = v;
        const again = await signer.sign(
          {
            method: "GET",
            protocol: "http:",
            hostname: "127.0.0.1",
            path: u.pathname,
            query,
            headers: { host: String(req.headers.host), accept: "application/json" },
          },
          { signingDate },
        );
        const valid = again.headers.authorization === req.headers.authorization;
        seen.push({ url: req.url!, headers: req.headers, valid });
        res.writeHead(valid ? 200 : 403, { "content-type": "application/json" });
        res.end(JSON.stringify(valid ? { items: [{ jobId: "j1", status: "PROGRESSING" }] } : { message: "Forbidden" }));
      })();
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  after(() => upstream.close());

  it("reads the region from an execute-api URL", () => {
    assert.equal(regionOfEndpoint("https://abc123.execute-api.eu-west-1.amazonaws.com"), "eu-west-1");
    assert.equal(regionOfEndpoint("https://api.example.com"), undefined);
    assert.equal(EndpointSchema.safeParse("nope").success, false);
    assert.equal(EndpointSchema.safeParse("ftp://x").success, false);
  });

  it("serves the page and forwards only GET /jobs/... and /queues/... with a valid SigV4 signature", async () => {
    const proxy = await startDashboardProxy({ endpoint: upstreamUrl, region: "eu-west-1", credentials: creds });
    try {
      const page = await fetch(proxy.url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>mcjobs/);
      const jobs = await fetch(`${proxy.url}jobs/PROGRESSING?limit=5`);
      assert.equal(jobs.status, 200);
      assert.deepEqual(await jobs.json(), { items: [{ jobId: "j1", status: "PROGRESSING" }] });
      assert.equal(seen.length, 1);
      assert.equal(seen[0].valid, true, "signature recomputed upstream matches");
      assert.match(
        String(seen[0].headers.authorization),
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
      );
      assert.equal(seen[0].url, "/jobs/PROGRESSING?limit=5");
      // The per-queue counters are read-only API paths too.
      assert.equal((await fetch(`${proxy.url}queues/Default`)).status, 200);
      assert.equal(seen[1].url, "/queues/Default");
      assert.equal(seen[1].valid, true);
      // Anything else stays local.
      assert.equal((await fetch(`${proxy.url}admin`)).status, 404);
      assert.equal((await fetch(`${proxy.url}jobs/PROGRESSING`, { method: "DELETE" })).status, 404);
      assert.equal((await fetch(`${proxy.url}queues/Default/x`)).status, 404);
      assert.equal(seen.length, 2, "nothing but the two GET calls reached upstream");
    } finally {
      await proxy.stop();
    }
  });

  it("mcjobs dashboard: --flag=value as --flag value, the region from the URL or AWS_REGION, bad command lines in one line", async () => {
    const api = "https://abc123.execute-api.eu-west-1.amazonaws.com";
    const spaced = parseDashboardArgs(["--endpoint", api, "--port", "0", "--region", "us-east-2"], {});
    assert.deepEqual(spaced, { endpoint: api, region: "us-east-2", port: 0 });
    assert.deepEqual(parseDashboardArgs([`--endpoint=${api}`, "--port=0", "--region=us-east-2"], {}), spaced);
    assert.deepEqual(parseDashboardArgs(["--endpoint", api], {}), { endpoint: api, region: "eu-west-1", port: 8781 });
    assert.equal(parseDashboardArgs(["--endpoint=https://api.example.com"], { AWS_REGION: "ap-south-1" }).region, "ap-south-1");
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      for (const [argv, what] of [
        [[], /^--endpoint URL is required$/],
        [["--endpoint", "nope"], /^--endpoint must be the Jobs API URL/],
        [["--endpoint=ftp://x"], /^--endpoint must be the Jobs API URL/],
        [["--endpoint", "--port", "0"], /^--endpoint needs a value$/],
        [["--endpoint=https://api.example.com"], /^cannot tell the API's region from the URL; pass --region$/],
        [[`--endpoint=${api}`, "--port=65536"], /^--port must be a whole number from 0 to 65535, not "65536"$/],
        [[`--endpoint=${api}`, "--region", "Mars"], /^--region must look like eu-west-1, not "Mars"$/],
        [[`--endpoint=${api}`, "--frobnicate"], /^unknown option --frobnicate$/],
        [[`--endpoint=${api}`, "stray"], /^unexpected argument "stray"$/],
        [[`--endpoint=${api}`, "--endpoint", "https://x.example.com"], /^the dashboard shows one Jobs API at a time: give --endpoint once/],
      ] as Array<[string[], RegExp]>) {
        assertUsageError(await runInProcess(command, argv), "dashboard", what);
      }
    } finally {
      if (saved !== undefined) process.env.AWS_REGION = saved;
    }
    const help = await runInProcess(command, ["-h"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: mcjobs dashboard --endpoint URL/);
  });
});
