/**
 * A deployed stack's outputs, read with the Pulumi CLI (`pulumi stack output --json --stack <name>`): how
 * `--stack` finds a stack's Jobs API URL, history workgroup, database and region. The CLI must be on PATH and
 * logged in to the stack's backend; when it is not there, the error says so and what to pass instead.
 */
import { spawnSync } from "node:child_process";

/**
 * Every output of `stack`. `instead` names the flags that give the same values by hand, for the message when
 * the Pulumi CLI is missing.
 */
export function stackOutputs(stack: string, instead: string): Record<string, unknown> {
  const r = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8", timeout: 60_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new Error(
      `--stack ${stack} reads the stack's outputs with the Pulumi CLI, and \`pulumi\` is not on PATH: install it ` +
        `(https://www.pulumi.com/docs/install/) and log in to the stack's backend, or pass ${instead}`,
    );
  }
  if (r.error || r.status !== 0) {
    throw new Error(`could not read the outputs of stack ${stack}: ${(r.stderr || r.error?.message || "").trim().split("\n")[0]}`);
  }
  try {
    const outputs = JSON.parse(r.stdout) as unknown;
    if (outputs && typeof outputs === "object" && !Array.isArray(outputs)) return outputs as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`pulumi stack output --json --stack ${stack} did not print a JSON object`);
}
