import { seededRandom } from "../../../lib/domain/random";

/**
 * Helpers over the shared seeded generator (lib/domain/random.ts) so the simulator's choices — job id suffixes, outcomes,
 * durations, duplicates, delivery jitter — are the same for the same seed and the same order of calls.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  range(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Lower-case letters and digits, like the suffix of a MediaConvert job id. */
  token(length: number): string;
  /** A version-4-shaped UUID (EventBridge event ids look like this). */
  uuid(): string;
}

export function hashSeed(...parts: Array<string | number>): number {
  // FNV-1a over the parts' text: a stable 32-bit seed from any labels.
  let h = 0x811c9dc5;
  for (const ch of parts.join("\u0000")) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  const next = seededRandom(seed);
  const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  const HEX = "0123456789abcdef";
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    range: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    token: (length) => Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(""),
    uuid: () => {
      const hex = (n: number) => Array.from({ length: n }, () => HEX[Math.floor(next() * 16)]).join("");
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${HEX[8 + Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`;
    },
  };
  return rng;
}
