/**
 * The parts of one REST API that a deployment snapshots. CreateDeployment copies the API as it
 * is at that moment, so a method response or integration response created after it is simply not
 * in the deployment (GET /api/config answered 500 "No match for output mapping" until the next
 * deploy), and a change to any part reaches callers only through a new deployment: "Every time you
 * update an API, you must redeploy the API [...] routes, methods, integrations, authorizers, resource
 * policies, and anything else other than stage settings."
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-deploy-api.html
 *
 * Every resource, method, integration, method response, integration response, authorizer,
 * gateway response, model, request validator and the resource policy of a ServerlessApi is
 * created through one `ApiSnapshot`; the deployment then depends on all of them and its
 * trigger is a digest of all their inputs. Nothing keeps a list by hand, and a part created after
 * the deployment was taken is a programming error (`seal`).
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Options a part may take besides its parent (always the component). */
export interface PartOptions {
  dependsOn?: pulumi.Resource[];
  /** Earlier logical names of a part that was renamed: existing stacks keep it instead of replacing it. */
  aliases?: pulumi.Alias[];
  /** Inputs whose change replaces the part (Pulumi's `replaceOnChanges`). */
  replaceOnChanges?: string[];
  /** Replace the part delete-first (Pulumi's `deleteBeforeReplace`). */
  deleteBeforeReplace?: boolean;
}

/** What the deployment needs: every part, and a digest that changes when any part's inputs change. */
export interface SealedSnapshot {
  parts: readonly pulumi.CustomResource[];
  /** sha256 of every part's name and resolved inputs. */
  digest: pulumi.Output<string>;
}

/**
 * sha256 of the resolved `inputs` (ids and ARNs of other resources included), for a deployment's trigger: it changes
 * exactly when one of the snapshotted parts is added, removed, replaced or changed. RealtimeApi's deployment uses it too.
 */
export function inputsDigest(inputs: pulumi.Input<unknown>[]): pulumi.Output<string> {
  return pulumi.all(inputs).apply((values) => createHash("sha256").update(JSON.stringify(values)).digest("hex"));
}

/**
 * `value` as it is (known or not, secret or not) but naming no resource as its source, so an input set from it has no
 * property dependencies; the deployment still comes after every part through `dependsOn` (stages.ts). Why: when the
 * engine replaces a resource delete-first (a method, METHOD_OPTIONS in routes.ts; an integration, which pulumi-aws
 * replaces delete-first; a default response whose status changed), it first deletes every resource with an input whose
 * property dependencies name it and that the provider's Diff, given that input unknown, would replace
 * (pulumi pkg/resource/deploy/step_generator.go calculateDependentReplacements, `hasDependencyInReplaceSet`; `dependsOn`
 * alone does not count). A deployment's `triggers` are ForceNew (terraform-provider-aws apigateway/deployment.go), so a
 * digest naming the parts put the deployment in that set: deleted before the stage had moved, which API Gateway refuses
 * ("Active stages pointing to this deployment must be moved or deleted"), failing the update. Without them the parts
 * are deleted and put again, and the deployment is replaced (create-first, the stage moving before the old copy is
 * deleted at the end) exactly when the digest's value changes; a part put again with the same inputs changes nothing a
 * deployment snapshots. `pulumi.secret`/`unsecret` build their Outputs with this same constructor (@pulumi/pulumi
 * output.js); the SDK's typings leave it out. RealtimeApi's deployment takes its trigger through it too (its authorizer
 * has a name of ours, so the bridge replaces it delete-first: realtime-api/index.ts createStage).
 */
export function withoutPropertyDependencies<T>(value: pulumi.Output<T>): pulumi.Output<T> {
  const OutputOf = pulumi.Output as unknown as new (
    resources: Set<pulumi.Resource>,
    promise: Promise<T>,
    isKnown: Promise<boolean>,
    isSecret: Promise<boolean>,
    allResources: Promise<Set<pulumi.Resource>>,
  ) => pulumi.Output<T>;
  const held = value as unknown as { promise(withUnknowns: boolean): Promise<T>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  return new OutputOf(new Set(), held.promise(true), held.isKnown, held.isSecret, Promise.resolve(new Set()));
}

type PartArgs<A> = Omit<A, "restApi" | "restApiId" | "region">;

export class ApiSnapshot {
  private readonly parts: pulumi.CustomResource[] = [];
  private readonly inputs: pulumi.Output<unknown>[] = [];
  private sealed = false;

  /**
   * `endpointType` is snapshotted too: the RestApi itself is no part (it is what the parts belong to), but an endpoint
   * type change reaches callers only through a new deployment: "Redeploy your API for the changes to take effect"
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-api-migration.html).
   */
  constructor(
    private readonly api: aws.apigateway.RestApi,
    private readonly region: string | undefined,
    private readonly parent: pulumi.Resource,
    private readonly endpointType: "REGIONAL" | "EDGE" | "PRIVATE" = "REGIONAL",
  ) {}

  resource(name: string, args: PartArgs<aws.apigateway.ResourceArgs>, opts?: PartOptions): aws.apigateway.Resource {
    return this.add(aws.apigateway.Resource, name, { ...args, restApi: this.api.id, region: this.region }, opts);
  }

  method(name: string, args: PartArgs<aws.apigateway.MethodArgs>, opts?: PartOptions): aws.apigateway.Method {
    return this.add(aws.apigateway.Method, name, { ...args, restApi: this.api.id, region: this.region }, opts);
  }

  integration(name: string, args: PartArgs<aws.apigateway.IntegrationArgs>, opts?: PartOptions): aws.apigateway.Integration {
    return this.add(aws.apigateway.Integration, name, { ...args, restApi: this.api.id, region: this.region }, opts);
  }

  methodResponse(name: string, args: PartArgs<aws.apigateway.MethodResponseArgs>, opts?: PartOptions): aws.apigateway.MethodResponse {
    return this.add(aws.apigateway.MethodResponse, name, { ...args, restApi: this.api.id, region: this.region }, opts);
  }

  integrationResponse(name: string, args: PartArgs<aws.apigateway.IntegrationResponseArgs>, opts?: PartOptions): aws.apigateway.IntegrationResponse {
    return this.add(aws.apigateway.IntegrationResponse, name, { ...args, restApi: this.api.id, region: this.region }, opts);
  }

  authorizer(name: string, args: PartArgs<aws.apigateway.AuthorizerArgs>, opts?: PartOptions): aws.apigateway.Authorizer {
    return this.add(aws.apigateway.Authorizer, name, { ...args, restApi: this.api.id, region: this.region }, opts);
  }

  gatewayResponse(name: string, args: PartArgs<aws.apigateway.ResponseArgs>, opts?: PartOptions): aws.apigateway.Response {
    return this.add(aws.apigateway.Response, name, { ...args, restApiId: this.api.id, region: this.region }, opts);
  }

  model(name: string, args: PartArgs<aws.apigateway.ModelArgs>, opts?: PartOptions): aws.apigateway.Model {
    return this.add(aws.apigateway.Model, name, { ...args, restApi: this.api.id, region: this.region }, opts);
  }

  requestValidator(name: string, args: PartArgs<aws.apigateway.RequestValidatorArgs>, opts?: PartOptions): aws.apigateway.RequestValidator {
    return this.add(aws.apigateway.RequestValidator, name, { ...args, restApi: this.api.id, region: this.region }, opts);
  }

  /**
   * The resource policy is part of what callers get: "If you update the resource policy, you'll need
   * to deploy the API", and "for a private API, you can't deploy your API without a resource policy".
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
   */
  policy(name: string, args: PartArgs<aws.apigateway.RestApiPolicyArgs>, opts?: PartOptions): aws.apigateway.RestApiPolicy {
    return this.add(aws.apigateway.RestApiPolicy, name, { ...args, restApiId: this.api.id, region: this.region }, opts);
  }

  /** Ends the snapshot: what the deployment depends on and redeploys for. No part may be added afterwards. */
  seal(): SealedSnapshot {
    this.sealed = true;
    // REGIONAL (the default) adds nothing, so the APIs deployed before the endpoint type was snapshotted keep their
    // digest and are not redeployed by the upgrade; another type adds an entry no part can be mistaken for (parts are
    // { name, args }), so every change of type, to or from REGIONAL included, changes the digest.
    const endpoint = this.endpointType === "REGIONAL" ? [] : [pulumi.output({ endpointType: this.endpointType })];
    return { parts: [...this.parts], digest: withoutPropertyDependencies(inputsDigest([...this.inputs, ...endpoint])) };
  }

  private add<A extends object, R extends pulumi.CustomResource>(
    Type: new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => R,
    name: string,
    args: A,
    opts: PartOptions = {},
  ): R {
    if (this.sealed) throw new Error(`ApiSnapshot: ${name} was created after the deployment; create every API part before createStages.`);
    const part = new Type(name, args, {
      parent: this.parent,
      dependsOn: opts.dependsOn,
      aliases: opts.aliases,
      ...(opts.replaceOnChanges ? { replaceOnChanges: opts.replaceOnChanges } : {}),
      ...(opts.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    });
    this.parts.push(part);
    // Resolved inputs (ids of other parts included): a replaced or changed part changes the digest.
    this.inputs.push(pulumi.output({ name, args }));
    return part;
  }
}
