/**
 * ARN parts, in a module without @pulumi/aws or @pulumi/pulumi, so code Pulumi bundles into a dynamic provider
 * (e.g. relational-database/migrations-provider.ts) can use it as components do (through ./region).
 */

/** The region field of an ARN (`arn:partition:service:region:account:...`), or undefined when it has none or is no ARN. */
export function arnRegion(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]+:([^:]*):/.exec(arn)?.[1] || undefined;
}
