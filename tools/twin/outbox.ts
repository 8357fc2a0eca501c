/**
 * The twin's SNS e-mail: the deployed Notifications rules (lib/domain/notifications.ts), one route each (together
 * they match exactly the notification pattern), with the text their InputTransformer would publish. Each
 * notification is kept in memory (the last 1000) and appended to the outbox file.
 */
import * as fs from "node:fs";
import { notificationRules, renderNotification } from "../../lib/domain/notifications";
import type { RouteTarget } from "./router";

export interface Notification {
  at: number;
  jobId?: string;
  status?: string;
  /** The Notifications rule that matched (lib/domain/notifications.ts). */
  rule: string;
  /** First line of the message. */
  subject: string;
  /** The text the SNS topic would carry. */
  message: string;
  event: unknown;
}

const KEPT = 1000;

export function notificationOutbox(o: { application: string; region: string; file: string }): {
  routes: RouteTarget[];
  notifications: Notification[];
} {
  const notifications: Notification[] = [];
  const routes = notificationRules(o.application, o.region).map(
    (rule): RouteTarget => ({
      name: `notifications:${rule.id}`,
      pattern: rule.pattern,
      deliver: async (event: unknown) => {
        const d = (event as { detail?: { jobId?: string; status?: string } }).detail ?? {};
        const message = renderNotification(rule, event);
        const n: Notification = {
          at: Date.now(),
          jobId: d.jobId,
          status: d.status,
          rule: rule.id,
          subject: message.split("\n")[0]!,
          message,
          event,
        };
        notifications.push(n);
        if (notifications.length > KEPT) notifications.splice(0, notifications.length - KEPT);
        fs.appendFileSync(o.file, `${JSON.stringify(n)}\n`);
      },
    }),
  );
  return { routes, notifications };
}
