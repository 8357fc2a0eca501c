/** Fixed values of the simulated MediaConvert account and API. */

/** Version prefix of every MediaConvert REST path. */
export const API_VERSION_PATH = "/2017-08-29";

export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_ACCOUNT_ID = "111122223333";
export const DEFAULT_SEED = 1;

/** The queue jobs go to when CreateJob names none. */
export const DEFAULT_QUEUE = "Default";
/** The queue a job hops to when it hops but has no hop destinations of its own. */
export const FALLBACK_HOP_QUEUE = "Overflow";
/** The statusUpdateInterval GetJob reports when CreateJob gave none. */
export const DEFAULT_STATUS_UPDATE_INTERVAL = "SECONDS_60";

/** ListJobs answers at most this many jobs per page, as the service does. */
export const LIST_JOBS_MAX_RESULTS = 20;

/** onEvent gets this many tries per event, waiting DELIVERY_BACKOFF_MS × 2^attempt after each failure. */
export const DELIVERY_ATTEMPTS = 4;
export const DELIVERY_BACKOFF_MS = 20;
