/**
 * A ServerlessApi's refusal of its arguments, for the ServerlessApi tests: the component built as they build it (the
 * account-wide CloudWatch role off, so no account resource joins the graph) and its ComponentArgError caught. The
 * must-refuse form is refusals.ts's refusalOf, the may-refuse form its refusalIfAny; this file adds a build under
 * `record`.
 */
import { expect } from "vitest";
import { ComponentArgError } from "../../components/errors";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { record } from "./mocks";
import { refusalIfAny, refusalOf } from "./refusals";

/** Builds ServerlessApi `name` of `args`, with `accountCloudWatchRole: false` unless `args` say otherwise. */
export function buildApi(name: string, args: ServerlessApiArgs): () => ServerlessApi {
  return () => new ServerlessApi(name, { accountCloudWatchRole: false, ...args });
}

/** The refusal of ServerlessApi `name` of `args`; the test fails, saying `tookWhat`, when it is accepted. */
export function apiRefusal(name: string, args: ServerlessApiArgs, tookWhat: string): ComponentArgError {
  return refusalOf(buildApi(name, args), tookWhat);
}

/**
 * apiRefusal with the API built under `record`: arguments it accepts are recorded (the recording mocks refuse a
 * duplicate URN) before the test fails, saying `tookWhat`.
 */
export async function recordedApiRefusal(name: string, args: ServerlessApiArgs, tookWhat: string): Promise<ComponentArgError> {
  let refused: ComponentArgError | undefined;
  await record(() => {
    refused = refusalIfAny(buildApi(name, args));
  });
  expect(refused, tookWhat).toBeInstanceOf(ComponentArgError);
  return refused!;
}
