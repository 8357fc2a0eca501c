/** The local MediaConvert simulator: see simulator.ts. */
export { startMediaConvertSimulator } from "./simulator";
export type { MediaConvertSimulator, SimulatorOptions, FaultSpec, Operation, WireJob } from "./types";
export type { EventEnvelope } from "./events";
export type { ScenarioRates } from "./rates";
export { DEFAULT_RATES } from "./rates";
export { buildEvent } from "./events";
export { planTimeline, statusUpdateIntervalMs } from "./timeline";
export type { Timeline, TimelineStep, PlanInput } from "./timeline";
export { createRng, hashSeed } from "./rng";
export { parseSimulatorOptions, SimulatorOptionsSchema } from "./options";
export { STATE_FILE } from "./state-file";
