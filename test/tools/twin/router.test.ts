import { strict as assert } from "node:assert";
import * as http from "node:http";
import { collectorPattern } from "../../../lib/domain/patterns";
import { createRouter } from "../../../tools/twin/router";
import { eventIntake } from "../../../tools/twin/front-door";
import { REQUEST_LIMITS, startTwinServer, toApiGatewayEvent, type TwinServer } from "../../../tools/twin/server";

import { fixture } from "../../support/fixtures";
const withApp = (ev: Record<string, any>, app: string) => ({ ...ev, detail: { ...ev.detail, userMetadata: { application: app } } });

describe("twin event router", () => {
  it("routes with the deployed patterns: every MediaConvert event to the collector, or only this application's when narrowed", async () => {
    const got: Record<string, string[]> = { collector: [], narrowed: [] };
    const router = createRouter({
      routes: [
        { name: "collector", pattern: collectorPattern(), deliver: async (e: any) => void got.collector.push(e.detail.status) },
        { name: "narrowed", pattern: collectorPattern("app"), deliver: async (e: any) => void got.narrowed.push(e.detail.status) },
      ],
    });
    const events = [
      withApp(fixture("progressing-awsdoc-1.json"), "app"),
      withApp(fixture("complete-awsdoc-1.json"), "app"),
      withApp(fixture("error-awsdoc-1.json"), "other"),
      withApp(fixture("error-awsdoc-1.json"), "app"),
      { source: "aws.s3", "detail-type": "Object Created", detail: {} },
    ];
    const matched = events.map((e) => router.publish(e));
    await router.idle();
    assert.deepEqual(matched, [["collector", "narrowed"], ["collector", "narrowed"], ["collector"], ["collector", "narrowed"], []]);
    assert.deepEqual(got.collector.sort(), ["COMPLETE", "ERROR", "ERROR", "PROGRESSING"]);
    assert.deepEqual(got.narrowed.sort(), ["COMPLETE", "ERROR", "PROGRESSING"]);
    assert.equal(router.stats().unmatched, 1);
  });

  it("retries a failing target twice, then dead-letters it; a redrive delivers it", async () => {
    let failFor = 3;
    let delivered = 0;
    const letters: unknown[] = [];
    const router = createRouter({
      routes: [
        {
          name: "collector",
          pattern: collectorPattern(),
          retryDelaysMs: [5, 5],
          deliver: async () => {
            if (failFor-- > 0) throw new Error("down");
            delivered++;
          },
        },
      ],
      onDeadLetter: (l) => letters.push(l),
    });
    const ev = fixture("progressing-awsdoc-1.json");
    router.publish(ev);
    await router.idle();
    assert.equal(delivered, 0);
    assert.equal(letters.length, 1);
    assert.deepEqual((letters[0] as any).event, ev);
    assert.equal((letters[0] as any).attempts, 3);
    assert.equal(router.stats().failedAttempts.collector, 3);
    router.redeliver("collector", (letters[0] as any).event);
    await router.idle();
    assert.equal(delivered, 1);
    assert.throws(() => router.redeliver("nope", ev), /No rule named nope/);
  });

  it("runs at most `concurrency` deliveries at once and stops without losing queued ones", async () => {
    let running = 0;
    let peak = 0;
    const letters: unknown[] = [];
    const router = createRouter({
      concurrency: 3,
      routes: [
        {
          name: "c",
          pattern: collectorPattern(),
          deliver: async () => {
            running++;
            peak = Math.max(peak, running);
            await new Promise((r) => setTimeout(r, 20));
            running--;
          },
        },
      ],
      onDeadLetter: (l) => letters.push(l),
    });
    for (let i = 0; i < 10; i++) router.publish(fixture("progressing-awsdoc-1.json"));
    await new Promise((r) => setTimeout(r, 5));
    await router.stop();
    assert.equal(peak, 3);
    const s = router.stats();
    assert.equal((s.delivered.c ?? 0) + letters.length, 10, "each event delivered or dead-lettered");
    assert.ok(letters.length > 0);
  });
});

describe("twin HTTP bridge", () => {
  it("builds the API Gateway HTTP API 2.0 event with IAM auth context", () => {
    const ev = toApiGatewayEvent(
      { method: "get", url: "/jobs/COMPLETE?limit=5&x=1&x=2", headers: { Host: "h", "User-Agent": "ua" } },
      Buffer.alloc(0),
    );
    assert.equal(ev.version, "2.0");
    assert.equal(ev.rawPath, "/jobs/COMPLETE");
    assert.equal(ev.rawQueryString, "limit=5&x=1&x=2");
    assert.deepEqual(ev.queryStringParameters, { limit: "5", x: "1,2" });
    assert.equal(ev.requestContext.http.method, "GET");
    assert.equal(ev.headers.host, "h");
    assert.match(ev.requestContext.authorizer.iam.userArn!, /^arn:aws:iam::\d{12}:user\//);
    assert.equal(ev.body, undefined);
  });

  it("serves the dashboard, the API result as API Gateway would, and refuses paths outside the dashboard", async () => {
    const server = await startTwinServer({
      dashboardDir: `${__dirname}/../../../tools/dashboard`,
      api: async (ev) =>
        ev.rawPath === "/jobs/x"
          ? { statusCode: 404, headers: { "Content-Type": "application/json" }, body: '{"message":"no such job"}' }
          : { items: [] },
      local: { queues: async () => [{ queueName: "Default" }], status: () => ({ ok: true }), notifications: () => [] },
    });
    try {
      const page = await fetch(`${server.url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type")!, /text\/html/);
      assert.equal((await fetch(`${server.url}/dashboard/app.js`)).status, 200);
      const bare = await fetch(`${server.url}/jobs/PROGRESSING`);
      assert.equal(bare.status, 200);
      assert.deepEqual(await bare.json(), { items: [] });
      const missing = await fetch(`${server.url}/jobs/x`);
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { message: "no such job" });
      const raw = (p: string) =>
        new Promise<{ status: number; body: string }>((resolve) =>
          http.get(`${server.url}${p}`, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode!, body }));
          }),
        );
      for (const p of ["/dashboard/..%2fpackage.json", "/dashboard/%2e%2e/package.json", "/dashboard/..%5cpackage.json"]) {
        const r = await raw(p);
        assert.doesNotMatch(r.body, /"devDependencies"/, `${p} served a file outside tools/dashboard/`);
      }
      assert.equal((await raw("/dashboard/..%2fpackage.json")).status, 404);
      assert.deepEqual(await (await fetch(`${server.url}/twin/queues`)).json(), { queues: [{ queueName: "Default" }] });
    } finally {
      await server.stop();
    }
  });

  describe("requests past API Gateway's limits", () => {
    let server: TwinServer;
    let apiCalls = 0;
    before(async () => {
      server = await startTwinServer({
        dashboardDir: `${__dirname}/../../../tools/dashboard`,
        api: async () => {
          apiCalls++;
          return { items: [] };
        },
        local: { queues: async () => [], status: () => ({}), notifications: () => [] },
      });
    });
    after(() => server.stop());

    /** One request by hand (fetch and Node's client both send what they are given), its status and JSON body. */
    const send = (o: { path?: string; headers?: Record<string, string>; body?: Buffer; method?: string }) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = http.request(`${server.url}${o.path ?? "/jobs/COMPLETE"}`, { method: o.method ?? "GET", headers: o.headers }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on("error", reject);
        req.end(o.body);
      });

    it("a 20 KB query string gets the API's JSON error with 414, not an empty 431", async () => {
      const r = await send({ path: `/jobs/COMPLETE?queue=${"q".repeat(20 * 1024)}` });
      assert.equal(r.status, 414);
      assert.equal(r.body.error.code, "UriTooLong");
      assert.match(r.body.error.message, /at most 10240/);
      assert.equal(apiCalls, 0, "the handler never saw it");
    });

    it("headers over the limit get 431 in the same shape, also past what Node's parser reads", async () => {
      const big = await send({ headers: { "x-padding": "h".repeat(12 * 1024) } });
      assert.equal(big.status, 431);
      assert.equal(big.body.error.code, "RequestHeaderFieldsTooLarge");
      const huge = await send({ headers: { "x-padding": "h".repeat(2 * 1024 * 1024) } });
      assert.equal(huge.status, 431);
      assert.equal(huge.body.error.code, "RequestHeaderFieldsTooLarge");
    });

    it("a body over 10 MiB gets 413; just under the limit reaches the handler", async () => {
      const over = await send({ method: "POST", body: Buffer.alloc(REQUEST_LIMITS.bodyBytes + 1) });
      assert.equal(over.status, 413);
      assert.equal(over.body.error.code, "PayloadTooLarge");
      const before = apiCalls;
      const under = await send({
        path: "/jobs/COMPLETE?queue=ok",
        headers: { "x-padding": "h".repeat(4096) },
        method: "POST",
        body: Buffer.alloc(1024),
      });
      assert.equal(under.status, 200);
      assert.equal(apiCalls, before + 1);
    });
  });

  it("takes posted events through the router with the deployed patterns, naming each one it refuses", async () => {
    const delivered: string[] = [];
    const router = createRouter({
      routes: [{ name: "collector", pattern: collectorPattern(), deliver: async (e: any) => void delivered.push(e.detail.jobId) }],
    });
    const wired = await startTwinServer({
      dashboardDir: `${__dirname}/../../../tools/dashboard`,
      local: { queues: async () => [], status: () => ({}), notifications: () => [], events: eventIntake((e) => router.publish(e)) },
    });
    const bare = await startTwinServer({
      dashboardDir: `${__dirname}/../../../tools/dashboard`,
      local: { queues: async () => [], status: () => ({}), notifications: () => [] },
    });
    const post = async (base: string, body: unknown, type = "application/json") => {
      const res = await fetch(`${base}/twin/events`, { method: "POST", headers: { "content-type": type }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    try {
      const good = fixture("progressing-awsdoc-1.json");
      const r = await post(wired.url, [good, { ...good, source: "aws.s3" }, { ...good, detail: { status: "COMPLETE" } }]);
      assert.equal(r.status, 200);
      assert.equal(r.body.failedCount, 2);
      assert.deepEqual(r.body.entries[0], { id: good.id, jobId: good.detail.jobId, rules: ["collector"] });
      assert.deepEqual(r.body.entries[1].error, { code: "InvalidEvent", message: 'source: "aws.s3" is not "aws.mediaconvert"' });
      assert.match(r.body.entries[2].error.message, /^detail\.jobId: missing$/);
      await router.idle();
      assert.deepEqual(delivered, [good.detail.jobId]);
      assert.equal((await post(wired.url, good)).body.error.code, "InvalidBody");
      assert.equal((await post(wired.url, [good], "text/plain")).status, 415, "a browser's simple POST is refused");
      assert.equal((await fetch(`${wired.url}/twin/events`)).status, 405);
      const unwired = await post(bare.url, [good]);
      assert.equal(unwired.status, 503);
      assert.equal(unwired.body.error.code, "IntakeUnavailable");
    } finally {
      await wired.stop();
      await bare.stop();
    }
  });
});
