/**
 * The engine's clock: actions due at wall-clock times, played in (time, scheduling order) either by a timer
 * (autoRun) or all at once by drain(). It also tracks work that will schedule actions later (a job whose timeline
 * is still being planned), so that idle() and drain() wait for it.
 */

export interface Action {
  /** Epoch ms the action is due. */
  at: number;
  seq: number;
  jobId: string;
  /** "happen": a step changes the job and makes its event; "deliver": an event goes to onEvent. */
  kind: "happen" | "deliver";
  run: () => Promise<void> | void;
}

export interface Scheduler {
  now(): number;
  readonly stopped: boolean;
  schedule(action: Omit<Action, "seq">): void;
  /** Removes pending actions without playing them. */
  drop(which: (action: Action) => boolean): void;
  /** Work in flight that may schedule actions when it settles. */
  track(work: Promise<void>): void;
  /** Plays every pending action now, in order, including those scheduled meanwhile. */
  drain(): Promise<void>;
  idle(timeoutMs?: number): Promise<void>;
  /** Drops everything pending and waits for the action being played. */
  stop(): Promise<void>;
}

export function createScheduler(autoRun: boolean): Scheduler {
  const now = () => Date.now();
  let actions: Action[] = [];
  let actionSeq = 0;
  let timer: NodeJS.Timeout | undefined;
  let pumping: Promise<void> | undefined;
  let stopped = false;
  const preparing = new Set<Promise<void>>();
  const idleWaiters: Array<() => void> = [];

  const schedule = (a: Omit<Action, "seq">) => {
    const action = { ...a, seq: actionSeq++ };
    // Keep `actions` sorted by (at, seq): insertion from the back, most new actions are late ones.
    let i = actions.length;
    while (i > 0 && (actions[i - 1]!.at > action.at || (actions[i - 1]!.at === action.at && actions[i - 1]!.seq > action.seq))) i--;
    actions.splice(i, 0, action);
    arm();
  };

  const arm = () => {
    if (!autoRun || stopped || pumping) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    const first = actions[0];
    if (!first) return notifyIdle();
    timer = setTimeout(
      () => {
        timer = undefined;
        void pump(false);
      },
      Math.max(0, first.at - now()),
    );
  };

  const pump = (all: boolean): Promise<void> => {
    if (pumping) return pumping.then(() => (all ? pump(true) : undefined));
    pumping = (async () => {
      // Yield first: with nothing due, the body would otherwise finish (and clear `pumping`) before `pumping` is
      // assigned, leaving it set for good and every later arm() a no-op: the simulator would stall.
      await Promise.resolve();
      try {
        while (!stopped && actions.length && (all || actions[0]!.at <= now())) {
          const action = actions.shift()!;
          await action.run();
        }
      } finally {
        pumping = undefined;
      }
      arm();
      notifyIdle();
    })();
    return pumping;
  };

  const notifyIdle = () => {
    if (actions.length || preparing.size || pumping) return;
    for (const w of idleWaiters.splice(0)) w();
  };

  return {
    now,
    get stopped() {
      return stopped;
    },
    schedule,
    drop: (which) => {
      actions = actions.filter((a) => !which(a));
    },
    track: (work) => {
      const p = work.finally(() => {
        preparing.delete(p);
        notifyIdle();
      });
      preparing.add(p);
    },
    drain: async () => {
      await Promise.all([...preparing]);
      await pump(true);
      // Steps scheduled by the last pump (deliveries of events that just happened) play too.
      while (actions.length || preparing.size) {
        await Promise.all([...preparing]);
        await pump(true);
      }
    },
    idle: (timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (!actions.length && !preparing.size && !pumping) return resolve();
        const t = setTimeout(
          () => reject(new Error(`MediaConvert simulator still busy after ${timeoutMs} ms (${actions.length} steps pending).`)),
          timeoutMs,
        );
        idleWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      }),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      actions = [];
      await pumping?.catch(() => undefined);
    },
  };
}
