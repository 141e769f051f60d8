/**
 * The dependents a delete-before-replace branch deletes first for a replace-forcing input of theirs taking its value from
 * the branch's resource (transition.ts forcedFrom, DEPENDENT_FORCE_NEW; pulumi step_generator.go
 * calculateDependentReplacements): a REST integration's restApi (terraform-provider-aws apigateway/integration.go:
 * ForceNew), a user pool client's userPoolId (cognitoidp/user_pool_client.go: RequiresReplace), a Lambda permission's
 * every argument (lambda/permission.go: no Update); and the sub-resources the components create: IAM role policies and
 * attachments, ACM certificate validations, S3 bucket configurations, Lambda aliases and event invoke configs, Cognito
 * groups and resource servers, EventBridge rules and targets, Kinesis stream consumers, backup selections, identity pool
 * role attachments, REST method settings, Application Auto Scaling targets and policies, metric alarms, REST base path
 * mappings, secret versions, SQS redrive allow policies, KMS replica keys, CloudFront key value stores' exclusive keys,
 * Route 53 health checks, API Gateway v2 stages, integrations, responses, models, authorizers, deployments, API mappings,
 * VPC links and routing rules (each cited in DEPENDENT_FORCE_NEW).
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { handBuilt } from "./fixture";
import { planUpdate } from "../../testing/deploy-rules";
import { DEPENDENT_FORCE_NEW } from "../../testing/deploy-rules/transition";
import { CASCADE_TYPES, POLICY_HOLDER_TYPES } from "../../testing/deploy-rules/replacements";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Of `inputs` (`*`: every input), those @pulumi/aws's `<Type>Args` of the aws `type` does not declare, as `type input`. */
function undeclaredInputs(type: string, inputs: readonly string[]): string[] {
  const [, module, file, resource] = /^aws:([^/]+)\/([^:]+):(\w+)$/.exec(type)!;
  const declarations = readFileSync(join(process.cwd(), "node_modules/@pulumi/aws", module, `${file}.d.ts`), "utf8");
  const args = new RegExp(`^export interface ${resource}Args \\{[\\s\\S]*?^\\}`, "m").exec(declarations)?.[0] ?? "";
  return inputs.filter((input) => input !== "*" && !new RegExp(`^\\s+${input}\\??: `, "m").test(args)).map((input) => `${type} ${input}`);
}

/** `r` replaced delete-first: replaceOnChanges on a changed description, with deleteBeforeReplace. */
const deleteFirst = (r: RecordedResource): [RecordedResource, RecordedResource] => {
  const old = { ...r, inputs: { ...r.inputs, description: "v1" }, replaceOnChanges: ["description"], deleteBeforeReplace: true, deleteBeforeReplaceDefined: true };
  return [old, { ...old, inputs: { ...old.inputs, description: "v2" } }];
};
/** Whether `dependent` (whose `input` takes `root`'s output) is deleted early when `root` is replaced delete-first. */
const early = (root: RecordedResource, dependent: RecordedResource, input: string, more: Partial<RecordedResource> = {}) => {
  const [old, next] = deleteFirst(root);
  const d = { ...dependent, dependencies: [root.urn], propertyDependencies: { [input]: [root.urn] }, ...more };
  return planUpdate([old, d], [next, d]).order.early.has(d.urn);
};

describe("DEPENDENT_FORCE_NEW: dependents deleted early in a delete-before-replace branch", () => {
  const api = handBuilt("aws:apigateway/restApi:RestApi", "api", { name: "api" }, { id: "a1b2c3d4e5" });
  const integration = handBuilt("aws:apigateway/integration:Integration", "get-photos", { restApi: "a1b2c3d4e5", resourceId: "r1", httpMethod: "GET", type: "AWS_PROXY", uri: "arn:aws:apigateway:us-east-1:lambda:path/fn" });
  const pool = handBuilt("aws:cognito/userPool:UserPool", "pool", { name: "pool" }, { id: "us-east-1_AbCdEf123" });
  const client = handBuilt("aws:cognito/userPoolClient:UserPoolClient", "client", { name: "web", userPoolId: "us-east-1_AbCdEf123" });
  const fn = handBuilt("aws:lambda/function:Function", "fn", { name: "fn" }, { id: "fn" });
  const permission = handBuilt("aws:lambda/permission:Permission", "fn-invoke", { function: "fn", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com" });

  it("deletes first a REST integration whose restApi, a user pool client whose userPoolId, a Lambda permission whose function is the branch's", () => {
    expect(early(api, integration, "restApi")).toBe(true);
    expect(early(pool, client, "userPoolId")).toBe(true);
    expect(early(fn, permission, "function")).toBe(true);
  });

  it("keeps them when the input is not replace-forcing (an integration's uri) or ignoreChanges holds it", () => {
    expect(early(fn, integration, "uri")).toBe(false);
    expect(early(pool, client, "userPoolId", { ignoreChanges: ["userPoolId"] })).toBe(false);
  });

  describe("IAM, ACM, S3, Lambda and Cognito dependents of a resource replaced delete-first", () => {
    const role = handBuilt("aws:iam/role:Role", "role", { name: "role", assumeRolePolicy: "{}" }, { id: "role" });
    const policy = handBuilt("aws:iam/policy:Policy", "policy", { name: "policy", policy: "{}" }, { id: "arn:aws:iam::123456789012:policy/policy" });
    const cert = handBuilt("aws:acm/certificate:Certificate", "cert", { domainName: "example.com", validationMethod: "DNS" }, { id: "arn:aws:acm:us-east-1:123456789012:certificate/1" });
    const validationRecord = handBuilt("aws:route53/record:Record", "validation", { zoneId: "Z1", name: "_x.example.com", type: "CNAME", records: ["_y.acm-validations.aws"], ttl: 60 });
    const bucket = handBuilt("aws:s3/bucket:Bucket", "bucket", { bucket: "photos-prod" }, { id: "photos-prod" });

    it("deletes first an inline role policy and a policy attachment whose role, and an attachment whose policyArn, is the branch's (iam/role_policy.go, role_policy_attachment.go)", () => {
      expect(early(role, handBuilt("aws:iam/rolePolicy:RolePolicy", "inline", { role: "role", policy: "{}" }), "role")).toBe(true);
      expect(early(role, handBuilt("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", { role: "role", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }), "role")).toBe(true);
      expect(early(policy, handBuilt("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", { role: "r", policyArn: "arn:aws:iam::123456789012:policy/policy" }), "policyArn")).toBe(true);
      // An inline policy's document is put in place (PutRolePolicy): not replace-forcing.
      expect(early(policy, handBuilt("aws:iam/rolePolicy:RolePolicy", "inline", { role: "r", policy: "{}" }), "policy")).toBe(false);
    });

    it("deletes first a certificate validation whose certificateArn or validationRecordFqdns is the branch's (acm/certificate_validation.go: no Update)", () => {
      expect(early(cert, handBuilt("aws:acm/certificateValidation:CertificateValidation", "valid", { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1" }), "certificateArn")).toBe(true);
      expect(early(validationRecord, handBuilt("aws:acm/certificateValidation:CertificateValidation", "valid", { certificateArn: "c", validationRecordFqdns: ["_x.example.com"] }), "validationRecordFqdns")).toBe(true);
    });

    it("deletes first each S3 bucket configuration whose bucket is the branch's (s3/bucket_*.go: bucket ForceNew), V2 tokens too", () => {
      for (const type of [
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketLoggingV2:BucketLoggingV2",
        "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
        "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
        "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
      ]) {
        expect(early(bucket, handBuilt(type, "conf", { bucket: "photos-prod" }), "bucket"), type).toBe(true);
      }
      // A logging configuration's target bucket is put in place (PutBucketLogging): not replace-forcing.
      expect(early(bucket, handBuilt("aws:s3/bucketLogging:BucketLogging", "conf", { bucket: "b", targetBucket: "photos-prod", targetPrefix: "logs/" }), "targetBucket")).toBe(false);
    });

    it("deletes first a Lambda alias and an event invoke config whose functionName is the branch's (lambda/alias.go, function_event_invoke_config.go)", () => {
      expect(early(fn, handBuilt("aws:lambda/alias:Alias", "live", { name: "live", functionName: "fn", functionVersion: "1" }), "functionName")).toBe(true);
      expect(early(fn, handBuilt("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "async", { functionName: "fn" }), "functionName")).toBe(true);
      // An alias's version is an UpdateAlias: not replace-forcing.
      expect(early(fn, handBuilt("aws:lambda/alias:Alias", "live", { name: "live", functionName: "f", functionVersion: "1" }), "functionVersion")).toBe(false);
    });

    it("deletes first a Cognito group and resource server whose userPoolId is the branch's (cognitoidp/user_group.go, resource_server.go)", () => {
      expect(early(pool, handBuilt("aws:cognito/userGroup:UserGroup", "admins", { name: "admins", userPoolId: "us-east-1_AbCdEf123" }), "userPoolId")).toBe(true);
      expect(early(pool, handBuilt("aws:cognito/resourceServer:ResourceServer", "api", { identifier: "api", name: "api", userPoolId: "us-east-1_AbCdEf123" }), "userPoolId")).toBe(true);
      // A group's role is an UpdateGroup: not replace-forcing.
      expect(early(role, handBuilt("aws:cognito/userGroup:UserGroup", "admins", { name: "admins", userPoolId: "p", roleArn: "arn:aws:iam::123456789012:role/role" }), "roleArn")).toBe(false);
    });

    it("deletes first an EventBridge rule whose eventBusName, a target whose rule or eventBusName, and a Kinesis consumer whose streamArn is the branch's (events/rule.go, target.go; kinesis/stream_consumer.go)", () => {
      const bus = handBuilt("aws:cloudwatch/eventBus:EventBus", "bus", { name: "orders" }, { id: "orders" });
      const rule = handBuilt("aws:cloudwatch/eventRule:EventRule", "rule", { name: "placed", eventBusName: "orders", eventPattern: "{}" }, { id: "orders/placed" });
      const target = (inputs: Record<string, unknown>) => handBuilt("aws:cloudwatch/eventTarget:EventTarget", "target", { rule: "placed", eventBusName: "orders", arn: "arn:aws:lambda:us-east-1:123456789012:function:fn", ...inputs });
      const stream = handBuilt("aws:kinesis/stream:Stream", "stream", { name: "events" }, { id: "events" });
      expect(early(bus, rule, "eventBusName")).toBe(true);
      expect(early(rule, target({}), "rule")).toBe(true);
      expect(early(bus, target({}), "eventBusName")).toBe(true);
      expect(early(stream, handBuilt("aws:kinesis/streamConsumer:StreamConsumer", "consumer", { name: "fanout", streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/events" }), "streamArn")).toBe(true);
      // A target's destination is a PutTargets in place: not replace-forcing.
      expect(early(fn, target({}), "arn")).toBe(false);
    });

    it("deletes first a backup selection whose plan, role or resources, an identity pool's role attachment whose pool or roles, and REST method settings whose stage is the branch's (backup/selection.go: no Update; cognitoidentity/pool_roles_attachment.go; apigateway/method_settings.go)", () => {
      const plan = handBuilt("aws:backup/plan:Plan", "plan", { name: "daily" }, { id: "plan-1" });
      const table = handBuilt("aws:dynamodb/table:Table", "table", { name: "orders", hashKey: "pk" }, { id: "orders" });
      const selection = handBuilt("aws:backup/selection:Selection", "sel", { name: "tables", planId: "plan-1", iamRoleArn: "arn:aws:iam::123456789012:role/role", resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"] });
      expect(early(plan, selection, "planId")).toBe(true);
      expect(early(role, selection, "iamRoleArn")).toBe(true);
      expect(early(table, selection, "resources")).toBe(true);
      const identityPool = handBuilt("aws:cognito/identityPool:IdentityPool", "ids", { identityPoolName: "ids" }, { id: "us-east-1:0000" });
      const attachment = handBuilt("aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment", "roles", { identityPoolId: "us-east-1:0000", roles: { authenticated: "arn:aws:iam::123456789012:role/role" } });
      expect(early(identityPool, attachment, "identityPoolId")).toBe(true);
      expect(early(role, attachment, "roles")).toBe(true);
      // Role mappings are a SetIdentityPoolRoles in place: not replace-forcing.
      expect(early(role, attachment, "roleMappings")).toBe(false);
      const stage = handBuilt("aws:apigateway/stage:Stage", "stage", { restApi: "a1b2c3d4e5", stageName: "prod", deployment: "d1" }, { id: "ags-a1b2c3d4e5-prod" });
      const settings = handBuilt("aws:apigateway/methodSettings:MethodSettings", "all", { restApi: "a1b2c3d4e5", stageName: "prod", methodPath: "*/*", settings: { metricsEnabled: true } });
      expect(early(stage, settings, "stageName")).toBe(true);
      expect(early(api, settings, "restApi")).toBe(true);
      expect(early(fn, settings, "settings")).toBe(false);
    });

    it("deletes first an auto scaling target and policy whose resourceId, an alarm whose name, a base path mapping whose domainName, a secret version whose secretId, and a redrive allow policy whose queueUrl is the branch's (appautoscaling/target.go, policy.go; cloudwatch/metric_alarm.go; apigateway/base_path_mapping.go; secretsmanager/secret_version.go; sqs/queue_redrive_allow_policy.go)", () => {
      const table = handBuilt("aws:dynamodb/table:Table", "table", { name: "orders", hashKey: "pk" }, { id: "orders" });
      const target = handBuilt("aws:appautoscaling/target:Target", "read", { resourceId: "table/orders", scalableDimension: "dynamodb:table:ReadCapacityUnits", serviceNamespace: "dynamodb", minCapacity: 1, maxCapacity: 10 });
      const scaling = handBuilt("aws:appautoscaling/policy:Policy", "read", { name: "read", resourceId: "table/orders", scalableDimension: "dynamodb:table:ReadCapacityUnits", serviceNamespace: "dynamodb", policyType: "TargetTrackingScaling" });
      expect(early(table, target, "resourceId")).toBe(true);
      expect(early(table, scaling, "resourceId")).toBe(true);
      // A target's capacities are a RegisterScalableTarget in place: not replace-forcing.
      expect(early(table, target, "maxCapacity")).toBe(false);
      // Pulumi names the provider's alarm_name `name` (@pulumi/aws cloudwatch/metricAlarm.d.ts MetricAlarmArgs has no
      // `alarmName`): an entry keyed `alarmName` would never match a recorded input.
      const alarm = handBuilt("aws:cloudwatch/metricAlarm:MetricAlarm", "errors", { name: "fn-errors", comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts"] });
      expect(early(fn, alarm, "name")).toBe(true);
      // Its actions and dimensions are a PutMetricAlarm in place.
      expect(early(fn, alarm, "dimensions")).toBe(false);
      const domain = handBuilt("aws:apigateway/domainName:DomainName", "domain", { domainName: "api.example.com" }, { id: "api.example.com" });
      const mapping = handBuilt("aws:apigateway/basePathMapping:BasePathMapping", "mapping", { domainName: "api.example.com", restApi: "a1b2c3d4e5", stageName: "prod" });
      expect(early(domain, mapping, "domainName")).toBe(true);
      // Its API and stage are an UpdateBasePathMapping patch in place.
      expect(early(api, mapping, "restApi")).toBe(false);
      const secret = handBuilt("aws:secretsmanager/secret:Secret", "secret", { name: "db" }, { id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" });
      const version = handBuilt("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", secretString: "x" });
      expect(early(secret, version, "secretId")).toBe(true);
      expect(early(fn, version, "secretString")).toBe(true);
      // Its version stages are an UpdateSecretVersionStage in place.
      expect(early(fn, version, "versionStages")).toBe(false);
      const queue = handBuilt("aws:sqs/queue:Queue", "dlq", { name: "dlq" }, { id: "https://sqs.us-east-1.amazonaws.com/123456789012/dlq" });
      const allow = handBuilt("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "allow", { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/dlq", redriveAllowPolicy: "{}" });
      expect(early(queue, allow, "queueUrl")).toBe(true);
      // The policy document is a SetQueueAttributes in place.
      expect(early(queue, allow, "redriveAllowPolicy")).toBe(false);
    });

    it("deletes first a KMS replica key whose primaryKeyArn, and a CloudFront key value store's exclusive keys whose keyValueStoreArn is the branch's (kms/replica_key.go; cloudfrontkeyvaluestore/keys_exclusive.go)", () => {
      const key = handBuilt("aws:kms/key:Key", "key", { description: "secret", multiRegion: true }, { id: "mrk-1234abcd12ab34cd56ef1234567890ab" });
      const replica = handBuilt("aws:kms/replicaKey:ReplicaKey", "replica", { primaryKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab", description: "replica" });
      expect(early(key, replica, "primaryKeyArn")).toBe(true);
      // A replica's policy is a PutKeyPolicy in place.
      expect(early(fn, replica, "policy")).toBe(false);
      const store = handBuilt("aws:cloudfront/keyValueStore:KeyValueStore", "kvs", { name: "kvs", comment: "flags" }, { id: "kvs" });
      const keys = handBuilt("aws:cloudfront/keyvaluestoreKeysExclusive:KeyvaluestoreKeysExclusive", "keys", { keyValueStoreArn: "arn:aws:cloudfront::123456789012:key-value-store/kvs", resourceKeyValuePairs: [{ key: "a", value: "1" }] });
      expect(early(store, keys, "keyValueStoreArn")).toBe(true);
    });

    it("deletes first a Route 53 health check whose referenceName is the branch's, not one whose fqdn is (route53/health_check.go)", () => {
      const distribution = handBuilt("aws:cloudfront/distribution:Distribution", "cdn", { comment: "site" }, { id: "E2QWRUHAPOMQZL" });
      const check = handBuilt("aws:route53/healthCheck:HealthCheck", "health", { type: "HTTPS", fqdn: "d111111abcdef8.cloudfront.net", port: 443, resourcePath: "/", referenceName: "site" });
      expect(early(distribution, check, "referenceName")).toBe(true);
      // Its fqdn, port and path are an UpdateHealthCheck in place.
      expect(early(distribution, check, "fqdn")).toBe(false);
    });
  });

  it("deletes first the API Gateway v2 parts whose apiId, an integration or route response whose integrationId or routeId, an API mapping whose domainName is the branch's, not a route whose target is (apigatewayv2/*.go)", () => {
    const httpApi = handBuilt("aws:apigatewayv2/api:Api", "http", { name: "http", protocolType: "HTTP" }, { id: "a1b2c3d4e5" });
    const ofApi = (type: string, name: string, inputs: Record<string, unknown>) => handBuilt(type, name, { apiId: "a1b2c3d4e5", ...inputs });
    const stage = ofApi("aws:apigatewayv2/stage:Stage", "prod", { name: "prod", autoDeploy: true });
    const integration = ofApi("aws:apigatewayv2/integration:Integration", "photos", { integrationType: "AWS_PROXY", integrationUri: "arn:aws:lambda:us-east-1:123456789012:function:fn" });
    const route = ofApi("aws:apigatewayv2/route:Route", "get-photos", { routeKey: "GET /photos", target: "integrations/i1" });
    for (const part of [
      stage,
      integration,
      ofApi("aws:apigatewayv2/model:Model", "photo", { name: "Photo", contentType: "application/json", schema: "{}" }),
      ofApi("aws:apigatewayv2/authorizer:Authorizer", "jwt", { name: "jwt", authorizerType: "JWT" }),
      ofApi("aws:apigatewayv2/deployment:Deployment", "deploy", { triggers: { routes: "h1" } }),
      ofApi("aws:apigatewayv2/apiMapping:ApiMapping", "mapping", { domainName: "api.example.com", stage: "prod" }),
    ]) {
      expect(early(httpApi, part, "apiId"), part.type).toBe(true);
    }
    const integrationResponse = ofApi("aws:apigatewayv2/integrationResponse:IntegrationResponse", "ok", { integrationId: "i1", integrationResponseKey: "/200/" });
    const routeResponse = ofApi("aws:apigatewayv2/routeResponse:RouteResponse", "ok", { routeId: "r1", routeResponseKey: "$default" });
    expect(early(integration, integrationResponse, "integrationId")).toBe(true);
    expect(early(route, routeResponse, "routeId")).toBe(true);
    // A deployment whose triggers hash a route replaced delete-first goes with it.
    expect(early(route, ofApi("aws:apigatewayv2/deployment:Deployment", "deploy", { triggers: { routes: "h1" } }), "triggers")).toBe(true);
    const domain = handBuilt("aws:apigatewayv2/domainName:DomainName", "domain", { domainName: "api.example.com" }, { id: "api.example.com" });
    expect(early(domain, ofApi("aws:apigatewayv2/apiMapping:ApiMapping", "mapping", { domainName: "api.example.com", stage: "prod" }), "domainName")).toBe(true);
    expect(early(domain, handBuilt("aws:apigatewayv2/routingRule:RoutingRule", "rule", { domainName: "api.example.com", priority: 1, actions: [], conditions: [] }), "domainName")).toBe(true);
    const securityGroup = handBuilt("aws:ec2/securityGroup:SecurityGroup", "link-sg", { name: "link" }, { id: "sg-0123456789abcdef0" });
    expect(early(securityGroup, handBuilt("aws:apigatewayv2/vpcLink:VpcLink", "link", { name: "link", securityGroupIds: ["sg-0123456789abcdef0"], subnetIds: ["subnet-1"] }), "securityGroupIds")).toBe(true);
    // In place: a route's target (UpdateRoute), a stage's deployment (UpdateStage), an API mapping's stage (UpdateApiMapping).
    expect(early(integration, route, "target")).toBe(false);
    expect(early(httpApi, stage, "deploymentId")).toBe(false);
    expect(early(stage, ofApi("aws:apigatewayv2/apiMapping:ApiMapping", "mapping", { domainName: "d", stage: "prod" }), "stage")).toBe(false);
  });

  it("reads every table that knows a type: a bucket's objectLockEnabled (its stateful kind's, not its named kind's) is replace-forcing too", () => {
    const config = handBuilt("aws:ssm/parameter:Parameter", "lock", { name: "lock", type: "String", value: "true" }, { id: "lock" });
    const bucket = handBuilt("aws:s3/bucket:Bucket", "archive", { objectLockEnabled: true });
    expect(early(config, bucket, "objectLockEnabled")).toBe(true);
    // Its tags are updated in place.
    expect(early(config, bucket, "tags")).toBe(false);
  });

  describe("an HTTP or WebSocket API (aws.apigatewayv2.Api) is replaced for its ForceNew inputs (apigatewayv2/api.go), not only through replaceOnChanges", () => {
    const api = (inputs: Record<string, unknown>, more: Partial<RecordedResource> = {}) => handBuilt("aws:apigatewayv2/api:Api", "chat", { name: "chat", protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action", ...inputs }, { id: "a1b2c3d4e5", ...more });
    const replaced = (before: RecordedResource, after: RecordedResource) => planUpdate([before], [after]).replaced(before.urn);

    it("replaces it when protocolType, or a quick-create target, routeKey or credentialsArn changes; not for a name or description (UpdateApi)", () => {
      expect(replaced(api({}), api({ protocolType: "HTTP" }))).toBe(true);
      const quick = api({ protocolType: "HTTP", target: "arn:aws:lambda:us-east-1:123456789012:function:a", routeKey: "GET /" });
      expect(replaced(quick, { ...quick, inputs: { ...quick.inputs, target: "arn:aws:lambda:us-east-1:123456789012:function:b" } })).toBe(true);
      expect(replaced(quick, { ...quick, inputs: { ...quick.inputs, routeKey: "POST /" } })).toBe(true);
      expect(replaced(quick, { ...quick, inputs: { ...quick.inputs, credentialsArn: "arn:aws:iam::123456789012:role/invoke" } })).toBe(true);
      expect(replaced(api({}), api({ name: "chat-2", description: "v2" }))).toBe(false);
    });

    it("deletes its stage first when a name set by hand makes the bridge replace it delete-first (pulumi-aws autonames `name`)", () => {
      const stage = handBuilt("aws:apigatewayv2/stage:Stage", "prod", { apiId: "a1b2c3d4e5", name: "prod" }, { dependencies: [api({}).urn], propertyDependencies: { apiId: [api({}).urn] } });
      expect(planUpdate([api({}), stage], [api({ protocolType: "HTTP" }), stage]).order.early.has(stage.urn)).toBe(true);
      // Replaced create-first (deleteBeforeReplace: false): no branch, the stage is replaced when it registers.
      expect(planUpdate([api({}), stage], [api({ protocolType: "HTTP" }, { deleteBeforeReplace: false, deleteBeforeReplaceDefined: true }), stage]).order.early.has(stage.urn)).toBe(false);
    });

    it("deletes it first when its quick-create target is a function replaced delete-first", () => {
      const fn = handBuilt("aws:lambda/function:Function", "fn", { name: "fn" }, { id: "fn" });
      expect(early(fn, api({ protocolType: "HTTP", target: "arn:aws:lambda:us-east-1:123456789012:function:fn" }), "target")).toBe(true);
      expect(early(fn, api({ protocolType: "HTTP", description: "fn" }), "description")).toBe(false);
    });
  });

  it("names only inputs @pulumi/aws declares for each type (or `*`): a provider argument Pulumi renames (alarm_name: `name`) would never match", () => {
    const undeclared = Object.entries(DEPENDENT_FORCE_NEW).flatMap(([type, inputs]) => undeclaredInputs(type, inputs));
    expect(Object.keys(DEPENDENT_FORCE_NEW).length).toBeGreaterThan(0);
    expect(undeclared).toEqual([]);
  });

  it("the replace-forcing tables of the cascade and of policy holders name only inputs @pulumi/aws declares for each aws type", () => {
    const kinds = [...CASCADE_TYPES, ...POLICY_HOLDER_TYPES].filter((kind) => kind.type.startsWith("aws:"));
    expect(kinds.map((kind) => kind.type)).toContain("aws:apigatewayv2/api:Api");
    expect(kinds.flatMap((kind) => undeclaredInputs(kind.type, [...kind.replaceOn, ...(kind.replaceWhenSet ?? [])]))).toEqual([]);
  });
});
