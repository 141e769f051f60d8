/**
 * A WebSocket stage logs, which API Gateway refuses until the account's CloudWatch Logs role is set (review 89,
 * finding 3): RealtimeApi warns as ServerlessApi does unless its dependsOn holds the setting or the user says it is set
 * elsewhere; a ServerlessApi's own dependsOn now orders its stages and method settings as RealtimeApi's does.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { ComponentArgError } from "../../components/errors";
import { RealtimeApi, type RealtimeApiArgs } from "../../components/realtime-api";
import { ServerlessApi } from "../../components/serverless-api";
import { dependencyClosure, record, resource } from "../harness/mocks";

const echo = "tests/fixtures/handlers/echo.ts";
const args = (more: Partial<RealtimeApiArgs> = {}): RealtimeApiArgs => ({
  connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" },
  anonymous: true,
  routes: { $connect: { handler: echo } },
  ...more,
});

async function warningsOf(build: () => unknown): Promise<string[]> {
  const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  try {
    await record(build);
    return warn.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith('RealtimeApi "live"'));
  } finally {
    warn.mockRestore();
  }
}

describe("RealtimeApi and the account's CloudWatch Logs role", () => {
  it("warns when nothing says the role is set: no Account in its dependsOn, accountCloudWatchRole unset", async () => {
    expect(await warningsOf(() => new RealtimeApi("live", args()))).toEqual([
      expect.stringMatching(/^RealtimeApi "live": its stage logs \(access logs and ERROR execution logs\), which API Gateway refuses with "CloudWatch Logs role ARN must be set in account settings to enable logging" until .* accountCloudWatchRole: false/),
    ]);
    expect(await warningsOf(() => new RealtimeApi("live", args({ executionLogLevel: "OFF" })))).toEqual([expect.stringMatching(/its stage logs \(access logs\), which/)]);
  });

  it("does not warn when its dependsOn holds the account setting (and orders the stage after it), or with accountCloudWatchRole: false", async () => {
    let account: aws.apigateway.Account | undefined;
    const warnings = await warningsOf(() => {
      account = new aws.apigateway.Account("account", { cloudwatchRoleArn: "arn:aws:iam::123456789012:role/apigw-logs" });
      return new RealtimeApi("live", args(), { dependsOn: [account] });
    });
    expect(warnings).toEqual([]);
    expect(await warningsOf(() => new RealtimeApi("live", args({ accountCloudWatchRole: false })))).toEqual([]);
  });

  // Review 95 (F4): the owning ServerlessApi orders the stage after its Account (Pulumi waits for a component's
  // children), and an Output cannot be read: neither warns. A ServerlessApi that owns no setting still does.
  it("does not warn when its dependsOn is the ServerlessApi that owns the setting, or an Output; warns for an API owning none", async () => {
    const route = { routes: { "GET /a": { handler: echo, auth: "none" as const } } };
    expect(await warningsOf(() => new RealtimeApi("live", args(), { dependsOn: [new ServerlessApi("owner", { accountCloudWatchRole: true, ...route })] }))).toEqual([]);
    expect(
      await warningsOf(() => {
        const owner = new ServerlessApi("owner2", { accountCloudWatchRole: true, ...route });
        return new RealtimeApi("live", args(), { dependsOn: pulumi.output([owner.nodes.account!]) as never });
      }),
    ).toEqual([]);
    expect(await warningsOf(() => new RealtimeApi("live", args(), { dependsOn: [new ServerlessApi("other", { accountCloudWatchRole: false, ...route })] }))).toEqual([
      expect.stringMatching(/^RealtimeApi "live": its stage logs .* \(\{ dependsOn: \[api\] \} or \{ dependsOn: \[api\.nodes\.account\] \}\)/),
    ]);
  });

  it("refuses accountCloudWatchRole: true (a ServerlessApi owns the setting)", () => {
    expect(() => new RealtimeApi("live", args({ accountCloudWatchRole: true as never }))).toThrow(ComponentArgError);
    expect(() => new RealtimeApi("live", args({ accountCloudWatchRole: true as never }))).toThrow(/^RealtimeApi "live": accountCloudWatchRole true is not false; .* Pass \{ dependsOn: \[api\.nodes\.account\] \}/);
  });
});

describe("ServerlessApi passes its own dependsOn to its stages and method settings", () => {
  it("orders a non-owner API's logging stage after the account setting another API owns", async () => {
    const graph = await record(() => {
      const owner = new ServerlessApi("owner", { accountCloudWatchRole: true, routes: { "GET /a": { handler: echo, auth: "none" } } });
      return new ServerlessApi("other", { accountCloudWatchRole: false, routes: { "GET /b": { handler: echo, auth: "none" } } }, { dependsOn: [owner.nodes.account!] });
    });
    const account = graph.find((r) => r.type === "aws:apigateway/account:Account")!;
    expect(dependencyClosure(graph, resource(graph, "aws:apigateway/stage:Stage", "other-stage-prod"))).toContain(account.urn);
    expect(dependencyClosure(graph, resource(graph, "aws:apigateway/methodSettings:MethodSettings", "other-settings-prod"))).toContain(account.urn);
  });

  it("does not warn about the account role when its dependsOn holds the setting, as RealtimeApi does (review 95, D1)", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      await record(() => {
        const owner = new ServerlessApi("owner", { accountCloudWatchRole: true, routes: { "GET /a": { handler: echo, auth: "none" } } });
        new ServerlessApi("ordered", { routes: { "GET /b": { handler: echo, auth: "none" } } }, { dependsOn: [owner.nodes.account!] });
        new ServerlessApi("unordered", { routes: { "GET /c": { handler: echo, auth: "none" } } });
      });
      expect(warn.mock.calls.map(([message]) => String(message)).filter((m) => /account-wide CloudWatch Logs role/.test(m))).toEqual([
        expect.stringMatching(/^ServerlessApi "unordered": its stages log \(access logs and \w+ execution logs\), which API Gateway refuses with .* accountCloudWatchRole is unset and this ServerlessApi is ordered after no such setting\. .*\{ dependsOn: \[api\] \}/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
