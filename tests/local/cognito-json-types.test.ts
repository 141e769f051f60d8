/**
 * The JSON type check (answerApiRequests, jsonTypeProblem) refuses nothing a real client sends: realistic requests
 * of the heavy actions, as the AWS SDK serialises them (every member type the model's inputs use: strings and enums,
 * integers, booleans, lists, maps, nested structures such as UserAttributes, LambdaConfig, AnalyticsConfiguration,
 * TokenValidityUnits, a blob, document members), go past it. An action cognito-local lacks answers another error
 * (UnsupportedOperationException, HTTP 501): what matters here is only that none is a SerializationException.
 */
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  CompleteWebAuthnRegistrationCommand,
  CreateManagedLoginBrandingCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUICustomizationCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_JsonTypes1";
const local = quietCognitoForFile("json-types");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "json-types" });
});

/** The answer's error name, or "ok" (any answer but a SerializationException passed the type check). */
async function outcome(command: object): Promise<{ name: string; result?: any }> {
  try {
    return { name: "ok", result: await local.sdk.send(command as never) };
  } catch (error) {
    return { name: (error as Error).name };
  }
}

const lambda = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

it("lets the SDK's realistic requests of the heavy actions through, and signs in with them end to end", async () => {
  // CreateUserPoolClient with every option UserAuth and a hosted-UI app set: lists, integers, booleans, a nested structure.
  const client = await outcome(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: "web",
      GenerateSecret: false,
      RefreshTokenValidity: 30,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
      ReadAttributes: ["email", "email_verified", "name"],
      WriteAttributes: ["email", "name"],
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      SupportedIdentityProviders: ["COGNITO"],
      CallbackURLs: ["http://localhost:5173/"],
      LogoutURLs: ["http://localhost:5173/"],
      DefaultRedirectURI: "http://localhost:5173/",
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile"],
      AllowedOAuthFlowsUserPoolClient: true,
      AnalyticsConfiguration: { ApplicationId: "0123456789abcdef0123456789abcdef", ExternalId: "ext", UserDataShared: true },
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: true,
      EnablePropagateAdditionalUserContextData: false,
      AuthSessionValidity: 3,
      RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 10 },
    }),
  );
  expect(client.name).toBe("ok");
  const clientId: string = client.result.UserPoolClient.ClientId;

  // AdminCreateUser: UserAttributes and ValidationData (lists of structures), ClientMetadata (a map), enums, a boolean.
  expect(
    (
      await outcome(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: "ann@example.com",
          TemporaryPassword: "Temporary-9-pass",
          UserAttributes: [
            { Name: "email", Value: "ann@example.com" },
            { Name: "email_verified", Value: "true" },
            { Name: "name", Value: "Ann Ö" },
          ],
          ValidationData: [{ Name: "source", Value: "admin" }],
          ClientMetadata: { invitedBy: "test", count: "2" },
          MessageAction: "SUPPRESS",
          DesiredDeliveryMediums: ["EMAIL"],
          ForceAliasCreation: false,
        }),
      )
    ).name,
  ).toBe("ok");

  // InitiateAuth and RespondToAuthChallenge (maps of strings, nested structures): the new-password challenge.
  const started = await outcome(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "ann@example.com", PASSWORD: "Temporary-9-pass" },
      ClientMetadata: { screen: "sign-in" },
      AnalyticsMetadata: { AnalyticsEndpointId: "endpoint-1" },
      UserContextData: { IpAddress: "192.0.2.1", EncodedData: "data" },
    }),
  );
  expect(started.name).toBe("ok");
  expect(started.result.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
  const answered = await outcome(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: started.result.Session,
      ChallengeResponses: { USERNAME: "ann@example.com", NEW_PASSWORD: "Permanent-9-pass" },
      ClientMetadata: { screen: "new-password" },
      AnalyticsMetadata: { AnalyticsEndpointId: "endpoint-1" },
      UserContextData: { IpAddress: "192.0.2.1", EncodedData: "data" },
    }),
  );
  expect(answered.name).toBe("ok");
  expect(answered.result.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  const admin = await outcome(
    new AdminInitiateAuthCommand({
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "ann@example.com", PASSWORD: "Permanent-9-pass" },
      ContextData: { IpAddress: "192.0.2.1", ServerName: "localhost", ServerPath: "/", HttpHeaders: [{ headerName: "user-agent", headerValue: "test" }] },
    }),
  );
  expect(admin.name).toBe("ok");

  // UpdateUserPool with LambdaConfig (nested structures, enums), policies (integers, booleans), tags (a map).
  const updated = await outcome(
    new UpdateUserPoolCommand({
      UserPoolId: userPoolId,
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false, TemporaryPasswordValidityDays: 7, PasswordHistorySize: 3 } },
      DeletionProtection: "ACTIVE",
      LambdaConfig: {
        PreSignUp: lambda("pre-sign-up"),
        PostConfirmation: lambda("post-confirmation"),
        PreAuthentication: lambda("pre-auth"),
        PreTokenGenerationConfig: { LambdaVersion: "V2_0", LambdaArn: lambda("pre-token") },
        CustomEmailSender: { LambdaVersion: "V1_0", LambdaArn: lambda("email-sender") },
        KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
      },
      AutoVerifiedAttributes: ["email"],
      MfaConfiguration: "OFF",
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true },
      EmailConfiguration: { EmailSendingAccount: "COGNITO_DEFAULT" },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7, InviteMessageTemplate: { EmailSubject: "Hi", EmailMessage: "{username} {####}" } },
      UserPoolTags: { app: "gallery", stage: "dev" },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
      UserPoolAddOns: { AdvancedSecurityMode: "OFF" },
    }),
  );
  expect(updated.name).not.toBe("SerializationException");

  // A blob (base64 string on the wire) and document members (any JSON).
  for (const command of [
    new SetUICustomizationCommand({ UserPoolId: userPoolId, ClientId: clientId, CSS: ".banner-customizable { padding: 1px }", ImageFile: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]) }),
    new CompleteWebAuthnRegistrationCommand({ AccessToken: answered.result.AuthenticationResult.AccessToken, Credential: { id: "abc", rawId: "abc", type: "public-key", response: { clientDataJSON: "e30", attestationObject: "o2M" }, clientExtensionResults: {}, transports: ["internal"], n: 1, ok: true, nothing: null } }),
    new CreateManagedLoginBrandingCommand({ UserPoolId: userPoolId, ClientId: clientId, UseCognitoProvidedValues: false, Settings: { categories: { global: { colorSchemeMode: "LIGHT" } }, list: [1, "two", null] }, Assets: [{ Category: "PAGE_BACKGROUND", ColorMode: "LIGHT", Extension: "PNG", Bytes: new Uint8Array([1, 2, 3]) }] }),
  ]) {
    expect((await outcome(command)).name, command.constructor.name).not.toBe("SerializationException");
  }
});
