/**
 * The twin's parts in start order, stopped in reverse: each part is stopped once, and one that fails to stop is
 * logged and does not keep the others running.
 */
export interface Stoppable {
  stop(): Promise<void>;
}

export class StopStack {
  private readonly parts: Stoppable[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /** Records a started part; returns it, so `const x = stack.add(await startX())` reads in start order. */
  add<T extends Stoppable>(part: T): T {
    this.parts.push(part);
    return part;
  }

  /** Stops every part added so far, the last one first. */
  async stopAll(): Promise<void> {
    for (const part of this.parts.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (err) {
        this.log(`stop: ${(err as Error).message}`);
      }
    }
  }
}
