/**
 * A pool kept from an earlier `npm start` (state in the stack's folder) that was created before the emulator recorded
 * the username case sensitivity gets the one the program gives it when the emulator starts on that state again.
 */
import { CreateUserPoolCommand, DescribeUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { expect, it } from "vitest";
import { freshCognitoDir, localCognitoClient, startQuietCognito } from "../harness/cognito-users";

it("fills in UsernameConfiguration on a pool kept from an earlier run that has none", async () => {
  const dataDir = freshCognitoDir("kept-pool");
  const start = () => startQuietCognito(dataDir);
  const describe = async (url: string, id: string) => {
    const sdk = localCognitoClient(url);
    try {
      return (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool;
    } finally {
      sdk.destroy();
    }
  };

  // The earlier run: a pool stored without UsernameConfiguration (cognito-local's CreateUserPool keeps none unless given).
  const earlier = await start();
  const sdk = localCognitoClient(earlier.url);
  const id = (await sdk.send(new CreateUserPoolCommand({ PoolName: "kept" }))).UserPool!.Id!;
  sdk.destroy();
  const kept = await describe(earlier.url, id);
  expect(kept?.UsernameConfiguration).toBeUndefined();
  // The program records the ARN the pool already has, so only the missing setting calls for an update.
  const Arn = kept!.Arn!;
  await earlier.stop();

  // This run, on the same state: ensureUserPool keeps the pool (same id, same users) and gives it the program's setting.
  const again = await start();
  try {
    await again.ensureUserPool({ Id: id, Name: "kept", Arn, UsernameConfiguration: { CaseSensitive: false } });
    expect((await describe(again.url, id))?.UsernameConfiguration).toEqual({ CaseSensitive: false });
    // Set once, as in AWS: a later run does not change it.
    await again.ensureUserPool({ Id: id, Name: "kept", Arn, UsernameConfiguration: { CaseSensitive: true } });
    expect((await describe(again.url, id))?.UsernameConfiguration).toEqual({ CaseSensitive: false });
  } finally {
    await again.stop();
  }
});
