/**
 * The collector fed by the twin's MediaConvert simulator (tools/twin/mediaconvert/): jobs created "by another tool"
 * (no SUBMITTED record), their events — with the simulator's duplicates and reordering — delivered to the real
 * collector one per invocation, GetJob answered by the simulator. Settings fetched once per job however
 * many events arrive; a failing GetJob loses nothing else.
 */
import { strict as assert } from "node:assert";
import { parseEvent } from "../../../lib/domain/events";
import { startMediaConvertSimulator } from "../../../tools/twin/mediaconvert";
import { startStandIns, type StandIns } from "../../../tools/twin/standins";
import { makeRig, type Rig } from "./support/rig";

describe("collector with the MediaConvert simulator", () => {
  let standIns: StandIns;
  before(async () => {
    standIns = await startStandIns({ services: ["dynamodb", "kinesis"] });
  });
  after(async () => {
    await standIns?.stop();
  });

  it("fetches each outside job's settings once, keeps a job whose GetJob is denied, and folds every event", async () => {
    const deliveries: Array<Promise<unknown>> = [];
    let rig: Rig | undefined;
    const failures: string[] = [];
    const simulator = await startMediaConvertSimulator({
      region: "us-east-1",
      seed: 3,
      timeScale: 2000,
      autoRun: false,
      statusUpdateIntervalMs: 60_000,
      onEvent: (event: unknown) => {
        // One asynchronous invocation per event, retried like Lambda would (twice).
        const run = async () => {
          for (let attempt = 0; attempt < 3; attempt++) {
            try {
              return await rig!.collect(event);
            } catch (err) {
              if (attempt === 2) failures.push(String(err));
            }
          }
        };
        deliveries.push(run());
      },
    });
    try {
      rig = await makeRig(standIns, { prefix: "sim", getJob: true, env: { MCJOBS_ENDPOINT_MEDIACONVERT: simulator.endpoint } });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const job = await simulator.createJob({
          role: "arn:aws:iam::111122223333:role/mc",
          userMetadata: { application: "other-tool" },
          settings: {
            inputs: [{ fileInput: `s3://elsewhere/in-${i}.mp4` }],
            outputGroups: [
              {
                name: "File Group",
                outputGroupSettings: { type: "FILE_GROUP_SETTINGS", fileGroupSettings: { destination: "s3://out/" } },
                outputs: [{}],
              },
            ],
          },
        });
        ids.push(String(job.id));
      }
      const denied = ids[3];
      simulator.injectFault({ operation: "GetJob", type: "ForbiddenException", times: Infinity, jobId: denied });
      await simulator.drain();
      await simulator.idle(60_000);
      for (let settled = 0; settled !== deliveries.length; ) {
        settled = deliveries.length;
        await Promise.all(deliveries);
      }
      assert.deepEqual(failures, []);
      assert.equal(simulator.calls.GetJob, ids.length, "one GetJob per job, however many events each had");

      const items = await rig.scan(rig.tables.jobs);
      const ledger = await rig.scan(rig.tables.events);
      for (const id of ids) {
        const item = items.find((i) => i.jobId === id);
        assert.ok(item, `job ${id} recorded`);
        const record = rig.deps.jobs.toRecord(item);
        const delivered = new Set(
          simulator.delivered.map((e) => parseEvent(e)).flatMap((p) => (p.ok && p.event.jobId === id ? [p.event.eventKey] : [])),
        );
        assert.ok(delivered.size >= 3, "the simulator played the job");
        assert.deepEqual(
          new Set(ledger.filter((e) => e.jobId === id).map((e) => e.eventKey)),
          delivered,
          `every distinct event of ${id} in the ledger`,
        );
        assert.equal(
          record.eventCount,
          delivered.size + (id === denied ? 0 : 1),
          "folded: the events, plus the GetJob snapshot when it answered",
        );
        if (id === denied) {
          assert.equal(record.settings, undefined);
          assert.match(String((item.detailsError as { reason?: string }).reason), /denied/);
        } else {
          assert.equal(record.settings?.inputs[0]?.uri, `s3://elsewhere/in-${ids.indexOf(id)}.mp4`);
          assert.ok(record.submittedAt !== undefined, "submit time from GetJob timing");
        }
      }
    } finally {
      rig?.close();
      await simulator.stop();
    }
  });
});
