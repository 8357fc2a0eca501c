/**
 * The REST operations on the account's queues, presets and job templates, with the SDK's paths
 * (`/2017-08-29/queues`, `/presets`, `/jobTemplates`, each with `/{Name}`) and success statuses (200, 201 for a
 * create), answering the SDK's response members (`queues`/`queue`, `presets`/`preset`, `jobTemplates`/`jobTemplate`).
 */
import type { Engine } from "./engine";
import { type OperationRequest, type OperationRoute, param, route } from "./routing";
import { jobTemplateFrom, presetFrom } from "./resource-requests";
import type { ListRequest } from "./resources";

const listRequest = ({ query }: OperationRequest): ListRequest => ({
  maxResults: param(query, "maxResults"),
  order: param(query, "order"),
  nextToken: param(query, "nextToken"),
  listBy: param(query, "listBy"),
  category: param(query, "category"),
});

export const RESOURCE_OPERATIONS: OperationRoute[] = [
  {
    name: "ListQueues",
    method: "GET",
    path: route("\\/queues"),
    status: 200,
    handle: (engine, req) => engine.catalog.listQueues(listRequest(req)),
  },
  {
    name: "GetQueue",
    method: "GET",
    path: route("\\/queues\\/([^/]+)"),
    status: 200,
    handle: (engine, req) => ({ queue: engine.catalog.queue(req.pathParam!, "Name") }),
  },
  {
    name: "ListPresets",
    method: "GET",
    path: route("\\/presets"),
    status: 200,
    handle: (engine, req) => engine.catalog.listPresets(listRequest(req)),
  },
  {
    name: "GetPreset",
    method: "GET",
    path: route("\\/presets\\/([^/]+)"),
    status: 200,
    handle: (engine, req) => ({ preset: engine.catalog.preset(req.pathParam!, "Name") }),
  },
  {
    name: "CreatePreset",
    method: "POST",
    path: route("\\/presets"),
    status: 201,
    handle: (engine: Engine, req) => {
      const preset = engine.catalog.add("presets", presetFrom(req.body, Date.now()));
      engine.saveResources();
      return { preset };
    },
  },
  {
    name: "ListJobTemplates",
    method: "GET",
    path: route("\\/jobTemplates"),
    status: 200,
    handle: (engine, req) => engine.catalog.listJobTemplates(listRequest(req)),
  },
  {
    name: "GetJobTemplate",
    method: "GET",
    path: route("\\/jobTemplates\\/([^/]+)"),
    status: 200,
    handle: (engine, req) => ({ jobTemplate: engine.catalog.jobTemplate(req.pathParam!, "Name") }),
  },
  {
    name: "CreateJobTemplate",
    method: "POST",
    path: route("\\/jobTemplates"),
    status: 201,
    handle: (engine, req) => {
      const jobTemplate = engine.catalog.add("jobTemplates", jobTemplateFrom(req.body, engine.catalog, Date.now()));
      engine.saveResources();
      return { jobTemplate };
    },
  },
];
