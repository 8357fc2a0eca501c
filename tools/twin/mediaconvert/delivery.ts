/**
 * Handing events to the onEvent callback: each gets a few tries with a growing pause between them, and one that
 * keeps failing is set aside in `failedDeliveries` rather than stopping playback.
 */
import { DELIVERY_ATTEMPTS, DELIVERY_BACKOFF_MS } from "./constants";
import type { EventEnvelope } from "./events";

export interface Delivery {
  deliver(event: EventEnvelope): Promise<void>;
  /** Every event handed over, in delivery order (duplicates included). */
  delivered: EventEnvelope[];
  failedDeliveries: Array<{ event: EventEnvelope; error: string }>;
}

export function createDelivery(onEvent: ((event: EventEnvelope) => void | Promise<void>) | undefined): Delivery {
  const delivered: EventEnvelope[] = [];
  const failedDeliveries: Delivery["failedDeliveries"] = [];
  const deliver = async (event: EventEnvelope): Promise<void> => {
    delivered.push(event);
    if (!onEvent) return;
    let lastError: unknown;
    for (let attempt = 0; attempt < DELIVERY_ATTEMPTS; attempt++) {
      try {
        // A copy each time: the receiver may change what it gets without changing what was delivered.
        await onEvent(structuredClone(event));
        return;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, DELIVERY_BACKOFF_MS * 2 ** attempt));
      }
    }
    failedDeliveries.push({ event, error: lastError instanceof Error ? lastError.message : String(lastError) });
  };
  return { deliver, delivered, failedDeliveries };
}
