/** How often each kind of trouble happens to a simulated job, and the defaults the simulator plays with. */

/** All probabilities per job unless said otherwise. */
export interface ScenarioRates {
  /** Job ends in ERROR. */
  error: number;
  /** Job is canceled (while queued or while transcoding). */
  canceled: number;
  /** Job hops to another queue while waiting (always to the first hop destination when the job has some). */
  queueHop: number;
  /** Job raises a NEW_WARNING (and lists it in COMPLETE). */
  warning: number;
  /** Per delivered event: delivered twice (same event id). */
  duplicate: number;
  /** Per delivered event: delivered late, after one to three later steps (reordering). */
  late: number;
  /** INPUT_INFORMATION stamped just before COMPLETE and delivered after it (a real quirk). */
  lateInputInformation: number;
  /** Delivery jitter added to every event, simulated ms. */
  jitterMs: number;
}

export const DEFAULT_RATES: ScenarioRates = {
  error: 0.1,
  canceled: 0.04,
  queueHop: 0.08,
  warning: 0.15,
  duplicate: 0.08,
  late: 0.08,
  lateInputInformation: 0.2,
  jitterMs: 1500,
};
