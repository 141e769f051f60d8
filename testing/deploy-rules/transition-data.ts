/**
 * Transition checks of the data components' stores that the engine's diff cannot show (review 90).
 *
 * TransitionTableKeyRemoved: a DynamoDB table updated in place whose deployed `serverSideEncryption.kmsKeyArn` (a
 * customer managed key) is gone from the new plan. terraform-provider-aws internal/service/dynamodb/table.go declares
 * `server_side_encryption.kms_key_arn` Optional and Computed, and its read stores the table's customer key ARN (only
 * the AWS managed key is cleared, `clearSSEDefaultKey`), so an unset value keeps the state's ARN: no diff, no
 * UpdateTable, and the table stays on the customer key (hashicorp/terraform#35540, "dynamodb sse change doesn't get
 * planned when from customer managed kms to aws managed kms"; hashicorp/terraform-provider-aws#29811, open: "The same
 * also applies to `kms_key_arn`"). Deleting that key later, believing it unused, makes the table unreadable.
 * **Inferred:** that pulumi-aws's bridge keeps an unset Optional+Computed input at its state value as Terraform does (not
 * re-read in pulumi-aws). A key changed to another ARN re-keys in place (UpdateTable SSESpecification) and is not this
 * check's; a replaced table (TransitionStatefulReplaced's) is created on the key the program gives.
 *
 * A deployed plan that does not hold the table's `serverSideEncryption` (a saved plan keeps only the inputs the
 * transition checks listed when it was saved) is not judged.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding as deployFinding, type DeployRuleContext } from "./rule";
import { TRANSITION_STATEFUL_TYPES, type SavedResource, type TransitionFinding } from "./transition";

export const TRANSITION_TABLE_KEY_REMOVED_RULE = {
  id: "TransitionTableKeyRemoved",
  title: "A table's customer managed key is not dropped from the program as if that re-keyed the table",
  source: "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/dynamodb/table.go",
} as const;

/** The rules of this file, as PLAN_TRANSITION_RULES lists transition rules (id, title, source). */
export const TRANSITION_DATA_RULES = [TRANSITION_TABLE_KEY_REMOVED_RULE] as const;

const TABLE = "aws:dynamodb/table:Table";
const TABLE_KIND = TRANSITION_STATEFUL_TYPES.find((kind) => kind.type === TABLE)!;

const keyOf = (r: RecordedResource): string | undefined => {
  const arn = r.inputs.serverSideEncryption?.kmsKeyArn;
  return typeof arn === "string" && arn !== "" ? arn : undefined;
};

/** Whether the deployed plan holds `input` of `r` (a recording holds all; a saved plan the inputs it lists). */
const holds = (r: RecordedResource, input: string): boolean => {
  const saved = (r as SavedResource).savedInputs;
  return saved === undefined || saved.includes("*") || saved.includes(input);
};

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Whether the update replaces `table` (a replace-forcing input of the table's stateful kind changes, or its region). */
function replaced(old: RecordedResource, table: RecordedResource): boolean {
  if ([...TABLE_KIND.replaceOn, "region"].some((input) => !same(old.inputs[input], table.inputs[input]))) return true;
  return TABLE_KIND.replaceWhenSet.some((input) => table.inputs[input] !== undefined && !same(old.inputs[input], table.inputs[input]));
}

/** How a finding names the table: its DataTier and key when a DataTier built it. */
function tableLabel(graph: Graph, table: RecordedResource): string {
  const owner = graph.find((c) => c.urn === table.parent && !c.custom);
  if (owner?.type.endsWith(":DataTier") && table.name.startsWith(`${owner.name}-`)) return `DataTier "${owner.name}" table ${table.name.slice(owner.name.length + 1)}`;
  return `DynamoDB table ${table.name}`;
}

/** TransitionTableKeyRemoved's findings: see the file's comment. */
export function tableKeyRemovedFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const table of ofType(after, TABLE)) {
    const old = deployedByUrn.get(table.urn);
    if (!old || !holds(old, "serverSideEncryption")) continue;
    const was = keyOf(old);
    if (was === undefined || keyOf(table) !== undefined || replaced(old, table)) continue;
    // An ignoreChanges on the encryption keeps the deployed value on purpose.
    if ((table.ignoreChanges ?? []).some((path) => path === "serverSideEncryption" || path.startsWith("serverSideEncryption."))) continue;
    const physical = typeof table.inputs.name === "string" ? table.inputs.name : (old.state?.name ?? "<table name>");
    findings.push({
      ...deployFinding(
        TRANSITION_TABLE_KEY_REMOVED_RULE.id,
        table,
        `${tableLabel(after, table)}: kmsKeyArn (serverSideEncryption.kmsKeyArn) was removed, but the provider keeps the deployed key (kms_key_arn is Optional and Computed in terraform-provider-aws dynamodb/table.go, and its read stores a customer key's ARN): \`pulumi up\` changes nothing and the table stays encrypted with ${was}. Deleting that key (or scheduling its deletion) would make the table unreadable`,
        `to go back to the AWS managed key, run \`aws dynamodb update-table --table-name ${physical} --sse-specification Enabled=true,SSEType=KMS\` (no KMSMasterKeyId: "you should only provide this parameter if the key is different from the default DynamoDB key alias/aws/dynamodb", SSESpecification), wait until \`aws dynamodb describe-table --table-name ${physical}\` shows SSEDescription with the AWS managed key, then remove kmsKeyArn and run \`pulumi refresh\`; keep the old key until then. Or keep kmsKeyArn as deployed`,
        stack,
      ),
      urn: table.urn,
    });
  }
  return findings;
}

/** Every finding of this file's transition checks, for a stack deployed with plan `before` updated to plan `after`. */
export function checkDataTransition(before: Graph, after: Graph, context: Partial<Pick<DeployRuleContext, "stack">> = {}): TransitionFinding[] {
  return tableKeyRemovedFindings(before, after, context.stack);
}
