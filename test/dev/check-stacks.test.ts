import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkStackFile, checkStacks } from "../../dev/scripts/check-stacks";

const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(ROOT, "dev/scripts/check-stacks.ts");

function runScript(folder: string) {
  return spawnSync(process.execPath, ["--import", "tsx", SCRIPT, folder], { encoding: "utf8" });
}

describe("dev: check-stacks", () => {
  it("every shipped Pulumi.<stack>.yaml passes, and the command exits 0", () => {
    const reports = checkStacks(ROOT);
    assert.deepEqual(
      reports.map((r) => r.file),
      ["Pulumi.dev.yaml", "Pulumi.prod-eu-west-1.yaml", "Pulumi.prod-us-east-1.yaml"],
    );
    for (const r of reports) assert.deepEqual(r.problems, [], r.file);
    const run = runScript(ROOT);
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it("no shipped stack file carries a placeholder address", () => {
    for (const f of fs.readdirSync(ROOT).filter((n) => /^Pulumi\..+\.yaml$/.test(n))) {
      const text = fs.readFileSync(path.join(ROOT, f), "utf8");
      assert.doesNotMatch(text, /@example\.(com|org|net)/, f);
    }
  });

  it("a stack file with a bad value and an unknown key fails, naming the file, the key and what to fix", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-stacks-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: mcjobs\nruntime: nodejs\n");
      fs.writeFileSync(path.join(dir, "Pulumi.good.yaml"), "config:\n  aws:region: eu-west-1\n  mcjobs:application: good\n");
      fs.writeFileSync(
        path.join(dir, "Pulumi.broken.yaml"),
        [
          "config:",
          "  aws:region: eu-west-1",
          '  aws:allowedAccountIds: ["12"]',
          "  aws:skipMetadataApiCheck: false",
          "  mcjobs:tableTTL: 0",
          "  mcjobs:probeBudgetByte: 100000",
          "",
        ].join("\n"),
      );
      const run = runScript(dir);
      assert.equal(run.status, 1, run.stdout + run.stderr);
      const lines = run.stdout.split("\n");
      const line = (re: RegExp) => lines.find((l) => re.test(l));
      assert.ok(
        line(/^Pulumi\.broken\.yaml: mcjobs:tableTTL = "0" is out of range: must be a whole number of days from 1 to 3650$/),
        run.stdout,
      );
      assert.ok(
        line(/^Pulumi\.broken\.yaml: mcjobs:probeBudgetByte is not a setting of this program \(did you mean mcjobs:probeBudgetBytes\?\)/),
        run.stdout,
      );
      assert.ok(line(/^Pulumi\.broken\.yaml: aws:allowedAccountIds = .* not an AWS account ID \(12 digits\)/), run.stdout);
      // An aws: key the program does not read is the provider's business: a note, not a failure.
      assert.ok(line(/^Pulumi\.broken\.yaml: note: aws:skipMetadataApiCheck is not passed to this program's AWS provider/), run.stdout);
      assert.ok(!lines.some((l) => l.startsWith("Pulumi.good.yaml:")), run.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a stack file without aws:region, with a misspelt namespace or broken YAML is refused", () => {
    const noRegion = checkStackFile("Pulumi.a.yaml", "config:\n  mcjobs:tableTTL: 30\n", "mcjobs");
    assert.match(noRegion.problems.map((p) => p.message).join("\n"), /aws:region is not set: it must name the AWS region/);
    const ns = checkStackFile("Pulumi.b.yaml", "config:\n  aws:region: us-east-1\n  mcjob:tableTTL: 30\n", "mcjobs");
    assert.match(ns.problems[0].message, /mcjob:tableTTL is read by nothing in this program/);
    const broken = checkStackFile("Pulumi.c.yaml", "config:\n  aws:region: [us-east-1\n", "mcjobs");
    assert.match(broken.problems[0].message, /is not valid YAML/);
    const secure = checkStackFile("Pulumi.d.yaml", "config:\n  aws:region: us-east-1\n  aws:secretKey:\n    secure: AAAB\n", "mcjobs");
    assert.deepEqual(secure.problems, []);
  });
});
