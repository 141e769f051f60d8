/**
 * The options every local service's asynchronous invocations share (local/services/deliveries.ts asyncInvocation: the
 * Invoke API's Event type, S3 events, schedules, Topics, EventBuses): the app's one set of local queues, records naming
 * the function by its sandbox's ARN, and the retry delays StartOptions.asyncRetryDelaysMs gives, or none, so that
 * `npm start` keeps local/async-invoke.ts's own (1 s and 2 s, for Lambda's 1 and 2 minutes).
 */
import { describe, expect, it } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { LocalQueues } from "../../local/queues";
import { asyncInvocation, functionInvocation } from "../../local/services/deliveries";
import type { LocalContext } from "../../local/services/types";

const queues = new LocalQueues();
const context = (more: Partial<LocalContext> = {}) =>
  ({
    queues: () => queues,
    log: () => undefined,
    lambda: (spec: LambdaFunctionSpec) => ({ arn: (qualifier: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${spec.name}-local:${qualifier}` }),
    ...more,
  }) as unknown as LocalContext;

describe("the options of a local service's asynchronous invocations", () => {
  it("carry StartOptions.asyncRetryDelaysMs, and no delays of their own when it is not given (async-invoke.ts's then apply)", () => {
    expect(asyncInvocation(context({ asyncRetryDelaysMs: [0] }), "eu-west-1").retryDelaysMs).toEqual([0]);
    expect(functionInvocation(context({ asyncRetryDelaysMs: [5, 6] }), "eu-west-1").async.retryDelaysMs).toEqual([5, 6]);
    expect(asyncInvocation(context(), "eu-west-1")).not.toHaveProperty("retryDelaysMs");
    expect(functionInvocation(context(), "eu-west-1").async).not.toHaveProperty("retryDelaysMs");
  });

  it("use the app's one set of queues, its region and the sandbox's ARN for the records", () => {
    const options = asyncInvocation(context(), "eu-west-1");
    expect(options.queues).toBe(queues);
    expect(options.region).toBe("eu-west-1");
    expect(options.functionArn!({ name: "fn" } as LambdaFunctionSpec, "$LATEST")).toBe("arn:aws:lambda:eu-west-1:123456789012:function:fn-local:$LATEST");
  });
});
