/**
 * Injected faults: the next calls of an operation (optionally only those about one job) fail with the error shape
 * the test asked for, as many times as it asked.
 */
import { ServiceError } from "./errors";
import type { FaultSpec, Operation } from "./types";

export interface Faults {
  inject(fault: FaultSpec): void;
  clear(): void;
  /** Uses up one matching fault and throws its error; does nothing when none matches. */
  take(operation: Operation, jobId?: string): void;
}

export function createFaults(): Faults {
  let faults: Array<FaultSpec & { left: number }> = [];
  return {
    inject: (fault) => {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clear: () => {
      faults = [];
    },
    take: (operation, jobId) => {
      const f = faults.find((x) => x.operation === operation && x.left > 0 && (!x.jobId || x.jobId === jobId));
      if (!f) return;
      f.left -= 1;
      faults = faults.filter((x) => x.left > 0);
      throw new ServiceError(f.type, f.message ?? `Injected ${f.type} for ${operation}`, f.status);
    },
  };
}
