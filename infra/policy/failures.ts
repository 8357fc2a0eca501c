/**
 * failure-visibility: a failure ends up where a person hears of it.
 *
 *  - Every EventBridge target has a retry policy (maximumRetryAttempts and maximumEventAgeInSeconds) and a
 *    dead-letter queue, so an event it cannot deliver is kept instead of dropped after the retries.
 *  - Every queue something parks failures in (an EventBridge target's dead-letter queue, a Lambda's async
 *    on-failure destination, an event source mapping's on-failure destination, a queue's redrive target) has a
 *    CloudWatch alarm on its messages (AWS/SQS ApproximateNumberOfMessagesVisible or ApproximateAgeOfOldestMessage
 *    with its QueueName).
 *  - Every metric alarm has an alarm action, so its firing reaches someone.
 *
 * A stack rule: targets, queues and alarms are separate resources, linked by ids or, in the policy pack at preview,
 * by property dependencies.
 */
import { list, refersTo, type PostureResource, type Violation } from "./model";

const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const QUEUE = "aws:sqs/queue:Queue";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const QUEUE_METRICS = new Set(["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"]);

/** Where resources name a failure destination: type → [top-level property, the value inside it]. */
const DESTINATIONS: Record<string, (i: PostureResource["inputs"]) => [string, unknown][]> = {
  [TARGET]: (i) => [["deadLetterConfig", i.deadLetterConfig?.arn]],
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (i) => [
    ["destinationConfig", i.destinationConfig?.onFailure?.destination],
  ],
  "aws:lambda/eventSourceMapping:EventSourceMapping": (i) => [["destinationConfig", i.destinationConfig?.onFailure?.destinationArn]],
  [QUEUE]: (i) => {
    try {
      const redrive = typeof i.redrivePolicy === "string" ? JSON.parse(i.redrivePolicy) : i.redrivePolicy;
      return [["redrivePolicy", redrive?.deadLetterTargetArn]];
    } catch {
      return [];
    }
  },
};

const known = (v: unknown) => typeof v === "string" && v !== "";

export function failureViolations(resources: PostureResource[]): Violation[] {
  const out: Violation[] = [];
  const v = (r: PostureResource, message: string) => out.push({ rule: "failure-visibility", type: r.type, name: r.name, message });
  const queues = resources.filter((r) => r.type === QUEUE);
  const alarms = resources.filter((r) => r.type === ALARM);

  for (const t of resources.filter((r) => r.type === TARGET)) {
    const retry = t.inputs.retryPolicy;
    if (typeof retry?.maximumRetryAttempts !== "number" || typeof retry?.maximumEventAgeInSeconds !== "number") {
      v(t, "EventBridge target without a retry policy (maximumRetryAttempts and maximumEventAgeInSeconds)");
    }
    if (!known(t.inputs.deadLetterConfig?.arn) && (t.refs?.deadLetterConfig ?? []).length === 0) {
      v(t, "EventBridge target without a dead-letter queue (deadLetterConfig.arn): events it cannot deliver would be dropped");
    }
  }

  const failureQueues = new Map<PostureResource, string[]>();
  for (const src of resources) {
    for (const [prop, value] of DESTINATIONS[src.type]?.(src.inputs) ?? []) {
      if (value === undefined && (src.refs?.[prop] ?? []).length === 0) continue;
      for (const q of queues) {
        if (q !== src && refersTo(src, prop, value, q))
          failureQueues.set(q, [...(failureQueues.get(q) ?? []), `${src.type.split(":").pop()} ${src.name}`]);
      }
    }
  }
  for (const [q, users] of failureQueues) {
    const watched = alarms.some(
      (a) =>
        a.inputs.namespace === "AWS/SQS" &&
        QUEUE_METRICS.has(a.inputs.metricName) &&
        refersTo(a, "dimensions", a.inputs.dimensions?.QueueName, q),
    );
    if (!watched)
      v(
        q,
        `holds the failures of ${users.join(", ")} but no alarm watches it (AWS/SQS ApproximateNumberOfMessagesVisible on its QueueName)`,
      );
  }

  for (const a of alarms) {
    const actions = list(a.inputs.alarmActions);
    if (!actions.some(known) && (a.refs?.alarmActions ?? []).length === 0)
      v(a, "metric alarm without an alarm action: its firing reaches nobody");
  }
  return out;
}
