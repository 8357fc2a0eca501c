/**
 * The REST operations the simulator serves, as @aws-sdk/client-mediaconvert sends them: method, path, the status of
 * a success and how the request becomes an engine call and the engine's answer a response body. Job operations
 * are here; queues, presets and job templates in resource-operations.ts.
 */
import { RESOURCE_OPERATIONS } from "./resource-operations";
import { type OperationRoute, param, route } from "./routing";

export type { OperationRequest, OperationRoute } from "./routing";

const JOBS = route("\\/jobs");
const JOB = route("\\/jobs\\/([^/]+)");

const JOB_OPERATIONS: OperationRoute[] = [
  {
    name: "CreateJob",
    method: "POST",
    path: JOBS,
    status: 201,
    handle: async (engine, req) => ({ job: await engine.createJob(req.body) }),
  },
  {
    name: "GetJob",
    method: "GET",
    path: JOB,
    status: 200,
    jobPath: true,
    handle: (engine, req) => ({ job: engine.describeJob(req.pathParam!) }),
  },
  {
    name: "CancelJob",
    method: "DELETE",
    path: JOB,
    status: 202,
    jobPath: true,
    handle: (engine, req) => {
      engine.cancelJob(req.pathParam!);
      return {};
    },
  },
  {
    name: "ListJobs",
    method: "GET",
    path: JOBS,
    status: 200,
    handle: (engine, { query }) =>
      engine.listJobs({
        maxResults: param(query, "maxResults"),
        order: param(query, "order"),
        status: param(query, "status"),
        queue: param(query, "queue"),
        nextToken: param(query, "nextToken"),
      }),
  },
  {
    name: "DescribeEndpoints",
    method: "POST",
    path: route("\\/endpoints"),
    status: 200,
    handle: (_engine, req) => ({ endpoints: [{ url: req.endpoint }] }),
  },
];

export const OPERATIONS: OperationRoute[] = [...JOB_OPERATIONS, ...RESOURCE_OPERATIONS];

/** The operation a request is for, with its path parameter (still encoded); undefined when none serves it. */
export function findOperation(method: string | undefined, path: string): { op: OperationRoute; rawParam?: string } | undefined {
  for (const op of OPERATIONS) {
    if (op.method !== method) continue;
    const m = op.path.exec(path);
    if (m) return { op, rawParam: m[1] };
  }
  return undefined;
}
