/**
 * Contract: our SNS stand-in (tools/twin/sns.ts) against the real SDK v3 SNS client, for Publish (the one
 * operation the collector uses) and every rejection SNS makes for it: exception name, HTTP status and wording.
 * We own this stand-in, so it has no "differs from AWS" entries: where it does not answer as SNS does, it is fixed.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PublishCommand, SNSClient, type PublishCommandInput } from "@aws-sdk/client-sns";
import { MAX_MESSAGE_BYTES, startLocalSns, type LocalSns } from "../../../../tools/twin/sns";
import { anyCredentials, failsAs } from "./aws-answers";

describe("contract: the twin's SNS answers Publish as SNS does", () => {
  let dir: string;
  let sns: LocalSns;
  let client: SNSClient;
  let topicArn: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcjobs-contract-sns-"));
    sns = await startLocalSns({ region: "eu-west-1", accountId: "111122223333", file: path.join(dir, "notifications.jsonl") });
    topicArn = sns.createTopic("jobs");
    client = new SNSClient({ region: "eu-west-1", endpoint: sns.endpoint, credentials: anyCredentials() });
  });
  after(async () => {
    client?.destroy();
    await sns?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const publish = (input: Partial<PublishCommandInput>) => client.send(new PublishCommand({ TopicArn: topicArn, Message: "m", ...input }));

  it("accepts a message with a subject, answers its MessageId, and keeps it (memory and one JSON line on disk)", async () => {
    assert.equal(topicArn, "arn:aws:sns:eu-west-1:111122223333:jobs");
    const out = await publish({ Subject: "MediaConvert job 1717171717171-abc123 COMPLETE: a.mov", Message: "Line 1\nÉté ✓ <&>" });
    assert.match(out.MessageId ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(out.$metadata.httpStatusCode, 200);
    const kept = sns.messages.at(-1)!;
    assert.deepEqual(
      { messageId: kept.messageId, topicArn: kept.topicArn, subject: kept.subject, message: kept.message },
      {
        messageId: out.MessageId,
        topicArn,
        subject: "MediaConvert job 1717171717171-abc123 COMPLETE: a.mov",
        message: "Line 1\nÉté ✓ <&>",
      },
    );
    const lines = fs.readFileSync(path.join(dir, "notifications.jsonl"), "utf8").trim().split("\n");
    assert.deepEqual(JSON.parse(lines.at(-1)!), kept);
    const noSubject = await publish({ Message: "no subject" });
    assert.ok(noSubject.MessageId);
    assert.equal(sns.messages.at(-1)!.subject, undefined);
    // A message of exactly 256 KB fits.
    assert.ok((await publish({ Message: "x".repeat(MAX_MESSAGE_BYTES) })).MessageId);
  });

  it("refuses what SNS refuses: a subject of 100 characters or more, non-ASCII, line breaks or a leading space", async () => {
    const before = sns.messages.length;
    for (const Subject of ["a".repeat(100), "Été", "two\nlines", " leading space", "tab\there", ""]) {
      const err = await failsAs(publish({ Subject }), "InvalidParameterException", 400);
      assert.equal(err.message, "Invalid parameter: Subject", JSON.stringify(Subject));
    }
    assert.ok((await publish({ Subject: "a".repeat(99) })).MessageId, "99 characters fit");
    assert.ok((await publish({ Subject: "[ops] 1 job failed" })).MessageId, "punctuation may lead");
    assert.equal(sns.messages.length, before + 2);
  });

  it("refuses an empty message, one over 256 KB (UTF-8 bytes), and a missing one", async () => {
    assert.equal((await failsAs(publish({ Message: "" }), "InvalidParameterException", 400)).message, "Invalid parameter: Empty message");
    const tooLong = "é".repeat(MAX_MESSAGE_BYTES / 2 + 1);
    assert.equal(
      (await failsAs(publish({ Message: tooLong }), "InvalidParameterException", 400)).message,
      "Invalid parameter: Message too long",
    );
    const missing = await failsAs(client.send(new PublishCommand({ TopicArn: topicArn } as PublishCommandInput)), "ValidationError", 400);
    assert.match(missing.message, /Value null at 'message' failed to satisfy constraint: Member must not be null/);
  });

  it("refuses a topic that is not an ARN (400) and one that does not exist (404)", async () => {
    assert.equal((await failsAs(publish({ TopicArn: "jobs" }), "InvalidParameterException", 400)).message, "Invalid parameter: TopicArn");
    const wrongPartition = "arn:aws-cn:sns:eu-west-1:111122223333:jobs";
    assert.equal(
      (await failsAs(publish({ TopicArn: wrongPartition }), "InvalidParameterException", 400)).message,
      "Invalid parameter: TopicArn",
    );
    const gone = await failsAs(publish({ TopicArn: "arn:aws:sns:eu-west-1:111122223333:other" }), "NotFoundException", 404);
    assert.equal(gone.message, "Topic does not exist");
  });

  it("a failing service answers 500 InternalError, which the SDK retries (up to its 3 attempts)", async () => {
    const requests = sns.requests();
    sns.failNext(2);
    assert.ok((await publish({ Message: "after two failures" })).MessageId);
    assert.equal(sns.requests() - requests, 3, "two failed attempts and the one that went through");
    sns.failNext(3);
    await failsAs(publish({ Message: "never" }), "InternalErrorException", 500);
    assert.ok(!sns.messages.some((m) => m.message === "never"));
  });
});
