/**
 * The environment of a function that signs its own AWS requests (handlers/shared/sigv4.ts) in a test: the handler
 * modules loaded afresh per test (their signers and credentials are cached per module), static credentials, no
 * endpoint override (requests are addressed as in AWS, to a stubbed `fetch`), no backoff to wait out (the retries'
 * delays are drawn from Math.random), and the process's environment restored afterwards.
 */
import { afterEach, beforeEach, vi } from "vitest";

export function useSignedRequestEnvironment(region = "us-west-2"): void {
  const saved = { ...process.env };
  beforeEach(() => {
    vi.resetModules();
    delete process.env.AWS_ENDPOINT_URL_S3;
    delete process.env.AWS_ENDPOINT_URL_SQS;
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.UPLOAD_BUCKET_REGION;
    Object.assign(process.env, { AWS_REGION: region, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "" });
    vi.spyOn(Math, "random").mockReturnValue(0);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    // In place: replacing process.env with a plain object would cut it off from the process's real environment.
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
}
