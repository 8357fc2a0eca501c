import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import { collectorPattern, notificationPattern } from "../../domain/patterns";
import { createRouter } from "../../local/router";
import { startTwinServer, toApiGatewayEvent } from "../../local/server";

const fixture = (name: string) => JSON.parse(fs.readFileSync(`/work/shared/fixtures/mediaconvert-events/${name}`, "utf8")) as Record<string, any>;
const withApp = (ev: Record<string, any>, app: string) => ({ ...ev, detail: { ...ev.detail, userMetadata: { application: app } } });

describe("twin event router", () => {
  it("routes with the deployed patterns: every MediaConvert event to the collector, COMPLETE/ERROR of our app to notifications", async () => {
    const got: Record<string, string[]> = { collector: [], notifications: [] };
    const router = createRouter({
      routes: [
        { name: "collector", pattern: collectorPattern(), deliver: async (e: any) => void got.collector.push(e.detail.status) },
        { name: "notifications", pattern: notificationPattern("app"), deliver: async (e: any) => void got.notifications.push(e.detail.status) },
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
    assert.deepEqual(matched, [["collector"], ["collector", "notifications"], ["collector"], ["collector", "notifications"], []]);
    assert.deepEqual(got.collector.sort(), ["COMPLETE", "ERROR", "ERROR", "PROGRESSING"]);
    assert.deepEqual(got.notifications.sort(), ["COMPLETE", "ERROR"]);
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
    const ev = toApiGatewayEvent({ method: "get", url: "/jobs/COMPLETE?limit=5&x=1&x=2", headers: { Host: "h", "User-Agent": "ua" } }, Buffer.alloc(0));
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
      dashboardDir: `${__dirname}/../../dashboard`,
      api: async (ev) => (ev.rawPath === "/jobs/x" ? { statusCode: 404, headers: { "Content-Type": "application/json" }, body: '{"message":"no such job"}' } : { items: [] }),
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
        assert.doesNotMatch(r.body, /"devDependencies"/, `${p} served a file outside dashboard/`);
      }
      assert.equal((await raw("/dashboard/..%2fpackage.json")).status, 404);
      assert.deepEqual(await (await fetch(`${server.url}/twin/queues`)).json(), { queues: [{ queueName: "Default" }] });
    } finally {
      await server.stop();
    }
  });
});
