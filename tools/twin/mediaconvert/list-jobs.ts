/**
 * ListJobs as MediaConvert answers it: `status` one of the SDK's JobStatus values, `queue` a queue of the account
 * (name or ARN; NotFoundException otherwise), `order` ASCENDING or DESCENDING (newest first by default),
 * `maxResults` from 1 to 20 and a `nextToken` only valid for the listing it came from. Anything else in those
 * members is a BadRequestException naming the member.
 */
import { JobStatus } from "@aws-sdk/client-mediaconvert";
import { z } from "zod";
import type { SimJob } from "./job";
import { orderOf, pageOf, queryMember } from "./paging";
import type { Catalog } from "./resources";

/** ListJobs' filters and paging, as the request gave them. */
export interface ListJobsQuery {
  maxResults?: number | string;
  order?: string;
  status?: string;
  queue?: string;
  nextToken?: string;
}

const StatusSchema = z.enum(JobStatus, { error: `is not one of ${Object.values(JobStatus).join(", ")}` });

export function listJobs(all: SimJob[], catalog: Catalog, query: ListJobsQuery): { jobs: SimJob[]; nextToken?: string } {
  const status: string | undefined = queryMember("status", query.status, StatusSchema, undefined);
  const queue = query.queue === undefined || query.queue === "" ? undefined : String(catalog.queue(query.queue, "queue").arn);
  const order = orderOf(query.order, "DESCENDING");
  const dir = order === "ASCENDING" ? 1 : -1;
  const matching = all
    .filter((j) => (!status || j.status === status) && (!queue || j.queue === queue))
    .sort((a, b) => dir * (a.createdAt - b.createdAt || a.seq - b.seq));
  const page = pageOf(matching, { kind: "jobs", status, queue, order }, query);
  return { jobs: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
