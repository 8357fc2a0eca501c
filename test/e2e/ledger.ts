/**
 * The e2e and fault suites' bookkeeping: what the simulator really did (ground truth) against what every part of
 * the pipeline recorded — the Jobs API, the Events table, the Queues counters and the lake through the named
 * DuckDB queries. Each comparison returns its discrepancies so a failing test says exactly what was lost or
 * counted twice, and where.
 */
import { QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import * as clients from "../../lib/adapters/clients";
import type { Twin } from "../../tools/twin/twin";
import type { EventEnvelope } from "../../tools/twin/mediaconvert";
import { LocalLake } from "../../lib/sql/duckdb";
import { namedQuery } from "../../lib/sql/queries";

export const TERMINAL = ["COMPLETE", "ERROR", "CANCELED"] as const;

export interface TruthJob {
  jobId: string;
  status: string;
  queueName: string;
  /** Distinct event ids MediaConvert (the simulator) emitted for the job. */
  eventIds: Set<string>;
  /** Deliveries including duplicates. */
  deliveries: number;
}

export function truthFrom(twin: Twin, jobIds?: string[]): Map<string, TruthJob> {
  const sim = twin.simulator!;
  const wanted = jobIds ? new Set(jobIds) : undefined;
  const jobs = new Map<string, TruthJob>();
  for (const wire of sim.listJobs()) {
    const id = String(wire.id);
    if (wanted && !wanted.has(id)) continue;
    jobs.set(id, {
      jobId: id,
      status: String(wire.status),
      queueName: String(wire.queue).split("/").pop()!,
      eventIds: new Set(),
      deliveries: 0,
    });
  }
  for (const ev of sim.delivered as EventEnvelope[]) {
    const j = jobs.get(String(ev.detail.jobId));
    if (!j) continue;
    j.eventIds.add(ev.id);
    j.deliveries++;
  }
  return jobs;
}

export interface Ledger {
  problems: string[];
  summary: Record<string, unknown>;
}

/** Reads a JSON body; the API answers a job as the record itself or wrapped as { job }. */
async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body };
}

export function jobOf(body: any): any {
  return body && typeof body === "object" && body.job && typeof body.job === "object" ? body.job : body;
}
export function listOf(body: any): any[] {
  if (Array.isArray(body)) return body;
  return body?.items ?? body?.jobs ?? [];
}
export function nextTokenOf(body: any): string | undefined {
  return body?.nextToken ?? body?.next ?? undefined;
}

/** Every job of a status, following the API's pagination. */
export async function listAll(apiUrl: string, status: string): Promise<any[]> {
  const out: any[] = [];
  let token: string | undefined;
  for (let page = 0; page < 200; page++) {
    const q = new URLSearchParams({ limit: "100", ...(token ? { nextToken: token } : {}) });
    const { status: code, body } = await getJson(`${apiUrl}/jobs/${status}?${q}`);
    if (code !== 200) throw new Error(`GET /jobs/${status} answered ${code}: ${JSON.stringify(body)}`);
    out.push(...listOf(body));
    token = nextTokenOf(body);
    if (!token) break;
  }
  return out;
}

export async function checkLedger(
  twin: Twin,
  truth: Map<string, TruthJob>,
  opts: { api?: boolean; lake?: boolean; queues?: boolean; throughput?: boolean } = {},
): Promise<Ledger> {
  const problems: string[] = [];
  const env = twin.env as NodeJS.ProcessEnv;
  // The twin's handler env may point at a fault proxy; the ledger reads the stand-ins directly.
  const direct = { ...env, MCJOBS_ENDPOINT_DYNAMODB: twin.standInEndpoints.dynamodb } as NodeJS.ProcessEnv;
  const ddb = clients.dynamoDb(direct);
  const totalEvents = [...truth.values()].reduce((n, j) => n + j.eventIds.size, 0);
  const byStatus: Record<string, number> = {};
  for (const j of truth.values()) byStatus[j.status] = (byStatus[j.status] ?? 0) + 1;

  try {
    // Each job's Events items. Beside the simulator's events a job may hold reconciler answers: a sweep that found
    // the job quiet (or listed but not yet heard of) asked GetJob and folded the answer as a JOB_DETAILS event
    // `getjob-<jobId>` (lib/domain/job-source.ts). Those are real events of the record, not copies.
    const stored = new Map<string, string[]>();
    for (const j of truth.values()) {
      const keys: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await ddb.send(
          new QueryCommand({
            TableName: twin.tables.events,
            KeyConditionExpression: "jobId = :j",
            ExpressionAttributeValues: { ":j": j.jobId },
            ExclusiveStartKey: start,
          }),
        );
        for (const it of out.Items ?? []) keys.push(String(it.eventKey));
        start = out.LastEvaluatedKey;
      } while (start);
      stored.set(j.jobId, keys);
    }
    const isAnswer = (jobId: string, key: string) =>
      key.split("#")[1] === "JOB_DETAILS" && key.split("#").slice(2).join("#") === `getjob-${jobId}`;
    const answersOf = (jobId: string) => (stored.get(jobId) ?? []).filter((k) => isAnswer(jobId, k)).length;

    // 1. The Jobs API: every job, its final status, queue and distinct event count.
    for (const j of opts.api === false ? [] : truth.values()) {
      const { status, body } = await getJson(`${twin.urls.apiUrl}/jobs/${encodeURIComponent(j.jobId)}`);
      if (status !== 200) {
        problems.push(`API GET /jobs/${j.jobId}: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`);
        continue;
      }
      const rec = jobOf(body);
      if (rec.status !== j.status) problems.push(`API ${j.jobId}: status ${rec.status}, simulator says ${j.status}`);
      if (rec.queueName !== j.queueName) problems.push(`API ${j.jobId}: queue ${rec.queueName}, simulator says ${j.queueName}`);
      // The twin's jobs are created as another tool would (no SUBMITTED record), so the collector backfills their
      // settings once with GetJob and folds that snapshot in as one more (synthetic) event.
      if (!rec.settings) problems.push(`API ${j.jobId}: no settings (the collector's GetJob backfill did not land)`);
      // A reconciler answer can itself be what brought the settings, so with answers the snapshot may be one of them.
      const synthetic = rec.settings ? 1 : 0;
      const answers = answersOf(j.jobId);
      const least = j.eventIds.size + (answers > 0 ? answers : synthetic);
      if (rec.eventCount < least || rec.eventCount > j.eventIds.size + answers + synthetic) {
        problems.push(
          `API ${j.jobId}: eventCount ${rec.eventCount}, simulator emitted ${j.eventIds.size} distinct events (${j.deliveries} deliveries) + ${synthetic} GetJob snapshot + ${answers} reconciler answer(s)`,
        );
      }
      if (rec.status === "COMPLETE" && rec.percentComplete !== undefined && rec.percentComplete !== 100) {
        problems.push(`API ${j.jobId}: COMPLETE with percentComplete ${rec.percentComplete}`);
      }
    }
    // Each job appears in exactly one status list, the right one.
    for (const status of opts.api === false ? [] : ["SUBMITTED", "PROGRESSING", ...TERMINAL]) {
      const listed = (await listAll(twin.urls.apiUrl, status)).filter((r) => truth.has(r.jobId));
      const ids = listed.map((r) => r.jobId as string);
      if (new Set(ids).size !== ids.length) problems.push(`API /jobs/${status}: a job listed twice`);
      const want = [...truth.values()]
        .filter((j) => j.status === status)
        .map((j) => j.jobId)
        .sort();
      const got = [...new Set(ids)].sort();
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        problems.push(
          `API /jobs/${status}: lists ${got.length} of our jobs, expected ${want.length} (missing ${want.filter((x) => !got.includes(x)).slice(0, 3)}, extra ${got.filter((x) => !want.includes(x)).slice(0, 3)})`,
        );
      }
    }

    // 2. The Events table: exactly the distinct events, each once, beside any reconciler answers.
    let eventsStored = 0;
    let reconcilerAnswers = 0;
    for (const j of truth.values()) {
      const all = stored.get(j.jobId) ?? [];
      eventsStored += all.length;
      const keys = all.filter((k) => !isAnswer(j.jobId, k));
      reconcilerAnswers += all.length - keys.length;
      const ids = new Set(keys.map((k) => k.split("#").slice(2).join("#")));
      const missing = [...j.eventIds].filter((id) => !ids.has(id));
      const extra = [...ids].filter((id) => !j.eventIds.has(id));
      if (missing.length || extra.length || keys.length !== j.eventIds.size) {
        problems.push(
          `Events table ${j.jobId}: ${keys.length} items for ${j.eventIds.size} distinct events (missing ${missing.length}, unknown ${extra.length})`,
        );
      }
    }

    // 3. The Queues counters: terminal counts per queue match, nothing left SUBMITTED/PROGRESSING.
    let queueItems: Record<string, any>[] = [];
    if (opts.queues !== false) {
      queueItems = ((await ddb.send(new ScanCommand({ TableName: twin.tables.queues }))).Items ?? []) as Record<string, any>[];
      const want = new Map<string, Record<string, number>>();
      for (const j of truth.values()) {
        const q = want.get(j.queueName) ?? {};
        q[j.status] = (q[j.status] ?? 0) + 1;
        want.set(j.queueName, q);
      }
      for (const [queue, counts] of want) {
        const item = queueItems.find((i) => i.queueName === queue) ?? {};
        for (const s of ["SUBMITTED", "PROGRESSING", ...TERMINAL]) {
          const got = Number(item[s] ?? 0);
          if (got !== (counts[s] ?? 0)) problems.push(`Queues table ${queue}.${s} = ${got}, expected ${counts[s] ?? 0}`);
        }
      }
    }

    // 4. The lake, through the named queries (which de-duplicate) and raw counts.
    let lakeSummary: Record<string, unknown> = {};
    if (opts.lake !== false) {
      const lake = await LocalLake.open(twin.lakeDir);
      try {
        const ids = [...truth.keys()].map((id) => `'${id}'`).join(",");
        // Reconciler answers are left out of the event counts, as in the Events table above.
        const notAnswer = "NOT (event_key LIKE '%#JOB_DETAILS#getjob-%')";
        const raw = await lake.query(
          `SELECT count(*) AS n, count(DISTINCT event_key) AS d FROM job_events WHERE job_id IN (${ids}) AND ${notAnswer}`,
        );
        const distinct = Number(raw.rows[0].d);
        const rows = Number(raw.rows[0].n);
        if (distinct !== totalEvents) problems.push(`lake job_events: ${distinct} distinct events, simulator emitted ${totalEvents}`);
        // Per job, too.
        const per = await lake.query(
          `SELECT job_id, count(DISTINCT event_key) AS d FROM job_events WHERE job_id IN (${ids}) AND ${notAnswer} GROUP BY job_id`,
        );
        for (const r of per.rows) {
          const t = truth.get(String(r.job_id))!;
          if (Number(r.d) !== t.eventIds.size)
            problems.push(`lake job_events ${r.job_id}: ${r.d} distinct events, expected ${t.eventIds.size}`);
        }
        // Named query: jobs per day by status (de-duplicated), restricted to our jobs through a filtered view.
        // The named query, unchanged except that it reads only our jobs' rows.
        const perStatus = await lake.query(
          namedQuery("jobs_per_day_by_status").sql.replace(
            /\bFROM\s+job_events\b/gi,
            `FROM (SELECT * FROM job_events WHERE job_id IN (${ids})) AS job_events`,
          ),
        );
        const got: Record<string, number> = {};
        for (const r of perStatus.rows) got[String(r.status)] = (got[String(r.status)] ?? 0) + Number(r.jobs);
        for (const s of new Set([...Object.keys(got), ...Object.keys(byStatus)])) {
          if ((got[s] ?? 0) !== (byStatus[s] ?? 0))
            problems.push(`lake jobs_per_day_by_status: ${s} = ${got[s] ?? 0}, expected ${byStatus[s] ?? 0}`);
        }
        // The jobs dataset: one (de-duplicated) terminal row per finished job, with the right status.
        const jobsRows = await lake.query(
          `SELECT job_id, arg_max(status, job_event_count) AS status, count(*) AS copies FROM jobs WHERE job_id IN (${ids}) GROUP BY job_id`,
        );
        const terminal = [...truth.values()].filter((j) => (TERMINAL as readonly string[]).includes(j.status));
        if (jobsRows.rows.length !== terminal.length)
          problems.push(`lake jobs: ${jobsRows.rows.length} finished jobs, expected ${terminal.length}`);
        for (const r of jobsRows.rows) {
          const t = truth.get(String(r.job_id))!;
          if (String(r.status) !== t.status) problems.push(`lake jobs ${r.job_id}: status ${r.status}, expected ${t.status}`);
        }
        // Queue throughput from the analytics windows (de-duplicated by row_id) against the truth.
        const tp = await lake.query(namedQuery("queue_throughput_by_day").sql);
        const per2 = new Map<string, { completed: number; failed: number; canceled: number }>();
        for (const r of tp.rows) {
          const q = per2.get(String(r.queue_name)) ?? { completed: 0, failed: 0, canceled: 0 };
          q.completed += Number(r.jobs_completed);
          q.failed += Number(r.jobs_failed);
          q.canceled += Number(r.jobs_canceled);
          per2.set(String(r.queue_name), q);
        }
        if (opts.throughput !== false) {
          for (const [queue, want] of truthThroughput(truth)) {
            const got = per2.get(queue) ?? { completed: 0, failed: 0, canceled: 0 };
            if (JSON.stringify(got) !== JSON.stringify(want)) {
              problems.push(`lake queue_throughput_by_day ${queue}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
            }
          }
        }
        lakeSummary = { jobEventRows: rows, distinctEvents: distinct, throughput: Object.fromEntries(per2) };
      } finally {
        lake.close();
      }
    }
    return {
      problems,
      summary: {
        jobs: truth.size,
        byStatus,
        distinctEvents: totalEvents,
        deliveries: [...truth.values()].reduce((n, j) => n + j.deliveries, 0),
        eventsStored,
        reconcilerAnswers,
        lake: lakeSummary,
        queues: queueItems.map((q) => ({
          queueName: q.queueName,
          SUBMITTED: q.SUBMITTED,
          PROGRESSING: q.PROGRESSING,
          COMPLETE: q.COMPLETE,
          ERROR: q.ERROR,
          CANCELED: q.CANCELED,
        })),
      },
    };
  } finally {
    ddb.destroy();
  }
}

/** Expected per-queue terminal counts from the truth (for comparing with queue_metrics throughput). */
export function truthThroughput(truth: Map<string, TruthJob>): Map<string, { completed: number; failed: number; canceled: number }> {
  const out = new Map<string, { completed: number; failed: number; canceled: number }>();
  for (const j of truth.values()) {
    const q = out.get(j.queueName) ?? { completed: 0, failed: 0, canceled: 0 };
    if (j.status === "COMPLETE") q.completed++;
    if (j.status === "ERROR") q.failed++;
    if (j.status === "CANCELED") q.canceled++;
    out.set(j.queueName, q);
  }
  return out;
}
