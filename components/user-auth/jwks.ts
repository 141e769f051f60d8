/**
 * `UserPoolJwks`: the user pool's public signing keys as a stack output, read once the pool
 * exists (jwks-provider.ts says when the engine fetches them, and why never in preview or under
 * the mocks), and how a Lambda authorizer gets them baked into its bundle (`jwksDefine`).
 */
import * as pulumi from "@pulumi/pulumi";
import { bundleProviderModule } from "../lambda/bundle";

/**
 * The esbuild `define` handlers/shared/jwt.ts reads the baked key set from (`bakedJwks()`):
 * a JS string literal of the JWKS JSON, or `null` to fetch it on first use.
 */
export const JWKS_DEFINE = "__AUTHORIZER_JWKS__";

/** The define's value for a key set that may be unknown (preview) or absent (mocks: `null`, so the function fetches). */
export function jwksDefine(jwks: pulumi.Input<string | undefined>): pulumi.Output<string> {
  return pulumi.output(jwks).apply(jwksDefineValue);
}

/** The define's value for a known key set (JWKS JSON), or `null` without one. */
export function jwksDefineValue(jwks: string | undefined): string {
  return jwks ? JSON.stringify(jwks) : "null";
}

/**
 * A dynamic resource (`pulumi-nodejs:dynamic/...`, run by Pulumi's dynamic-provider host), declared
 * as `pulumi.dynamic.Resource` declares one, with the provider's module as its `__provider` text.
 */
export class UserPoolJwks extends pulumi.CustomResource {
  /** The pool's JWKS as canonical JSON; unknown in a preview that creates the pool; undefined under the mocks. */
  declare readonly jwks: pulumi.Output<string | undefined>;
  declare readonly jwksUrl: pulumi.Output<string>;

  constructor(name: string, args: { jwksUrl: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super("pulumi-nodejs:dynamic/serverless-fullstack:UserPoolJwks", name, { __provider: providerText(), jwksUrl: args.jwksUrl, jwks: undefined }, opts);
  }
}

let text: string | undefined;

/**
 * The provider as the host loads it (`require-from-string`, then `.handler()`): its esbuild bundle
 * (CommonJS; it imports nothing at run time) plus the `handler` export. Pulumi's closure serialiser
 * is not needed for a module that captures nothing, and would cost this program a TypeScript load
 * and an inspector walk on every run; the bundle comes from the on-disk build cache instead.
 */
function providerText(): string {
  if (text !== undefined) return text;
  // No comments or paths in the state; a change of the text alone never updates the resource (the provider's diff).
  const code = bundleProviderModule(__dirname, "jwks-provider", "UserAuth's JWKS provider", { minify: true, legalComments: "none" });
  text = `${code}\nmodule.exports.handler = () => module.exports.jwksProvider;\n`;
  return text;
}
