/**
 * The local app as `npm start` runs it (local/start.ts's startLocalApp, the same
 * printout), for the memory bench: it also signs up a user on the local Cognito and
 * creates an album when asked on stdin ("user"), then prints `BENCH {"token": ..., "dynamodb": ...}` (the
 * local DynamoDB endpoint and the gallery table, for the bench's direct-query baseline); asked
 * "memory", it prints its main thread's memory usage after a full GC (with --expose-gc).
 *   node -r ./local/offline/register.cjs bench/app-worker.ts <stateDir>
 */
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, InitiateAuthCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import { localTables } from "../local/services/dynamodb";
import { startLocalApp, type LocalApp } from "../local/start";

async function signUpAndIn(app: LocalApp, email: string): Promise<string> {
  const env = app.context.environment;
  const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: app.context.run.config.region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  const password = "Correct-horse-9!";
  try {
    await sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }));
    const cognito = app.services.find((s) => s.name === "cognito") as unknown as { emulator: { lastCode(email: string): string } };
    await sdk.send(new ConfirmSignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, ConfirmationCode: cognito.emulator.lastCode(email) }));
  } catch (error) {
    // The state is kept between runs: the user may exist already.
    if ((error as Error).name !== "UsernameExistsException") throw error;
  }
  const result = await sdk.send(new InitiateAuthCommand({ ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: password } }));
  sdk.destroy();
  return result.AuthenticationResult!.IdToken!;
}

async function main(): Promise<void> {
  const stateDir = process.argv[2];
  const app = await startLocalApp({ stack: "dev", port: 0, stateDir });
  console.log(`\nserverless-fullstack is running locally (stack "dev"):`);
  for (const [name, url] of Object.entries(app.urls)) console.log(`  ${name.padEnd(10)} ${url}`);
  console.log("\nPress Ctrl+C to stop.");
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (text: string) => {
    if (text.includes("memory")) {
      // The main thread's own heap after a full collection (run with --expose-gc): what it retains.
      (globalThis as { gc?: () => void }).gc?.();
      console.log(`BENCH ${JSON.stringify(process.memoryUsage())}`);
      return;
    }
    if (!text.includes("user")) return;
    (async () => {
      const env = app.context.environment;
      const token = await signUpAndIn(app, "bench@example.com");
      const created = await fetch(`${app.urls.site}/api/albums`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ title: "Bench album" }) });
      if (created.status !== 201) throw new Error(`creating an album answered ${created.status}`);
      // What the bench needs to run the albums route's own DynamoDB query without the API around it.
      const gallery = (await localTables()).find((t) => t.id.endsWith(".gallery"));
      console.log(`BENCH ${JSON.stringify({ token, dynamodb: { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region: app.context.run.config.region, table: gallery?.tableName } })}`);
    })().catch((error) => {
      console.error(error);
      process.exit(1);
    });
  });
  const shutdown = () => app.stop().then(() => process.exit(0), () => process.exit(1));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
