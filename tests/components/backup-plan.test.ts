/** BackupPlan: vaults with their own keys, the daily rule with its copy, the selection's role, vault locks, and validation. */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { BackupPlan, type BackupPlanArgs } from "../../components/backup-plan";
import { ofType, record, resource, type RecordedResource } from "../harness/mocks";

/**
 * What `pulumi up` does to vault locks (a model of the engine and of terraform-provider-aws, as api-update-model.ts is
 * for REST deployments). Every lock field is ForceNew and the lock's id is its vault's name
 * (terraform-provider-aws internal/service/backup/vault_lock_configuration.go: create is
 * PutBackupVaultLockConfiguration, delete DeleteBackupVaultLockConfiguration on d.Id()). The NEW goal's
 * deleteBeforeReplace picks the order (pulumi pkg/resource/deploy/step_generator.go: `if goal.DeleteBeforeReplace !=
 * nil { deleteBeforeReplace = *goal.DeleteBeforeReplace }`); otherwise the old copy is deleted after every create and
 * update. Whether that delete calls AWS follows the DEPLOYED options (pkg/resource/deploy/step.go `DeleteStep.Apply`:
 * `} else if s.old.RetainOnDelete {`).
 */
function applyLockUpdate(deployed: ReadonlyMap<string, RecordedResource>, vaults: ReadonlyMap<string, Record<string, unknown>>, program: readonly RecordedResource[]) {
  const LOCK_FIELDS = ["backupVaultName", "minRetentionDays", "maxRetentionDays", "changeableForDays", "region"];
  const calls: string[] = [];
  const held = new Map(vaults);
  const remove = (old: RecordedResource) => {
    if (old.retainOnDelete) return void calls.push(`retain ${old.name}`);
    calls.push(`DeleteBackupVaultLockConfiguration ${old.name}`);
    held.delete(old.inputs.backupVaultName);
  };
  const deletesAtEnd: RecordedResource[] = [];
  const locks = program.filter((r) => r.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
  for (const lock of locks) {
    const old = deployed.get(lock.urn);
    if (old && LOCK_FIELDS.every((f) => old.inputs[f] === lock.inputs[f])) continue;
    if (old && lock.deleteBeforeReplace) remove(old);
    calls.push(`PutBackupVaultLockConfiguration ${lock.name}`);
    const { minRetentionDays, maxRetentionDays, changeableForDays } = lock.inputs;
    held.set(lock.inputs.backupVaultName, { minRetentionDays, maxRetentionDays, changeableForDays });
    if (old && !lock.deleteBeforeReplace) deletesAtEnd.push(old);
  }
  for (const [urn, old] of deployed) if (!locks.some((l) => l.urn === urn)) deletesAtEnd.push(old);
  deletesAtEnd.forEach(remove);
  return { calls, vaults: held, deployed: new Map(locks.map((l) => [l.urn, l])) };
}

const tables = ["arn:aws:dynamodb:us-east-1:123456789012:table/gallery", "arn:aws:dynamodb:us-east-1:123456789012:table/preferences"];

describe("BackupPlan", () => {
  it("backs the resources up daily into a vault encrypted with its own rotating key, kept retentionDays, copied to another region's vault", async () => {
    const graph = await record(() => new BackupPlan("bk", { resources: tables, retentionDays: 35, copyRegion: "us-west-2", retainOnDelete: true }));
    const key = resource(graph, "aws:kms/key:Key", "bk-vault-key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    const suffix = resource(graph, "random:index/randomString:RandomString", "bk-vault-suffix").state.result;
    const copySuffix = resource(graph, "random:index/randomString:RandomString", "bk-copy-vault-suffix").state.result;
    const vault = resource(graph, "aws:backup/vault:Vault", "bk-vault");
    expect(vault.inputs).toMatchObject({ name: `serverless-fullstack-test-bk-${suffix}`, kmsKeyArn: key.state.arn });
    const copyKey = resource(graph, "aws:kms/key:Key", "bk-copy-vault-key");
    const copyVault = resource(graph, "aws:backup/vault:Vault", "bk-copy-vault");
    expect(copyKey.inputs.region).toBe("us-west-2");
    expect(copyVault.inputs).toMatchObject({ name: `serverless-fullstack-test-bk-copy-${copySuffix}`, kmsKeyArn: copyKey.state.arn, region: "us-west-2" });
    expect(resource(graph, "aws:backup/plan:Plan", "bk-plan").inputs.rules).toEqual([
      {
        ruleName: "daily",
        targetVaultName: vault.inputs.name,
        schedule: "cron(0 5 ? * * *)",
        lifecycle: { deleteAfter: 35 },
        copyActions: [{ destinationVaultArn: copyVault.state.arn, lifecycle: { deleteAfter: 35 } }],
      },
    ]);
    // Vaults and keys outlive the program with the recovery points they hold.
    for (const r of [key, vault, copyKey, copyVault]) expect(r.retainOnDelete, r.name).toBe(true);
    for (const r of [vault, copyVault]) expect(r.inputs.forceDestroy, r.name).toBe(false);
  });

  it("names a retained vault with a random suffix kept in state and drawn again with its key, so neither a deployment after a destroy nor a replacement collides with a kept vault", async () => {
    const graph = await record(() => new BackupPlan("kept", { resources: tables, copyRegion: "us-west-2", retainOnDelete: true }));
    for (const [vaultName, keyName, suffixName] of [
      ["kept-vault", "kept-vault-key", "kept-vault-suffix"],
      ["kept-copy-vault", "kept-copy-vault-key", "kept-copy-vault-suffix"],
    ]) {
      const suffix = resource(graph, "random:index/randomString:RandomString", suffixName);
      // A new key (the vault's kmsKeyArn is ForceNew) draws a new suffix, so the replacing vault gets a free name.
      expect(suffix.inputs).toMatchObject({ length: 6, special: false, upper: false, keepers: { kmsKeyArn: resource(graph, "aws:kms/key:Key", keyName).state.arn } });
      // Destroyed with the stack (not retained), so a new deployment draws a new one; an update keeps it.
      expect(suffix.retainOnDelete).toBe(false);
      const vault = resource(graph, "aws:backup/vault:Vault", vaultName);
      expect(vault.inputs.name.endsWith(`-${suffix.state.result}`), vault.inputs.name).toBe(true);
      expect(vault.dependencies).toContain(suffix.urn);
      expect(vault.inputs.name).toMatch(/^[a-zA-Z0-9_-]{2,50}$/);
    }
    // Unretained vaults are deleted with the stack, recovery points and all (DeleteBackupVault refuses a vault that holds
    // any), so their names are free again: they keep the readable name.
    const unretained = await record(() => new BackupPlan("gone", { resources: tables, copyRegion: "us-west-2" }));
    const vaults = ofType(unretained, "aws:backup/vault:Vault");
    expect(vaults.map((v) => v.inputs.name)).toEqual(["serverless-fullstack-test-gone", "serverless-fullstack-test-gone-copy"]);
    expect(vaults.map((v) => v.inputs.forceDestroy)).toEqual([true, true]);
    expect(ofType(unretained, "random:index/randomString:RandomString")).toEqual([]);
  });

  it("shortens the readable part of a long retained vault name, never the suffix", async () => {
    const name = "b".repeat(24); // serverless-fullstack-test-<24> is 50 characters, the most AWS Backup takes
    const graph = await record(() => new BackupPlan(name, { resources: tables, copyRegion: "us-west-2", retainOnDelete: true }));
    for (const [vaultName, readable] of [[`${name}-vault`, `serverless-fullstack-test-${name}`], [`${name}-copy-vault`, `serverless-fullstack-test-${name}-copy`]]) {
      const vault = resource(graph, "aws:backup/vault:Vault", vaultName);
      const suffix = resource(graph, "random:index/randomString:RandomString", `${vaultName}-suffix`).state.result;
      expect(vault.inputs.name).toHaveLength(50);
      expect(vault.inputs.name).toBe(`${readable.slice(0, 43)}-${suffix}`);
    }
  });

  it("selects the resources by ARN with a role AWS Backup assumes, holding AWS's managed backup and restore policies", async () => {
    const graph = await record(() => new BackupPlan("sel", { resources: tables }));
    const role = resource(graph, "aws:iam/role:Role", "sel-role");
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([{ Effect: "Allow", Principal: { Service: ["backup.amazonaws.com"] }, Action: "sts:AssumeRole" }]);
    expect(ofType(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn).sort()).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]);
    const selection = resource(graph, "aws:backup/selection:Selection", "sel-selection");
    expect(selection.inputs).toMatchObject({ planId: resource(graph, "aws:backup/plan:Plan", "sel-plan").id, iamRoleArn: role.state.arn, resources: tables });
    // CreateBackupSelection checks the role may call tag:GetResources: its policies are attached first.
    for (const attachment of ofType(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) expect(selection.dependencies).toContain(attachment.urn);
    expect(ofType(graph, "aws:backup/vault:Vault")).toHaveLength(1);
    expect(resource(graph, "aws:backup/vault:Vault", "sel-vault").retainOnDelete).toBe(false);
  });

  it("uses a given role instead of creating one", async () => {
    const graph = await record(() => new BackupPlan("own", { resources: tables, roleArn: "arn:aws:iam::123456789012:role/backup" }));
    expect(ofType(graph, "aws:iam/role:Role")).toEqual([]);
    expect(resource(graph, "aws:backup/selection:Selection", "own-selection").inputs.iamRoleArn).toBe("arn:aws:iam::123456789012:role/backup");
  });

  it("locks every vault, before the plan can write to it", async () => {
    const graph = await record(() => new BackupPlan("locked", { resources: tables, retentionDays: 30, copyRegion: "eu-west-1", vaultLock: { minRetentionDays: 30, maxRetentionDays: 60, changeableForDays: 3 }, retainOnDelete: true }));
    const locks = ofType(graph, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
    // The locks name their vaults by the vaults' (suffixed) names.
    const vaults = ofType(graph, "aws:backup/vault:Vault").map((v) => v.inputs.name);
    expect(vaults[0]).toMatch(/^serverless-fullstack-test-locked-[a-zA-Z0-9_-]{6}$/);
    expect(locks.map((l) => [l.name, l.inputs.backupVaultName, l.inputs.minRetentionDays, l.inputs.maxRetentionDays, l.inputs.changeableForDays, l.inputs.region])).toEqual([
      ["locked-vault-lock", vaults[0], 30, 60, 3, undefined],
      ["locked-copy-vault-lock", vaults[1], 30, 60, 3, "eu-west-1"],
    ]);
    const plan = resource(graph, "aws:backup/plan:Plan", "locked-plan");
    for (const lock of locks) expect(plan.dependencies).toContain(lock.urn);
  });

  it("replaces a lock delete-first, and keeps a governance lock on a kept vault only while the vault goes too (deletedWith)", async () => {
    const lockOf = (graph: Awaited<ReturnType<typeof record>>, name: string) => resource(graph, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", name);
    const options = (lock: ReturnType<typeof lockOf>) => ({ retainOnDelete: lock.retainOnDelete, deletedWith: lock.deletedWith, deleteBeforeReplace: lock.deleteBeforeReplace });

    // Governance lock on kept vaults (prod): a replacement's create-first Put would be undone by the old lock's delete
    // (same vault), so it is replaced delete-first; a destroy that keeps the vault skips the lock's delete (deletedWith),
    // while removing only the lock deletes it, so the vault is not left locked.
    const kept = await record(() => new BackupPlan("gov", { resources: tables, retentionDays: 35, copyRegion: "us-west-2", vaultLock: { minRetentionDays: 35, maxRetentionDays: 35 }, retainOnDelete: true }));
    for (const [lockName, vaultName] of [["gov-vault-lock", "gov-vault"], ["gov-copy-vault-lock", "gov-copy-vault"]]) {
      const lock = lockOf(kept, lockName);
      expect(options(lock), lockName).toEqual({ retainOnDelete: false, deletedWith: resource(kept, "aws:backup/vault:Vault", vaultName).urn, deleteBeforeReplace: true });
      // Same logical name and parent as before the change: an options change, not a new URN (no replacement, no alias).
      expect(lock.parent).toBe(resource(kept, "serverless-fullstack:index:BackupPlan", "gov").urn);
      expect(lock.urn.endsWith(`::${lockName}`)).toBe(true);
      expect(lock.aliases ?? []).toEqual([]);
    }

    // Governance lock on vaults deleted with the stack: deleted before the vault (its dependency), so forceDestroy can
    // empty the vault; replaced delete-first.
    const gone = await record(() => new BackupPlan("dev", { resources: tables, vaultLock: { minRetentionDays: 35 } }));
    expect(options(lockOf(gone, "dev-vault-lock"))).toEqual({ retainOnDelete: false, deletedWith: undefined, deleteBeforeReplace: true });

    // Compliance lock: AWS refuses its delete after the lock date, so it is retained; delete-first too, because the
    // engine skips the old copy's delete only when the DEPLOYED lock was retained, and a governance lock was not.
    const compliance = await record(() => new BackupPlan("wor", { resources: tables, vaultLock: { minRetentionDays: 35, changeableForDays: 3 }, retainOnDelete: true }));
    expect(options(lockOf(compliance, "wor-vault-lock"))).toEqual({ retainOnDelete: true, deletedWith: undefined, deleteBeforeReplace: true });
  });

  describe("an update that replaces the lock leaves the vault locked as the program says", () => {
    const program = (vaultLock: BackupPlanArgs["vaultLock"]) => record(() => new BackupPlan("wlk", { resources: tables, retentionDays: 35, copyRegion: "us-west-2", vaultLock, retainOnDelete: true }));
    const governance = { minRetentionDays: 35, maxRetentionDays: 35 };
    const compliance = { minRetentionDays: 35, maxRetentionDays: 40, changeableForDays: 3 };

    it("governance → compliance: the governance lock is deleted first, then the compliance lock is put and stays", async () => {
      const first = applyLockUpdate(new Map(), new Map(), await program(governance));
      const second = applyLockUpdate(first.deployed, first.vaults, await program(compliance));
      // Both vaults hold the compliance lock the state records (create-first, the old lock's delete removed it).
      expect([...second.vaults.values()]).toEqual([
        { minRetentionDays: 35, maxRetentionDays: 40, changeableForDays: 3 },
        { minRetentionDays: 35, maxRetentionDays: 40, changeableForDays: 3 },
      ]);
      expect(second.calls).toEqual([
        "DeleteBackupVaultLockConfiguration wlk-vault-lock",
        "PutBackupVaultLockConfiguration wlk-vault-lock",
        "DeleteBackupVaultLockConfiguration wlk-copy-vault-lock",
        "PutBackupVaultLockConfiguration wlk-copy-vault-lock",
      ]);
    });

    it("compliance → compliance before the lock date: the retained old lock's delete is skipped and the Put overwrites it", async () => {
      const first = applyLockUpdate(new Map(), new Map(), await program(compliance));
      const second = applyLockUpdate(first.deployed, first.vaults, await program({ ...compliance, maxRetentionDays: 50 }));
      expect(second.calls).toEqual([
        "retain wlk-vault-lock",
        "PutBackupVaultLockConfiguration wlk-vault-lock",
        "retain wlk-copy-vault-lock",
        "PutBackupVaultLockConfiguration wlk-copy-vault-lock",
      ]);
      expect([...second.vaults.values()].map((l) => l.maxRetentionDays)).toEqual([50, 50]);
    });
  });

  it.each([
    [{ resources: [] }, /BackupPlan "bad": resources \[\] is empty/],
    [{ schedule: "rate(1 day)" }, /^BackupPlan "bad": schedule "rate\(1 day\)" is not an AWS Backup cron expression: AWS Backup schedules only by cron\(\.\.\.\)\. Use a cron expression, e\.g\. "cron\(0 5 \? \* \* \*\)"/],
    [{ schedule: "at(2030-01-01T05:00:00)" }, /schedule "at\(2030-01-01T05:00:00\)" is not an AWS Backup cron expression/],
    // AWS cron takes six fields (the year last) with ? in day-of-month or day-of-week; the old check passed these.
    [{ schedule: "cron(0 5 * * *)" }, /^BackupPlan "bad": schedule "cron\(0 5 \* \* \*\)" is not an AWS Backup cron expression: it has 5 cron fields; EventBridge cron takes six .*\. Use a cron expression, e\.g\. "cron\(0 5 \? \* \* \*\)"/],
    [{ schedule: "cron(0 5 * * * *)" }, /schedule "cron\(0 5 \* \* \* \*\)" is not an AWS Backup cron expression: it must have \? in exactly one of day-of-month and day-of-week/],
    [{ schedule: "cron(0 25 ? * * *)" }, /schedule "cron\(0 25 \? \* \* \*\)" is not an AWS Backup cron expression: it has hours "25", outside 0–23/],
    // AWS Backup schedules snapshot backups at most hourly.
    [{ schedule: "cron(0/15 * ? * * *)" }, /^BackupPlan "bad": schedule "cron\(0\/15 \* \? \* \* \*\)" starts backup jobs 15 minutes apart; AWS Backup schedules snapshot backups at most hourly\. Start at most once an hour, e\.g\. "cron\(0 \* \? \* \* \*\)" \(hourly\)/],
    [{ schedule: "cron(0,30 5 ? * * *)" }, /schedule "cron\(0,30 5 \? \* \* \*\)" starts backup jobs 30 minutes apart/],
    [{ retentionDays: 0 }, /retentionDays 0 is not a whole number of days/],
    [{ copyRegion: "mars" }, /copyRegion "mars" is not an AWS region/],
    [{ copyRegion: "eu-west-1", region: "eu-west-1" }, /copyRegion "eu-west-1" is the plan's own region/],
    [{ vaultLock: { minRetentionDays: 30, changeableForDays: 2 }, retentionDays: 30, retainOnDelete: true }, /vaultLock\.changeableForDays 2 is under 3; AWS Backup enforces a 72-hour cooling-off period/],
    [{ vaultLock: { minRetentionDays: 30, maxRetentionDays: 10 } }, /vaultLock\.maxRetentionDays 10 is below minRetentionDays 30/],
    // PutBackupVaultLockConfiguration: "The longest maximum retention period you can specify is 36500 days".
    [{ vaultLock: { minRetentionDays: 35, maxRetentionDays: 36_501 } }, /^BackupPlan "bad": vaultLock\.maxRetentionDays 36501 is over the 36500 days \(about 100 years\) AWS Backup takes as a vault lock's maximum retention, so PutBackupVaultLockConfiguration would fail\. Use at most 36500, or leave it unset for no maximum\./],
    [{ vaultLock: { minRetentionDays: 60 }, retentionDays: 35 }, /retentionDays 35 is outside the vault lock's 60–∞ days, so every backup job would fail/],
    [{ vaultLock: { minRetentionDays: 35, changeableForDays: 3 } }, /retainOnDelete \(not set\) is false with a compliance-mode vault lock/],
  ] as Array<[Partial<BackupPlanArgs>, RegExp]>)("refuses %j at construction", (args, message) => {
    expect(() => new BackupPlan("bad", { resources: tables, ...args })).toThrow(message);
  });

  it("takes a vault lock's maximum retention up to AWS Backup's 36500 days", () => {
    expect(() => new BackupPlan("century", { resources: tables, retentionDays: 36_500, vaultLock: { minRetentionDays: 1, maxRetentionDays: 36_500 } })).not.toThrow();
  });

  it("takes AWS cron expressions from hourly to yearly, with ? in either day field", () => {
    for (const schedule of ["cron(0 * ? * * *)", "cron(15 * ? * * *)", "cron(0 12 * * ? *)", "cron(0 5,17 ? * MON-FRI *)", "cron(0 3 L * ? *)", "cron(0 0 1 1 ? *)"]) {
      expect(() => new BackupPlan(`ok-${schedule.length}`, { resources: tables, schedule }), schedule).not.toThrow();
    }
  });

  it("takes an unset region to be the stack's aws:region, but leaves a plan under an explicit provider (its region unknown at construction) to the plan", () => {
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = "us-east-1";
    try {
      expect(() => new BackupPlan("stack-region", { resources: tables, copyRegion: "us-east-1" })).toThrow(/copyRegion "us-east-1" is the plan's own region/);
      const west = new aws.Provider("backup-west", { region: "us-west-2" });
      expect(() => new BackupPlan("provided", { resources: tables, copyRegion: "us-east-1" }, { provider: west })).not.toThrow();
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previous;
    }
  });

  it("refuses a name that makes a vault name AWS Backup refuses", () => {
    expect(() => new BackupPlan("a".repeat(30), { resources: tables })).toThrow(/BackupPlan "a{30}": name "a{30}" makes the vault name "serverless-fullstack-test-a{30}", which AWS Backup refuses/);
  });
});
