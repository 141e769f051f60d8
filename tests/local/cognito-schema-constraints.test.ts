/**
 * A pool's own attribute constraints (a String attribute's StringAttributeConstraints, a Number attribute's
 * NumberAttributeConstraints) come from the program's schema (local/services/cognito.ts schemaOf), are kept by the
 * emulator (DescribeUserPool), and a value outside them is refused in SignUp, AdminCreateUser, (Admin)UpdateUserAttributes
 * and a new-password answer with the schema refusal (InvalidParameterException), nothing stored; cognito-local stored any.
 */
import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { schemaOf } from "../../local/services/cognito";
import {
  attributeList,
  attributesOf,
  confirmedUser,
  freshCognitoDir,
  hostedUiClient,
  localCognitoClient,
  outcome,
  passwordSignIn,
  quietCognitoForFile,
  startQuietCognito,
  temporaryUser,
} from "../harness/cognito-users";

const userPoolId = "us-east-1_Constrain1";
const clientId = "constrainclient00000000000";
const password = "Chosen-horse-99";
/** The program's schema as pulumi-aws records it (UserAuth's email, and custom attributes another program might declare). */
const programSchema = [
  { name: "email", attributeDataType: "String", required: true, mutable: true, stringAttributeConstraints: { minLength: "0", maxLength: "2048" } },
  { name: "code", attributeDataType: "String", mutable: true, stringAttributeConstraints: { minLength: "2", maxLength: "5" } },
  // A recorded block may be a list of one; an unset bound is no bound.
  { name: "age", attributeDataType: "Number", mutable: true, numberAttributeConstraints: [{ minValue: "0" }] },
];
const local = quietCognitoForFile("constraints");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "constraints", Schema: schemaOf(programSchema) });
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, ["http://localhost:5173/"]);
});

it("carries the program's string and number constraints to the local pool", async () => {
  expect(schemaOf(programSchema)).toEqual([
    { Name: "email", AttributeDataType: "String", Required: true, Mutable: true, StringAttributeConstraints: { MinLength: "0", MaxLength: "2048" } },
    { Name: "code", AttributeDataType: "String", Mutable: true, StringAttributeConstraints: { MinLength: "2", MaxLength: "5" } },
    { Name: "age", AttributeDataType: "Number", Mutable: true, NumberAttributeConstraints: { MinValue: "0" } },
  ]);
  const schema = (await local.sdk.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool?.SchemaAttributes ?? [];
  expect(schema.find((a) => a.Name === "custom:code")?.StringAttributeConstraints).toEqual({ MinLength: "2", MaxLength: "5" });
  expect(schema.find((a) => a.Name === "custom:age")?.NumberAttributeConstraints).toEqual({ MinValue: "0" });
});

it("refuses a value outside them in SignUp and AdminCreateUser, every one named, and creates no user", async () => {
  const signUp = (username: string, given: Record<string, string>) => outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: username, Password: password, UserAttributes: attributeList({ email: username, ...given }) })));
  expect(await signUp("ann@example.com", { "custom:code": "abcdef", "custom:age": "-1" })).toBe(
    "InvalidParameterException: Attributes did not conform to the schema: custom:code: Value is longer than the attribute's MaxLength 5.\ncustom:age: Value is less than the attribute's MinValue 0.\n",
  );
  expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: "ann@example.com" })))).toBe("UserNotFoundException: User does not exist.");
  expect(await signUp("ann@example.com", { "custom:code": "abcde", "custom:age": "120" })).toBe("ok");
  const create = (given: Record<string, string>) => outcome(local.sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: "bob@example.com", MessageAction: "SUPPRESS", UserAttributes: attributeList(given) })));
  expect(await create({ email: "bob@example.com", "custom:code": "a" })).toBe("InvalidParameterException: Attributes did not conform to the schema: custom:code: Value is shorter than the attribute's MinLength 2.\n");
  expect(await create({ email: "bob@example.com", "custom:code": "ab" })).toBe("ok");
});

it("refuses a value outside them in UpdateUserAttributes and AdminUpdateUserAttributes, the value kept", async () => {
  const email = "cy@example.com";
  await confirmedUser(local.sdk, userPoolId, clientId, email, password);
  const token = (await passwordSignIn(local.sdk, clientId, email, password)).AuthenticationResult!.AccessToken!;
  const code = async () => (await local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).UserAttributes?.find((a) => a.Name === "custom:code")?.Value;
  expect(await outcome(local.sdk.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: attributeList({ "custom:code": "toolong" }) })))).toBe(
    "InvalidParameterException: user.custom:code: Value is longer than the attribute's MaxLength 5.\n",
  );
  expect(await outcome(local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: attributeList({ "custom:code": "x" }) })))).toBe(
    "InvalidParameterException: user.custom:code: Value is shorter than the attribute's MinLength 2.\n",
  );
  expect(await code()).toBeUndefined();
  expect(await outcome(local.sdk.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: attributeList({ "custom:code": "fine" }) })))).toBe("ok");
  expect(await code()).toBe("fine");
});

it("makes an attribute the program's schema gives without mutable immutable, as the service does: a standard one too, which was updatable locally", async () => {
  const poolId = "us-east-1_Constrain2";
  await local.emulator.ensureUserPool({ Id: poolId, Name: "immutable", Schema: schemaOf([{ name: "name", required: true }, { name: "team", attributeDataType: "String" }]) });
  const schema = (await local.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.SchemaAttributes ?? [];
  expect(schema.filter((a) => a.Name === "name" || a.Name === "custom:team").map((a) => [a.Name, a.Mutable])).toEqual([
    ["name", false],
    ["custom:team", false],
  ]);
  expect(schema.find((a) => a.Name === "nickname")?.Mutable).toBe(true);
  await local.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: "dee", MessageAction: "SUPPRESS", UserAttributes: attributeList({ name: "Dee", "custom:team": "red" }) }));
  for (const [attribute, value] of [["name", "Deedee"], ["custom:team", "blue"]]) {
    const update = local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: "dee", UserAttributes: attributeList({ [attribute]: value }) }));
    expect(await outcome(update)).toBe(`InvalidParameterException: user.${attribute}: Attribute cannot be updated. (changing an immutable attribute)`);
  }
  expect(await outcome(local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: "dee", UserAttributes: attributeList({ nickname: "D" }) })))).toBe("ok");
});

it("makes an attribute CreateUserPool or AddCustomAttributes gives without Mutable immutable too (cognito-local: mutable)", async () => {
  const created = await local.sdk.send(
    new CreateUserPoolCommand({ PoolName: "api-immutable", Schema: [{ Name: "name", Required: true }, { Name: "team", AttributeDataType: "String" }, { Name: "level", AttributeDataType: "String", Mutable: true }] }),
  );
  const poolId = created.UserPool!.Id!;
  await local.sdk.send(new AddCustomAttributesCommand({ UserPoolId: poolId, CustomAttributes: [{ Name: "badge", AttributeDataType: "String" }] }));
  const schema = (await local.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.SchemaAttributes ?? [];
  expect(Object.fromEntries(schema.filter((a) => ["name", "custom:team", "custom:level", "custom:badge", "nickname"].includes(a.Name!)).map((a) => [a.Name, a.Mutable]))).toEqual({
    name: false,
    "custom:team": false,
    "custom:level": true,
    "custom:badge": false,
    nickname: true,
  });
  await local.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: "eve", MessageAction: "SUPPRESS", UserAttributes: attributeList({ name: "Eve", "custom:team": "red", "custom:badge": "gold" }) }));
  for (const [attribute, value] of [["name", "Evie"], ["custom:team", "blue"], ["custom:badge", "silver"]]) {
    const update = local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: "eve", UserAttributes: attributeList({ [attribute]: value }) }));
    expect(await outcome(update)).toBe(`InvalidParameterException: user.${attribute}: Attribute cannot be updated. (changing an immutable attribute)`);
  }
  expect(await outcome(local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: "eve", UserAttributes: attributeList({ "custom:level": "2" }) })))).toBe("ok");
});

it("leaves out of a new-password answer an attribute a kept pool holds without Mutable, which cognito-local's updates treat as immutable too", async () => {
  // A pool kept by an older emulator, whose custom attribute was stored without Mutable.
  const dataDir = freshCognitoDir("legacy-schema");
  const poolId = "us-east-1_Constrain3";
  const poolFile = join(dataDir, `${poolId}.json`);
  const first = await startQuietCognito(dataDir);
  await first.ensureUserPool({ Id: poolId, Name: "legacy", Schema: [{ Name: "legacy", AttributeDataType: "String", Mutable: true }] });
  await first.stop();
  const kept = JSON.parse(readFileSync(poolFile, "utf8"));
  for (const attribute of kept.Options.SchemaAttributes) if (attribute.Name === "custom:legacy") delete attribute.Mutable;
  writeFileSync(poolFile, JSON.stringify(kept));
  const emulator = await startQuietCognito(dataDir);
  const sdk = localCognitoClient(emulator.url);
  try {
    await hostedUiClient(emulator, sdk, poolId, "legacyclient0000000000000", ["http://localhost:5173/"]);
    await temporaryUser(sdk, poolId, "fay", "Temporary-horse-9", { nickname: "F" });
    const challenge = await passwordSignIn(sdk, "legacyclient0000000000000", "fay", "Temporary-horse-9");
    const answer = { USERNAME: "fay", NEW_PASSWORD: password, "userAttributes.custom:legacy": "x", "userAttributes.nickname": "Fay" };
    await sdk.send(new RespondToAuthChallengeCommand({ ClientId: "legacyclient0000000000000", ChallengeName: "NEW_PASSWORD_REQUIRED", Session: challenge.Session, ChallengeResponses: answer }));
    const attributes = await attributesOf(sdk, poolId, "fay");
    expect(attributes).not.toHaveProperty("custom:legacy");
    expect(attributes).toMatchObject({ nickname: "Fay" });
  } finally {
    sdk.destroy();
    await emulator.stop();
  }
});
