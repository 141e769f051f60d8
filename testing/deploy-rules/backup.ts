/** AWS Backup deploy rules: names, lifecycles and vault locks AWS Backup accepts (or whose jobs would all fail), and kept vaults' names. */
import { BACKUP_LIMITS } from "../../components/backup-plan";
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { BACKUP_ONE_VAULT_POLICY } from "./one-policy";
import { finding, MIN_RANDOM_CHARACTERS, nameHasRandomPart, type DeployFinding, type DeployRule } from "./rule";

const VAULT = "aws:backup/vault:Vault";
const PLAN = "aws:backup/plan:Plan";
const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";

type Rule = Record<string, any>;
const rulesOf = (plan: RecordedResource): Rule[] => plan.inputs.rules ?? [];
const vaultNamed = (graph: Graph, name: unknown) => ofType(graph, VAULT).find((v) => [v.inputs.name, v.state.name, v.id].includes(name as string));
const vaultWithArn = (graph: Graph, arn: unknown) => ofType(graph, VAULT).find((v) => v.state.arn === arn);

/** Every (vault, lifecycle, what) a plan writes: its rules' target vaults and their copy actions' destinations. */
function jobs(graph: Graph, plan: RecordedResource): Array<{ vault?: RecordedResource; lifecycle?: Record<string, any>; what: string }> {
  return rulesOf(plan).flatMap((rule) => [
    { vault: vaultNamed(graph, rule.targetVaultName), lifecycle: rule.lifecycle, what: `rule ${rule.ruleName}` },
    ...((rule.copyActions ?? []) as Rule[]).map((copy) => ({ vault: vaultWithArn(graph, copy.destinationVaultArn), lifecycle: copy.lifecycle, what: `rule ${rule.ruleName}'s copy` })),
  ]);
}

/** Vault names "^[a-zA-Z0-9\-\_]{2,50}$", rule names "^[a-zA-Z0-9\-\_\.]{1,50}$". */
export const BACKUP_NAMES: DeployRule = {
  id: "BackupNames",
  title: "Backup vault and rule names fit AWS Backup's patterns",
  source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const vault of ofType(graph, VAULT)) {
      if (typeof vault.inputs.name === "string" && !BACKUP_LIMITS.vaultName.test(vault.inputs.name)) {
        findings.push(finding("BackupNames", vault, `is named "${vault.inputs.name}"; vault names are 2–50 letters, digits, - and _`, "shorten the name and drop other characters (periods included)"));
      }
    }
    for (const plan of ofType(graph, PLAN)) {
      for (const rule of rulesOf(plan)) {
        if (!BACKUP_LIMITS.ruleName.test(String(rule.ruleName))) findings.push(finding("BackupNames", plan, `has rule "${rule.ruleName}"; rule names are 1–50 letters, digits, -, _ and .`, "rename the rule"));
      }
    }
    return findings;
  },
};

/** "DeleteAfterDays ... must be at least 90 days after the number of days specified in MoveToColdStorageAfterDays." */
export const BACKUP_LIFECYCLE: DeployRule = {
  id: "BackupLifecycle",
  title: "Recovery points moved to cold storage stay there at least 90 days",
  source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const plan of ofType(graph, PLAN)) {
      for (const { lifecycle, what } of jobs(graph, plan)) {
        const cold = lifecycle?.coldStorageAfter;
        const deleteAfter = lifecycle?.deleteAfter;
        if (cold !== undefined && deleteAfter !== undefined && deleteAfter < cold + 90) {
          findings.push(finding("BackupLifecycle", plan, `${what} deletes after ${deleteAfter} days but moves to cold storage after ${cold}; cold storage keeps a recovery point at least 90 days`, `delete after ${cold + 90} days or more, or move to cold storage later`));
        }
      }
    }
    return findings;
  },
};

/**
 * Vault lock: "you must set ChangeableForDays to 3 or greater"; a backup or copy job into a locked vault whose
 * retention is under the minimum or over the maximum fails, and so does one with no lifecycle under a maximum (kept forever).
 *
 * And how the lock is replaced and deleted. Every field of aws_backup_vault_lock_configuration is ForceNew and its id
 * is the vault's name (terraform-provider-aws internal/service/backup/vault_lock_configuration.go: create is
 * PutBackupVaultLockConfiguration, delete DeleteBackupVaultLockConfiguration{BackupVaultName: d.Id()}); Pulumi replaces
 * create-first unless deleteBeforeReplace (https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/), so the
 * old lock's delete removes the lock the new one just put. retainOnDelete (Pulumi skips a retained resource's delete
 * "when deleting or replacing the resource", https://www.pulumi.com/docs/iac/concepts/options/retainondelete/) does not
 * save it: the engine reads that from the DEPLOYED lock (pulumi pkg/resource/deploy/step.go DeleteStep.Apply:
 * `} else if s.old.RetainOnDelete {`), which a plan does not see: a governance lock deployed without it and replaced by
 * a retained compliance lock is still deleted after the Put, so a retained lock needs deleteBeforeReplace too. A
 * governance lock (no ChangeableForDays) that is retained stays on the vault when the program drops it, and every later
 * job outside its range fails; deletedWith the vault keeps it only through a destroy that keeps the vault too (pulumi
 * pkg/resource/deploy/step.go isDeletedWith). A kept vault's lock that is neither is deleted by that destroy.
 * (A compliance lock may stay retained: on and after the lock date AWS refuses its delete anyway.)
 */
export const BACKUP_VAULT_LOCK: DeployRule = {
  id: "BackupVaultLock",
  title: "Vault locks are valid, and every job into a locked vault keeps its recovery points within the lock's range",
  source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-backup-backupvault-lockconfigurationtype.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const locks = new Map<RecordedResource, RecordedResource>();
    for (const lock of ofType(graph, LOCK)) {
      const { changeableForDays, minRetentionDays, maxRetentionDays } = lock.inputs;
      if (changeableForDays !== undefined && changeableForDays < BACKUP_LIMITS.minChangeableForDays) {
        findings.push(finding("BackupVaultLock", lock, `has changeableForDays ${changeableForDays}; AWS Backup enforces a 72-hour cooling-off period`, "set changeableForDays to 3 or more, or leave it unset (governance mode)"));
      }
      // PutBackupVaultLockConfiguration's bounds (BACKUP_LIMITS): a minimum of at least 1 day, a maximum of at most 36500.
      if (typeof minRetentionDays === "number" && minRetentionDays < BACKUP_LIMITS.minRetentionDays) {
        findings.push(finding("BackupVaultLock", lock, `has minRetentionDays ${minRetentionDays}; the shortest minimum retention AWS Backup takes is ${BACKUP_LIMITS.minRetentionDays} day`, "set minRetentionDays to 1 or more"));
      }
      if (typeof maxRetentionDays === "number" && maxRetentionDays > BACKUP_LIMITS.maxRetentionDays) {
        findings.push(finding("BackupVaultLock", lock, `has maxRetentionDays ${maxRetentionDays}; the longest maximum retention AWS Backup takes is ${BACKUP_LIMITS.maxRetentionDays} days`, `set maxRetentionDays to at most ${BACKUP_LIMITS.maxRetentionDays}, or leave it unset`));
      }
      const inverted = minRetentionDays !== undefined && maxRetentionDays !== undefined && minRetentionDays > maxRetentionDays;
      if (inverted) {
        findings.push(finding("BackupVaultLock", lock, `has minRetentionDays ${minRetentionDays} above maxRetentionDays ${maxRetentionDays}`, "make the maximum at least the minimum"));
      }
      const vault = vaultNamed(graph, lock.inputs.backupVaultName);
      // An inverted range is reported on the lock above; no deleteAfter fits it, so checking the jobs into its
      // vault against it would only repeat that finding on the plan.
      if (vault && !inverted) locks.set(vault, lock);
      const range = `${minRetentionDays ?? 1}–${maxRetentionDays ?? "∞"} days`;
      if (!lock.deleteBeforeReplace) {
        findings.push(
          lock.retainOnDelete
            ? finding(
                "BackupVaultLock",
                lock,
                "is replaced create-before-delete although retained: the engine skips the old lock's delete only if the deployed lock was retainOnDelete, and a governance lock (deployed without it) that this program turns into this one has its DeleteBackupVaultLockConfiguration remove the lock just put, on the same vault",
                "set deleteBeforeReplace: true on the lock as well",
              )
            : finding(
                "BackupVaultLock",
                lock,
                "is replaced create-before-delete: every lock field is ForceNew and the lock's id is its vault's name, so the new lock's PutBackupVaultLockConfiguration is followed by the old one's DeleteBackupVaultLockConfiguration on the same vault, which removes it; the vault is left unlocked while the state shows a lock",
                "set deleteBeforeReplace: true on the lock (the vault is briefly unlocked while it is put again)",
              ),
        );
      }
      if (lock.retainOnDelete && changeableForDays === undefined) {
        findings.push(
          finding(
            "BackupVaultLock",
            lock,
            `is a governance-mode lock (no changeableForDays) retained on delete: removing it from the program never calls DeleteBackupVaultLockConfiguration, so vault ${vault?.name ?? lock.inputs.backupVaultName} stays locked to ${range}, and every later job outside that range fails`,
            `drop retainOnDelete${vault?.retainOnDelete ? ` and give it deletedWith: ${vault.name} (kept through a destroy that keeps the vault, deleted when the lock alone is removed)` : ""}, with deleteBeforeReplace: true`,
          ),
        );
      }
      if (vault?.retainOnDelete && !lock.retainOnDelete && lock.deletedWith !== vault.urn) {
        findings.push(
          finding(
            "BackupVaultLock",
            lock,
            `locks vault ${vault.name}, which is retained on delete, but is neither retained nor deletedWith it: a destroy keeps the vault and its recovery points but deletes their lock`,
            `give the lock deletedWith: ${vault.name}`,
          ),
        );
      }
    }
    for (const plan of ofType(graph, PLAN)) {
      for (const { vault, lifecycle, what } of jobs(graph, plan)) {
        const lock = vault && locks.get(vault);
        if (!lock) continue;
        const days: number | undefined = lifecycle?.deleteAfter;
        const { minRetentionDays: min, maxRetentionDays: max } = lock.inputs;
        if ((min !== undefined && (days ?? Infinity) < min) || (max !== undefined && (days === undefined || days > max))) {
          findings.push(finding("BackupVaultLock", plan, `${what} keeps recovery points ${days ?? "forever"} ${days === undefined ? "" : "days "}in vault ${vault!.name}, whose lock allows ${min ?? 1}–${max ?? "∞"} days: every such job fails`, "set the lifecycle's deleteAfter within the lock's minimum and maximum"));
        }
      }
    }
    return findings;
  },
};

/**
 * "Backup vaults are identified by names that are unique to the account used to create them and the AWS Region where
 * they are created" (CreateBackupVault). A `retainOnDelete` vault stays, name and all, after `pulumi destroy`; if the
 * program derives the same name on the next deployment, CreateBackupVault refuses it (AlreadyExistsException). A
 * retained vault's name must be autonamed (unset) or carry a random value the vault depends on: one the state keeps
 * across updates but a new deployment draws again.
 */
export const BACKUP_RETAINED_VAULT_NAME: DeployRule = {
  id: "BackupRetainedVaultName",
  title: "A vault kept on delete has a name the next deployment will not derive again",
  source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const vault of ofType(graph, VAULT).filter((v) => v.retainOnDelete && typeof v.inputs.name === "string")) {
      const name: string = vault.inputs.name;
      if (nameHasRandomPart(graph, vault, name)) continue;
      findings.push(finding("BackupRetainedVaultName", vault, `is kept on delete with the name "${name}", which has no random part (of at least ${MIN_RANDOM_CHARACTERS} characters): after a destroy the kept vault still holds it, and the next deployment's CreateBackupVault fails with AlreadyExistsException (names are unique per account and region)`, "end the name with a random suffix kept in state (a random.RandomString, as BackupPlan does with retainOnDelete), or leave name unset for Pulumi's autonaming"));
    }
    return findings;
  },
};

/**
 * A vault that is not kept goes with the stack, and "you can delete a backup vault only if it is empty"
 * (DeleteBackupVault): the provider deletes its recovery points first only with `force_destroy`
 * (terraform-provider-aws internal/service/backup/vault.go). Without it, `pulumi destroy` fails once the first job ran.
 * With a compliance-mode lock (ChangeableForDays), forceDestroy does not help: "On and after the lock date, the Vault
 * Lock becomes immutable and cannot be changed or deleted"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-backup-backupvault-lockconfigurationtype.html),
 * and while it holds it prevents "attempts to delete any recovery point stored in or created in a backup vault"
 * (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html), so the provider's
 * DeleteRecoveryPoint calls fail and the vault stays.
 */
export const BACKUP_VAULT_DESTROYABLE: DeployRule = {
  id: "BackupVaultDestroyable",
  title: "A backup vault that is not kept on delete can be deleted with its recovery points",
  source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DeleteBackupVault.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const complianceLocks = ofType(graph, LOCK).filter((lock) => lock.inputs.changeableForDays !== undefined);
    for (const vault of ofType(graph, VAULT).filter((v) => !v.retainOnDelete)) {
      const lock = complianceLocks.find((l) => vaultNamed(graph, l.inputs.backupVaultName) === vault);
      if (lock) {
        findings.push(
          finding(
            "BackupVaultDestroyable",
            vault,
            `is deleted with the stack but locked in compliance mode by ${lock.name} (changeableForDays ${lock.inputs.changeableForDays}): on and after the lock date AWS refuses to delete the lock, and the recovery points until they expire, so \`pulumi destroy\` fails even with forceDestroy`,
            "set retainOnDelete: true on the vault and its lock (BackupPlan requires it with changeableForDays), or use a governance-mode lock (no changeableForDays) on a vault the stack may delete",
          ),
        );
      } else if (vault.inputs.forceDestroy !== true) {
        findings.push(
          finding(
            "BackupVaultDestroyable",
            vault,
            "is deleted with the stack but not forceDestroy: AWS Backup deletes only an empty vault, so `pulumi destroy` fails once a job has written a recovery point",
            "set forceDestroy: true on a vault the stack may delete (BackupPlan does when retainOnDelete is off), or retainOnDelete to keep it and its recovery points",
          ),
        );
      }
    }
    return findings;
  },
};

export const BACKUP_RULES: DeployRule[] = [BACKUP_NAMES, BACKUP_LIFECYCLE, BACKUP_VAULT_LOCK, BACKUP_RETAINED_VAULT_NAME, BACKUP_VAULT_DESTROYABLE, BACKUP_ONE_VAULT_POLICY];
