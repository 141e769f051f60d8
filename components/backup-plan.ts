/**
 * BackupPlan: AWS Backup beside point-in-time recovery — a daily backup of the given resources (DataTier's
 * tables) into a vault encrypted with its own rotating KMS key, kept for `retentionDays`, optionally copied to a
 * vault in another region and optionally under a vault lock (WORM). PITR covers the last 35 days of one table in
 * its region; a plan keeps independent, immutable-if-locked copies for as long as asked, elsewhere if asked.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { argFailer, type ArgFailure } from "./errors";
import { assumeRolePolicy } from "./iam";
import { type KnownRegion, regionSource, regionWhereCreated, validateRegionArg, validateRegionName } from "./region";
import { parseScheduleExpression, ScheduleExpressionError, shortestIntervalMinutes } from "./schedule-expression";

/** An AWS Backup vault lock: recovery points kept at least (and at most) so long, in governance or compliance mode. */
export interface BackupVaultLock {
  /** Recovery points in the vault are kept at least this long; backups with a shorter lifecycle fail. */
  minRetentionDays: number;
  /** …and at most this long (AWS Backup takes up to 36500 days); backups with a longer lifecycle fail. @default no maximum */
  maxRetentionDays?: number;
  /**
   * Days until the lock becomes immutable (compliance mode: then nobody, root included, can delete the recovery points,
   * the lock or the vault before they expire, and nobody can change the lock's numbers); at least 3. Unset, the lock
   * stays changeable (governance mode).
   * @default unset (governance mode)
   */
  changeableForDays?: number;
}

/** Arguments of BackupPlan. */
export interface BackupPlanArgs {
  /** ARNs of what to back up, e.g. DataTier's `tables.<name>.arn`. */
  resources: pulumi.Input<string>[];
  /**
   * When backups start: an AWS cron expression, in UTC — `cron(minutes hours day-of-month month day-of-week year)`,
   * six fields with `?` in day-of-month or day-of-week, e.g. `"cron(0 5 ? * * *)"` (daily at 05:00) or
   * `"cron(0 * ? * * *)"` (hourly). AWS Backup takes no `rate()` or `at()`, and starts snapshot backups at most hourly,
   * so an expression whose starts are under 60 minutes apart is refused.
   * @default "cron(0 5 ? * * *)" (daily at 05:00 UTC)
   */
  schedule?: string;
  /** Days each recovery point (and each copy) is kept. @default 35 */
  retentionDays?: number;
  /** A region whose vault gets a copy of every backup, kept as long. @default none */
  copyRegion?: string;
  /**
   * A vault lock on the vaults (WORM). A governance lock (no `changeableForDays`) follows the program: changing it
   * replaces it (delete first), removing it deletes it, and a destroy that keeps the vaults keeps it. A compliance lock
   * (`changeableForDays`) is frozen from its lock date: AWS then refuses PutBackupVaultLockConfiguration and
   * DeleteBackupVaultLockConfiguration ("On and after the lock date, the Vault Lock becomes immutable and cannot be
   * changed or deleted",
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-backup-backupvault-lockconfigurationtype.html),
   * so its minimum, maximum and `changeableForDays`, and with them `retentionDays` within that range, can no longer
   * change: every lock field replaces the lock, and the replacement's Put is refused. Change them before the lock date,
   * or move to new vaults (a new BackupPlan name).
   * @default none
   */
  vaultLock?: BackupVaultLock;
  /** The role AWS Backup assumes. @default a role with the AWS managed policies AWSBackupServiceRolePolicyForBackup and ...ForRestores */
  roleArn?: pulumi.Input<string>;
  /** Region of the plan and its vault (where the resources are). @default the provider's region */
  region?: string;
  /**
   * Keep the vaults and their keys when the plan leaves the program (recovery points outlive it). Prod should.
   * Kept vault names then end in a random suffix, so the next deployment after a destroy does not collide with them.
   * @default false
   */
  retainOnDelete?: boolean;
}

export interface BackupPlanSpec {
  name: string;
  /** The home vault's name, `<project>-<stack>-<name>`; with retainOnDelete, the readable start of it (the `vaultName` output is the full name). */
  vaultName: string;
  schedule: string;
  retentionDays: number;
  copyRegion?: string;
  vaultLock?: BackupVaultLock;
  region?: string;
  retainOnDelete: boolean;
}

/**
 * AWS Backup's rules. Vault names: "^[a-zA-Z0-9\-\_]{2,50}$" and rule names "^[a-zA-Z0-9\-\_\.]{1,50}$"
 * (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html). Vault lock: "you must set
 * ChangeableForDays to 3 or greater", and a backup or copy job whose retention is outside the lock's minimum and maximum
 * fails (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-backup-backupvault-lockconfigurationtype.html).
 * Schedule: ScheduleExpression is "A cron expression in UTC specifying when Backup initiates a backup job. … For more
 * information about Amazon Web Services cron expressions, see Schedule Expressions for Rules in the Amazon CloudWatch
 * Events User Guide" — the six-field EventBridge cron that components/schedule-expression.ts parses; its examples are
 * "15 * ? * * *" and "0 12 * * ? *" (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html). At
 * most hourly: "You can also create a cron expression that creates snapshot backups as frequently as hourly. Using the
 * AWS Backup CLI, you can schedule snapshot backups as frequently as hourly."
 * (https://docs.aws.amazon.com/aws-backup/latest/devguide/plan-options-and-configuration.html); the refusal text seen
 * for a faster cron is "The interval between backup jobs shouldn't be less than 60 minutes." (re:Post,
 * https://repost.aws/questions/QUwYlivOoWTHi1nSuSGjTVFg, not an API-reference sentence).
 */
export const BACKUP_LIMITS = {
  vaultName: /^[a-zA-Z0-9_-]{2,50}$/,
  vaultNameLength: 50,
  ruleName: /^[a-zA-Z0-9_.-]{1,50}$/,
  minChangeableForDays: 3,
  /**
   * Vault lock retention, PutBackupVaultLockConfiguration: "The shortest minimum retention period you can specify is 1
   * day" (MinRetentionDays) and "The longest maximum retention period you can specify is 36500 days (approximately 100
   * years)" (MaxRetentionDays), https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html
   * (read in the AWS CLI reference generated from the same model, put-backup-vault-lock-configuration; aws-cdk's
   * aws-backup vault.ts refuses a maxRetention over 36500 days the same way). terraform-provider-aws checks neither
   * (internal/service/backup/vault_lock_configuration.go validates only changeable_for_days, IntAtLeast(3)), so a
   * larger maximum passes `pulumi preview` and fails at `pulumi up`. No upper bound is documented for MinRetentionDays
   * (beyond the maximum, when set) or ChangeableForDays: none is enforced here.
   */
  minRetentionDays: 1,
  maxRetentionDays: 36_500,
  minScheduleIntervalMinutes: 60,
} as const;

/** Lowercase letters and digits (a random.RandomString kept in state) ending a retained vault's name. */
export const VAULT_SUFFIX_LENGTH = 6;

/** The AWS managed policies a created role gets (service-role path). */
export const BACKUP_SERVICE_POLICIES = ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"];
export const BACKUP_RULE_NAME = "daily";


/** A cron expression AWS Backup takes: parsed as LambdaFunction's schedules are, starts at least an hour apart (BACKUP_LIMITS). */
function validateSchedule(fail: ArgFailure, schedule: string): void {
  const notCron = "is not an AWS Backup cron expression";
  const fix = 'Use a cron expression, e.g. "cron(0 5 ? * * *)" (daily at 05:00 UTC) or "cron(0 * ? * * *)" (hourly): six fields, minutes hours day-of-month month day-of-week year, with ? in day-of-month or day-of-week (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).';
  if (typeof schedule !== "string" || !/^cron\(.*\)$/.test(schedule.trim())) fail("schedule", schedule, `${notCron}: AWS Backup schedules only by cron(...)`, fix);
  let parsed;
  try {
    parsed = parseScheduleExpression(schedule);
  } catch (error) {
    if (!(error instanceof ScheduleExpressionError)) throw error;
    return fail("schedule", schedule, `${notCron}: it ${error.message}`, fix);
  }
  const apart = shortestIntervalMinutes(parsed);
  if (apart < BACKUP_LIMITS.minScheduleIntervalMinutes) {
    fail("schedule", schedule, `starts backup jobs ${apart} minute${apart === 1 ? "" : "s"} apart; AWS Backup schedules snapshot backups at most hourly`, 'Start at most once an hour, e.g. "cron(0 * ? * * *)" (hourly) or "cron(0 5 ? * * *)" (daily at 05:00 UTC).');
  }
}

/** `homeRegion`: where the plan and its vault are, when known (see regionWhereCreated). */
/**
 * A backup selection's Resources: "The maximum number of ARNs is 500 without wildcards, or 30 ARNs with wildcards."
 * (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html). CreateBackupSelection refuses more
 * at `pulumi up`, after the vault and plan exist. An ARN that is an Output (a table's `arn`) is counted as one without a
 * wildcard: a resource's own ARN has none.
 */
export const BACKUP_SELECTION_ARNS = { plain: 500, withWildcards: 30 } as const;
const SELECTION_QUOTE = `"The maximum number of ARNs is ${BACKUP_SELECTION_ARNS.plain} without wildcards, or ${BACKUP_SELECTION_ARNS.withWildcards} ARNs with wildcards"`;

function validateSelectionSize(fail: ArgFailure, resources: pulumi.Input<string>[]): void {
  const wildcards = resources.filter((arn) => typeof arn === "string" && arn.includes("*")).length;
  if (wildcards > 0 && resources.length > BACKUP_SELECTION_ARNS.withWildcards) {
    fail("resources", `${resources.length} ARNs, ${wildcards} with a wildcard`, `is over the ${BACKUP_SELECTION_ARNS.withWildcards} ARNs AWS Backup takes in one selection when any has a wildcard (${SELECTION_QUOTE})`,
      "Cover more tables with each wildcard, or split the resources over two BackupPlans.");
  } else if (resources.length > BACKUP_SELECTION_ARNS.plain) {
    // The first literal ARN with its trailing digits made a wildcard, e.g. ".../table/tenant-0" → ".../table/tenant-*".
    const first = resources.find((arn): arn is string => typeof arn === "string");
    const example = first ? `${first.replace(/[0-9]+$/, "")}*` : "arn:aws:dynamodb:<region>:<account>:table/<prefix>*";
    fail("resources", `${resources.length} ARNs`, `is over the ${BACKUP_SELECTION_ARNS.plain} ARNs AWS Backup takes in one selection (${SELECTION_QUOTE})`,
      `Select by a wildcard ARN (e.g. "${example}"), or split the resources over two BackupPlans.`);
  }
}

function validate(fail: ArgFailure, name: string, args: BackupPlanArgs, vaultName: string, homeRegion: KnownRegion): void {
  validateRegionArg(fail, "region", args.region);
  if (!Array.isArray(args.resources) || args.resources.length === 0) fail("resources", args.resources, "is empty", "List the ARNs to back up, e.g. Object.values(data.tables).map((t) => t.arn).");
  else validateSelectionSize(fail, args.resources);
  if (args.schedule !== undefined) validateSchedule(fail, args.schedule);
  const retention = args.retentionDays ?? 35;
  if (!Number.isInteger(retention) || retention < 1) fail("retentionDays", args.retentionDays, "is not a whole number of days", "Use 1 or more, e.g. 35.");
  if (args.copyRegion !== undefined) {
    validateRegionName(fail, "copyRegion", args.copyRegion);
    if (args.copyRegion === homeRegion.region) {
      fail("copyRegion", args.copyRegion, `is the plan's own region${regionSource(homeRegion)}; a copy there protects against nothing a second region would`, "Pick another region, e.g. a DataTier replica region.");
    }
  }
  if (!BACKUP_LIMITS.vaultName.test(vaultName)) {
    fail("name", name, `makes the vault name "${vaultName}", which AWS Backup refuses (2–50 letters, digits, - and _)`, "Use a shorter component name of letters, digits and hyphens.");
  }
  const lock = args.vaultLock;
  if (!lock) return;
  if (!Number.isInteger(lock.minRetentionDays) || lock.minRetentionDays < BACKUP_LIMITS.minRetentionDays) fail("vaultLock.minRetentionDays", lock.minRetentionDays, "is not a whole number of days", "Use 1 or more.");
  if (lock.maxRetentionDays !== undefined && lock.maxRetentionDays > BACKUP_LIMITS.maxRetentionDays) {
    fail("vaultLock.maxRetentionDays", lock.maxRetentionDays, `is over the ${BACKUP_LIMITS.maxRetentionDays} days (about 100 years) AWS Backup takes as a vault lock's maximum retention, so PutBackupVaultLockConfiguration would fail`,
      `Use at most ${BACKUP_LIMITS.maxRetentionDays}, or leave it unset for no maximum.`);
  }
  if (lock.maxRetentionDays !== undefined && (!Number.isInteger(lock.maxRetentionDays) || lock.maxRetentionDays < lock.minRetentionDays)) {
    fail("vaultLock.maxRetentionDays", lock.maxRetentionDays, `is below minRetentionDays ${lock.minRetentionDays}`, "Use a maximum at least as long as the minimum.");
  }
  if (lock.changeableForDays !== undefined && (!Number.isInteger(lock.changeableForDays) || lock.changeableForDays < BACKUP_LIMITS.minChangeableForDays)) {
    fail("vaultLock.changeableForDays", lock.changeableForDays, "is under 3; AWS Backup enforces a 72-hour cooling-off period before a lock becomes immutable", "Use 3 or more, or leave it unset for a lock that stays changeable (governance mode).");
  }
  if (retention < lock.minRetentionDays || (lock.maxRetentionDays !== undefined && retention > lock.maxRetentionDays)) {
    fail("retentionDays", retention, `is outside the vault lock's ${lock.minRetentionDays}–${lock.maxRetentionDays ?? "∞"} days, so every backup job would fail`, "Keep retentionDays within vaultLock.minRetentionDays and maxRetentionDays.");
  }
  if (lock.changeableForDays !== undefined && !args.retainOnDelete) {
    fail("retainOnDelete", args.retainOnDelete, "is false with a compliance-mode vault lock (changeableForDays); once locked, the vault cannot be deleted until its recovery points expire, so a destroy would fail", "Set retainOnDelete: true.");
  }
}

/**
 * AWS Backup beside point-in-time recovery: a daily backup of the given resources (DataTier's tables) into a
 * vault with its own rotating KMS key, kept `retentionDays`, optionally copied to another region and locked (WORM).
 *
 * @example
 * new BackupPlan("backup", { resources: Object.values(data.tables).map((t) => t.arn), retentionDays: 35, copyRegion: "us-west-2", retainOnDelete: true });
 */
export class BackupPlan extends pulumi.ComponentResource {
  readonly spec: BackupPlanSpec;
  readonly vaultName: pulumi.Output<string>;
  readonly nodes: {
    readonly plan: aws.backup.Plan;
    readonly vault: aws.backup.Vault;
    readonly key: aws.kms.Key;
    readonly copyVault?: aws.backup.Vault;
    readonly copyKey?: aws.kms.Key;
    readonly selection: aws.backup.Selection;
    readonly role?: aws.iam.Role;
    readonly locks: readonly aws.backup.VaultLockConfiguration[];
  };

  constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:BackupPlan", name, {}, opts);
    const vaultName = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
    validate(argFailer("BackupPlan", name), name, args, vaultName, regionWhereCreated(args.region, this, "aws:backup/vault:Vault"));
    this.spec = {
      name,
      vaultName,
      schedule: args.schedule?.trim() ?? "cron(0 5 ? * * *)",
      retentionDays: args.retentionDays ?? 35,
      copyRegion: args.copyRegion,
      vaultLock: args.vaultLock,
      region: args.region,
      retainOnDelete: args.retainOnDelete ?? false,
    };

    const home = this.createVault(`${name}`, this.spec.vaultName, this.spec.region);
    const copy = this.spec.copyRegion ? this.createVault(`${name}-copy`, `${this.spec.vaultName}-copy`, this.spec.copyRegion) : undefined;
    const lifecycle = { deleteAfter: this.spec.retentionDays };
    const plan = new aws.backup.Plan(
      `${name}-plan`,
      {
        region: this.spec.region,
        rules: [
          {
            ruleName: BACKUP_RULE_NAME,
            targetVaultName: home.vault.name,
            schedule: this.spec.schedule,
            lifecycle,
            copyActions: copy ? [{ destinationVaultArn: copy.vault.arn, lifecycle }] : undefined,
          },
        ],
      },
      // A lock must hold before the first job writes a recovery point the lock is meant to protect.
      { parent: this, dependsOn: [...home.locks, ...(copy?.locks ?? [])] },
    );
    const role = args.roleArn ? undefined : this.createRole(name);
    const selection = new aws.backup.Selection(
      `${name}-selection`,
      { planId: plan.id, iamRoleArn: args.roleArn ?? role!.role.arn, resources: args.resources, region: this.spec.region },
      // CreateBackupSelection checks that AWS Backup may use the role ("IAM Role … is not authorized to call
      // tag:GetResources", retried by the provider only for IAM propagation: terraform-provider-aws
      // internal/service/backup/selection.go), so the role's policies come first, not beside it.
      { parent: this, dependsOn: role?.attachments ?? [] },
    );

    this.nodes = { plan, vault: home.vault, key: home.key, copyVault: copy?.vault, copyKey: copy?.key, selection, role: role?.role, locks: [...home.locks, ...(copy?.locks ?? [])] };
    this.vaultName = home.vault.name;
    this.registerOutputs({ vaultName: this.vaultName });
  }

  /** A vault encrypted with its own key (keys are regional), and the vault lock when asked; both kept with the recovery points. */
  private createVault(prefix: string, readableName: string, region: string | undefined) {
    const keep = { parent: this, retainOnDelete: this.spec.retainOnDelete };
    const key = new aws.kms.Key(
      `${prefix}-vault-key`,
      { description: `${this.spec.name}: encrypts AWS Backup recovery points in ${region ?? "the stack's region"}`, enableKeyRotation: true, deletionWindowInDays: 30, region },
      keep,
    );
    const limit = BACKUP_LIMITS.vaultNameLength;
    // Vault names are unique per account and region (CreateBackupVault). A kept vault keeps its name after a destroy,
    // and after a replacement (its key is ForceNew), so the vault that follows needs another one: the suffix lives in
    // the state (an update keeps it) and changes with the key. The readable part gives way to the suffix.
    const suffix = this.spec.retainOnDelete
      ? new random.RandomString(`${prefix}-vault-suffix`, { length: VAULT_SUFFIX_LENGTH, special: false, upper: false, keepers: { kmsKeyArn: key.arn } }, { parent: this }).result
      : undefined;
    const vaultName = suffix ? pulumi.interpolate`${readableName.slice(0, limit - 1 - VAULT_SUFFIX_LENGTH)}-${suffix}` : readableName.slice(0, limit);
    // A vault that is not kept goes with the stack, recovery points and all: DeleteBackupVault refuses a vault that
    // holds any (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DeleteBackupVault.html), and the provider
    // deletes them first only with forceDestroy.
    const vault = new aws.backup.Vault(`${prefix}-vault`, { name: vaultName, kmsKeyArn: key.arn, region, forceDestroy: !this.spec.retainOnDelete }, keep);
    const lock = this.spec.vaultLock;
    const locks = lock
      ? [
          new aws.backup.VaultLockConfiguration(
            `${prefix}-vault-lock`,
            { backupVaultName: vault.name, minRetentionDays: lock.minRetentionDays, maxRetentionDays: lock.maxRetentionDays, changeableForDays: lock.changeableForDays, region },
            this.lockOptions(lock, vault),
          ),
        ]
      : [];
    return { key, vault, locks };
  }

  /**
   * How a vault's lock is replaced and deleted. Every lock field is ForceNew and the lock's id is the vault's name
   * (terraform-provider-aws internal/service/backup/vault_lock_configuration.go: create is PutBackupVaultLockConfiguration,
   * delete DeleteBackupVaultLockConfiguration on d.Id()), so a create-first replacement would put the new lock and then
   * let the old one's delete remove it from the same vault.
   */
  private lockOptions(lock: BackupVaultLock, vault: aws.backup.Vault): pulumi.CustomResourceOptions {
    // Compliance mode: "On and after the lock date, the Vault Lock becomes immutable and cannot be changed or deleted"
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-backup-backupvault-lockconfigurationtype.html),
    // so it stays with its kept vault (validate requires retainOnDelete). Delete-first all the same: the engine orders a
    // replacement by the new lock's deleteBeforeReplace but skips the old lock's delete only if the DEPLOYED lock was
    // retained (pulumi/pulumi pkg/resource/deploy/step.go DeleteStep.Apply: `} else if s.old.RetainOnDelete {`). A
    // governance lock (not retained) turned into a compliance one is then deleted before the Put instead of after it,
    // which would remove the compliance lock just put. Compliance to compliance: the old lock's delete is skipped and the
    // Put overwrites it before the lock date; after it the Put is refused and the deployed lock stays in the state,
    // pending replacement (TransitionVaultLockImmutable reports that change at plan time).
    if (lock.changeableForDays !== undefined) return { parent: this, retainOnDelete: true, deleteBeforeReplace: true };
    // Governance mode, kept vault: deletedWith keeps the lock through a destroy that keeps the vault (the engine skips
    // the delete of a resource whose deletedWith target the same operation deletes, retained or not: pulumi/pulumi
    // pkg/resource/deploy/step.go isDeletedWith), while removing only the lock deletes it instead of leaving the vault
    // locked. Governance mode, vault deleted with the stack: the lock goes first (the vault is its dependency), so
    // forceDestroy can empty the vault. Either way a replacement deletes the old lock before it puts the new one.
    return { parent: this, retainOnDelete: false, deleteBeforeReplace: true, deletedWith: this.spec.retainOnDelete ? vault : undefined };
  }

  /** Trusted by backup.amazonaws.com, with AWS's managed policies for backing up and restoring (scoped by AWS to supported services). */
  private createRole(name: string): { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] } {
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: assumeRolePolicy(["backup.amazonaws.com"]), description: `${name}: AWS Backup jobs` }, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const attachments = BACKUP_SERVICE_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(`${name}-role-${policy.replace("AWSBackupServiceRolePolicyFor", "").toLowerCase()}`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/${policy}` }, { parent: this }),
    );
    return { role, attachments };
  }
}
