/** Usage plans and API keys: quotas and throttling per client — not authentication. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServerlessApiSpec } from "./spec";

export interface UsagePlanResources {
  plans: aws.apigateway.UsagePlan[];
  keys: Map<string, aws.apigateway.ApiKey>;
}

export function createUsagePlans(
  name: string,
  spec: ServerlessApiSpec,
  api: aws.apigateway.RestApi,
  stages: Map<string, aws.apigateway.Stage>,
  parent: pulumi.Resource,
): UsagePlanResources {
  const plans: aws.apigateway.UsagePlan[] = [];
  const keys = new Map<string, aws.apigateway.ApiKey>();
  for (const plan of spec.usagePlans) {
    const usagePlan = new aws.apigateway.UsagePlan(
      `${name}-plan-${plan.name}`,
      {
        description: `${name} usage plan ${plan.name}`,
        apiStages: plan.stages.map((stage) => ({ apiId: api.id, stage: stages.get(stage)!.stageName })),
        quotaSettings: plan.quota && { limit: plan.quota.limit, period: plan.quota.period },
        throttleSettings: plan.throttle && { rateLimit: plan.throttle.rateLimit, burstLimit: plan.throttle.burstLimit },
        region: spec.region,
      },
      { parent },
    );
    plans.push(usagePlan);
    for (const keyName of plan.apiKeys) {
      const key = keys.get(keyName) ?? new aws.apigateway.ApiKey(`${name}-key-${keyName}`, { description: `${name} API key ${keyName}`, enabled: true, region: spec.region }, { parent });
      keys.set(keyName, key);
      new aws.apigateway.UsagePlanKey(usagePlanKeyName(name, plan.name, keyName), { keyId: key.id, keyType: "API_KEY", usagePlanId: usagePlan.id, region: spec.region }, { parent });
    }
  }
  return { plans, keys };
}

/**
 * A usage plan key's logical name joins the plan's and the key's names with "-", which either may hold: plan "pro-eu"
 * with key "mobile" and plan "pro" with key "eu-mobile" meet, which validate.ts refuses. Never change it: deployed
 * stacks know their resources by it.
 */
export function usagePlanKeyName(apiName: string, planName: string, keyName: string): string {
  return `${apiName}-plan-${planName}-${keyName}`;
}
