/**
 * Job notifications on SNS: one Publish of a rendered message (lib/domain/notifications.ts) to the stack's
 * notifications topic. The collector depends on the `Notifier` interface only; `snsNotifier` is the AWS
 * implementation. A Publish that fails (after the SDK's retries) throws: the collector then gives its claim on the
 * job back and fails the event, so the retry sends the message.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { OutcomeMessage } from "../domain/notifications";

export interface Notifier {
  /** Publishes one message; resolves with SNS's message id once SNS has accepted it. */
  publish(message: OutcomeMessage): Promise<{ messageId: string }>;
}

export function snsNotifier(client: SNSClient, topicArn: string): Notifier {
  return {
    async publish({ subject, message }) {
      const out = await client.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
      if (!out.MessageId) throw new Error(`SNS accepted the notification for ${topicArn} but returned no MessageId`);
      return { messageId: out.MessageId };
    },
  };
}
