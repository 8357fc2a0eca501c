/**
 * No partition or DNS suffix is written into components/: every ARN is built from aws.getPartition, every service
 * host from the partition's dnsSuffix, every service principal asked of aws.getServicePrincipal. Shown twice: the
 * source holds no `arn:aws:` or `amazonaws.com` literal (files being rewritten by their owners are pending, see
 * posture-support.ts), and the whole program deployed to the China partition carries no commercial ARN and only
 * China service hosts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { asList, policyStatements, runModule, type MockRun } from "../support/pulumi-harness";
import { LITERALS_OWNED_ELSEWHERE } from "./posture-support";

const COMPONENTS = path.join(__dirname, "..", "..", "components");
const INDEX = path.join(__dirname, "..", "..", "index.ts");
const LITERAL = /arn:aws:|amazonaws\.com/;

describe("infra: no hard-coded partition or DNS suffix in components/", () => {
  const files = fs.readdirSync(COMPONENTS).filter((f) => f.endsWith(".ts"));

  it("finds the component files", () => assert.ok(files.length >= 10, files.join(", ")));

  for (const file of files) {
    it(`components/${file} holds no arn:aws: or amazonaws.com literal`, function () {
      const lines = fs.readFileSync(path.join(COMPONENTS, file), "utf8").split("\n");
      const hits = lines.flatMap((l, i) => (LITERAL.test(l) ? [`${i + 1}: ${l.trim()}`] : []));
      if (hits.length > 0 && LITERALS_OWNED_ELSEWHERE.has(`components/${file}`)) this.skip();
      assert.deepEqual(hits, []);
    });
  }
});

/** Every string anywhere in a value, with where it was found. */
function strings(value: unknown, at: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === "string") out.push([at, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => void strings(v, `${at}[${i}]`, out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) strings(v, `${at}.${k}`, out);
  return out;
}

describe("infra: the program in the China partition (aws-cn)", () => {
  let run: MockRun<Record<string, unknown>>;
  before(async () => {
    run = await runModule(INDEX, {
      stack: "prod-cn-north-1",
      region: "cn-north-1",
      partition: "aws-cn",
      config: { alarmSubscribers: "ops@example.com" },
    });
  });

  it("no input of any resource carries a commercial-partition ARN", () => {
    const found = run.resources.flatMap((r) => strings(r.inputs, `${r.type} ${r.name}`)).filter(([, s]) => s.includes("arn:aws:"));
    assert.deepEqual(found, []);
    // ...while ARNs of the partition are there (the check would see them).
    assert.ok(run.resources.some((r) => strings(r.inputs, r.name).some(([, s]) => s.includes("arn:aws-cn:"))));
  });

  it("every kms:ViaService endpoint and the CloudWatch Logs principal are China hosts of the region", () => {
    const via: string[] = [];
    for (const r of run.all("aws:iam/rolePolicy:RolePolicy")) {
      for (const st of policyStatements(r.inputs.policy))
        via.push(...asList(st.Condition?.StringEquals?.["kms:ViaService"] as string | string[]));
    }
    assert.ok(via.length >= 6, via.join(", "));
    for (const v of via) assert.match(v, /^[a-z0-9]+\.cn-north-1\.amazonaws\.com\.cn$/);
    const key = run.one("aws:kms/key:Key", "mcjobs-key");
    const logs = policyStatements(key.inputs.policy).find((s) => s.Sid === "CloudWatchLogsEncryptsThisAccountsLogGroups");
    assert.deepEqual(logs?.Principal, { Service: "logs.cn-north-1.amazonaws.com.cn" });
  });

  it("service principals come from the provider (aws.getServicePrincipal), not from the source", () => {
    const asked = new Set(
      run.calls.filter((c) => c.token === "aws:index/getServicePrincipal:getServicePrincipal").map((c) => c.inputs.serviceName),
    );
    for (const service of ["events", "cloudwatch", "mediaconvert", "s3", "firehose"]) assert.ok(asked.has(service), `${service} not asked`);
    const collectorInvoke = run.one("aws:lambda/permission:Permission", "collector-invoke");
    assert.equal(collectorInvoke.inputs.principal, "events.amazonaws.com.cn", "the harness answers <service>.<dnsSuffix>");
  });
});
