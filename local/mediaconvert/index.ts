/** The local MediaConvert simulator: see server.ts. */
export { startMediaConvertSimulator } from "./server";
export type { MediaConvertSimulator, SimulatorOptions, FaultSpec, Operation, WireJob, EventEnvelope, ScenarioRates } from "./server";
export { DEFAULT_RATES, planTimeline, buildEvent, statusUpdateIntervalMs } from "./timeline";
export type { Timeline, TimelineStep, PlanInput } from "./timeline";
export { createRng, hashSeed } from "./rng";
