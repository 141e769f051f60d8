/**
 * A stand-in for the `aws.route53.getZone` lookup by id the components make at preview (components/hosted-zone.ts):
 * zones by id, each answering its name (a private zone is `ZPRIV`), and the provider's own failures for the ids that
 * exercise them. Every lookup's inputs are kept in `asked`.
 */
import type { MockOptions } from "../../local/offline/mocks";

/** How the engine's rejection reads for a provider error (runtime/invoke.js: `new Error(err.details)`). */
export const providerError = (error: string) => Object.assign(new Error("invoke failed"), { details: `invoking aws:route53/getZone:getZone: 1 error occurred:\n\t* ${error}\n\n` });

/** The provider's answers for a lookup that fails: the zone is missing, or the role may not read it or its tags. */
const FAILURES: Record<string, string> = {
  ZMISSING: "couldn't find resource",
  ZDENIED:
    "operation error Route 53: GetHostedZone, https response error StatusCode: 403, RequestID: 0d1e2f3a-0000-4000-8000-000000000000, api error AccessDenied: User: arn:aws:sts::123456789012:assumed-role/deploy/session is not authorized to perform: route53:GetHostedZone on resource: arn:aws:route53:::hostedzone/ZDENIED because no identity-based policy allows the route53:GetHostedZone action",
  ZNOTAGS:
    "listing Route 53 Hosted Zone (ZNOTAGS) tags: operation error Route 53: ListTagsForResource, https response error StatusCode: 403, RequestID: 0d1e2f3a-0000-4000-8000-000000000001, api error AccessDenied: User: arn:aws:sts::123456789012:assumed-role/deploy/session is not authorized to perform: route53:ListTagsForResource on resource: arn:aws:route53:::hostedzone/ZNOTAGS because no identity-based policy allows the route53:ListTagsForResource action",
};

/** The mocks' `invokes` entry for getZone over `zones` (id → name), recording each lookup in `asked`. */
export function hostedZoneLookups(zones: Record<string, string>, asked: Record<string, unknown>[]): NonNullable<MockOptions["invokes"]> {
  return {
    "aws:route53/getZone:getZone": (inputs) => {
      asked.push(inputs);
      const failure = FAILURES[inputs.zoneId];
      if (failure) throw providerError(failure);
      const name = zones[inputs.zoneId];
      return name ? { zoneId: inputs.zoneId, name, privateZone: inputs.zoneId === "ZPRIV" } : undefined;
    },
  };
}
