/**
 * Contract: s3rver, as the twin starts it, against the real SDK v3 S3 client (path-style, checksums only when
 * required, as lib/adapters/clients.ts builds it for a local endpoint) with credentials it never saw, for the
 * operations the watch folder, the settings files, the probe and the twin use, and the rejections S3 makes.
 * Where s3rver does not do what S3 does, a passing test pins the difference.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { startStandIns, type StandIns } from "../../../../tools/twin/standins";
import { anyCredentials, failsAs } from "./aws-answers";

const BUCKET = "contract-watch";

describe("contract: s3rver answers as S3 does", function () {
  this.timeout(60_000);
  let standIns: StandIns;
  let s3: S3Client;
  const client = () =>
    new S3Client({
      region: "eu-west-1",
      endpoint: standIns.endpoints.s3,
      forcePathStyle: true,
      credentials: anyCredentials(),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  before(async () => {
    standIns = await startStandIns({ services: ["s3"] });
    s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  after(async () => {
    s3?.destroy();
    await standIns?.stop();
  });

  it("lists buckets, stores objects byte for byte (keys with spaces and accents too) and answers HEAD with size and ETag", async () => {
    assert.ok((await s3.send(new ListBucketsCommand({}))).Buckets?.some((b) => b.Name === BUCKET));
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const key = "inputs/My clip – été.mov";
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: "video/quicktime" }));
    const md5 = `"${createHash("md5").update(body).digest("hex")}"`;
    assert.equal(put.ETag, md5);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(head.ContentLength, 256);
    assert.equal(head.ETag, md5);
    assert.equal(head.ContentType, "video/quicktime");
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
  });

  it("serves an explicit byte range with 206 and Content-Range", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "ranged.bin", Body: "0123456789" }));
    const part = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "ranged.bin", Range: "bytes=3-6", IfMatch: put.ETag }));
    assert.equal(part.$metadata.httpStatusCode, 206);
    assert.equal(part.ContentRange, "bytes 3-6/10");
    assert.equal(await part.Body!.transformToString(), "3456");
    const beyond = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "ranged.bin", Range: "bytes=8-99" }));
    assert.equal(await beyond.Body!.transformToString(), "89", "a range past the end is cut at the end");
    await failsAs(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "ranged.bin", Range: "bytes=20-30" })), "InvalidRange", 416);
  });

  it("differs from AWS: GetObject ignores If-Match (S3: PreconditionFailed, 412), so a probe cannot see an object replaced under it", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "replaced.bin", Body: "first" }));
    const stale = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "replaced.bin", Range: "bytes=0-1", IfMatch: '"00000000000000000000000000000000"' }),
    );
    assert.equal(await stale.Body!.transformToString(), "fi");
  });

  it("lists a prefix a page at a time with continuation tokens", async () => {
    for (const n of ["a", "b", "c", "d", "e"])
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `settings/${n}.json`, Body: "{}" }));
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "settings/", MaxKeys: 2, ContinuationToken: token }));
      pages++;
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ""));
      assert.equal(page.KeyCount, page.Contents?.length ?? 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    assert.deepEqual(
      keys,
      ["a", "b", "c", "d", "e"].map((n) => `settings/${n}.json`),
    );
    assert.equal(pages, 3);
    await failsAs(s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: "bm90LWEtdG9rZW4" })), "InvalidArgument", 400);
  });

  it("a bucket or key that does not exist is NoSuchBucket / NoSuchKey (404), and NotFound for HEAD", async () => {
    await failsAs(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "missing.mov" })), "NoSuchKey", 404);
    await failsAs(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "missing.mov" })), "NotFound", 404);
    await failsAs(s3.send(new GetObjectCommand({ Bucket: "no-such-bucket", Key: "k" })), "NoSuchBucket", 404);
    await failsAs(s3.send(new PutObjectCommand({ Bucket: "no-such-bucket", Key: "k", Body: "x" })), "NoSuchBucket", 404);
    await failsAs(s3.send(new ListObjectsV2Command({ Bucket: "no-such-bucket" })), "NoSuchBucket", 404);
    await failsAs(s3.send(new CreateBucketCommand({ Bucket: "x" })), "InvalidBucketName", 400);
  });

  it("differs from AWS: creating a bucket you own again is BucketAlreadyExists (S3: BucketAlreadyOwnedByYou, 409)", async () => {
    await failsAs(s3.send(new CreateBucketCommand({ Bucket: BUCKET })), "BucketAlreadyExists", 409);
  });

  it("differs from AWS: a SigV4 signature is not checked (S3: SignatureDoesNotMatch, 403)", async () => {
    const forged = client();
    // After signing, before sending: replace the signature with one no secret produces.
    forged.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers.authorization = request.headers.authorization.replace(/Signature=[0-9a-f]+/, `Signature=${"0".repeat(64)}`);
        return next(args);
      },
      { step: "deserialize", name: "forgeSignature" },
    );
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "forged/seen.txt", Body: "x" }));
      const listed = await forged.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "forged/" }));
      assert.deepEqual(
        listed.Contents?.map((o) => o.Key),
        ["forged/seen.txt"],
      );
    } finally {
      forged.destroy();
    }
  });
});
