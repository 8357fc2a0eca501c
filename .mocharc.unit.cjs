// `npm run test:unit`: every test that needs no Java (DynamoDB Local), ffmpeg or Chromium. The integration suites
// below start those; CI runs this config with all three removed from PATH, so a new suite that needs one and is not
// listed here fails there at once.
const base = require("./.mocharc.json");

const INTEGRATION = [
  "test/e2e/**",
  "test/faults/**",
  "test/consumers/pipeline.test.ts",
  "test/handlers/api.test.ts",
  "test/handlers/collector/collector.test.ts",
  "test/handlers/collector/extras.test.ts",
  "test/handlers/collector/simulator.test.ts",
  "test/handlers/collector/notify*.test.ts",
  "test/handlers/collector/runtime-settings.test.ts",
  "test/handlers/reconciler.test.ts",
  "test/handlers/watch-folder.test.ts",
  "test/infra/collector-bundle.test.ts",
  "test/lib/adapters/input-index.test.ts",
  "test/lib/adapters/stores.test.ts",
  "test/lib/api/expired.test.ts",
  "test/lib/api/input-listing.test.ts",
  "test/lib/domain/chaos.test.ts",
  "test/lib/domain/job-update.test.ts",
  "test/lib/domain/job-update-stall.test.ts",
  "test/tools/cli/jobs*.test.ts",
  "test/tools/cli/regions.test.ts",
  "test/tools/cli/send-event.test.ts",
  "test/tools/cli/start.test.ts",
  "test/tools/cli/history.test.ts",
  "test/tools/cli/probe.test.ts",
  "test/tools/twin/standins.test.ts",
  "test/tools/twin/twin.test.ts",
  "test/tools/twin/demo.test.ts",
  "test/tools/twin/reconcile.test.ts",
  "test/tools/twin/contract/dynamodb.test.ts",
  "test/lib/probe/**",
];

// Two workers: the unit suites are CPU-bound (TypeScript, esbuild, Pulumi mocks) and CI has two cores.
module.exports = { ...base, spec: ["test/**/*.test.ts"], ignore: INTEGRATION, parallel: true, jobs: 2 };
