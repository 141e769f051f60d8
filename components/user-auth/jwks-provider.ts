/**
 * The dynamic provider behind UserAuth's `jwks` (jwks.ts): reads the user pool's public
 * signing keys from `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`
 * once the pool exists, and keeps them in the stack's state, so Lambda authorizers get them
 * baked into their bundle instead of fetching them on every cold start (issue 15).
 *
 * When the engine calls what, and why that is the behaviour we want:
 * - `pulumi preview`: `check` and `diff` only — no request. A new pool's keys are unknown (so
 *   is the authorizer's code); an existing pool's come from the state, so a second preview
 *   builds the same code as deployed and shows no diff.
 * - `pulumi up`: `create` (a new pool) or `update` (the pool, hence its URL, changed) fetch
 *   the keys; an unchanged pool is left alone, so repeated deploys neither fetch nor differ.
 * - `pulumi refresh`: `read` fetches again, so a rotated key reaches the next `pulumi up`; a pool Cognito says does
 *   not exist (deleted outside Pulumi) reads as deleted, so the refresh drops this resource instead of failing. Until
 *   then a token signed with a key the baked set lacks makes aws-jwt-verify fetch the pool's
 *   current keys (handlers/shared/jwt.ts), as AWS recommends: cache keys by `kid`, refetch on an
 *   unknown one. https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 * - `pulumi destroy`: `delete` has nothing to remove (the keys are the pool's, read-only).
 * - Pulumi mocks (tests, `npm run plan`, `npm start`): never called — no network, no DNS wait.
 *
 * Pulumi runs this file's bundle in its dynamic-provider host (jwks.ts), so it imports nothing
 * at run time: the platform's `fetch` (Node ≥ 18) is all it uses.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface JwksInputs {
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`. */
  jwksUrl: string;
}

export interface JwksOutputs extends JwksInputs {
  /** The key set as canonical JSON (`{"keys":[…]}`, keys ordered by `kid`): the same keys always give the same text. */
  jwks: string;
}

/** How the provider reads a URL; the platform's fetch, or a stand-in in tests. */
export type FetchText = (url: string) => Promise<{ status: number; text: string }>;

export interface JwksProviderOptions {
  fetchText?: FetchText;
  /** Waits between attempts. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits between attempts at reading the key set of a pool `pulumi up` has just created or switched to: its JWKS may
 * answer 404 (or Cognito's not-found) for a moment after CreateUserPool, for how long AWS does not document, and a
 * deploy that gives up fails part-way with the pool made and its authorizers not: ~62 s in all (review 103 #3: ~7 s
 * was the whole budget).
 */
const CREATE_RETRY_DELAYS_MS = [500, 1500, 5000, 10_000, 15_000, 30_000];

/**
 * Waits between attempts at a refresh (`read`), of a pool that has existed since its deploy: a network hiccup should
 * not fail it, and a pool deleted outside Pulumi answers not-found each time, so ~7 s settles it.
 */
const READ_RETRY_DELAYS_MS = [500, 1500, 5000];

/** How long `delays` wait in all, in whole seconds, as the errors say it. */
const totalSeconds = (delays: readonly number[]): number => Math.round(delays.reduce((sum, ms) => sum + ms, 0) / 1000);

/**
 * How Pulumi's dynamic-provider host passes a value unknown at preview (`rpc.unknownValue` in
 * @pulumi/pulumi's runtime/rpc): the pool's URL before the pool exists.
 */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What `fetchJwks` answers when Cognito says the pool does not exist. */
const POOL_GONE = Symbol("pool gone");

/**
 * Whether an answer says, in so many words, that the user pool does not exist: Cognito's `ResourceNotFoundException`
 * (the error its API gives for a user pool id it does not know, e.g. DescribeUserPool's "User pool <id> does not
 * exist."), or that message. What the public JWKS endpoint answers for a deleted pool (status and body) is not
 * documented and was not confirmed here, so a bare 404 (also a pool created a moment ago, or a wrong URL) or any
 * other failure is not taken to mean "deleted": only an explicit not-found is.
 */
function saysPoolNotFound(answer: { status: number; text: string }): boolean {
  if (answer.status !== 400 && answer.status !== 404) return false;
  return /ResourceNotFoundException/.test(answer.text) || /User pool \S+ does not exist/i.test(answer.text);
}

const platformFetch: FetchText = async (url) => {
  const response = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
};

/** The JWKS in canonical form, or an error saying what is wrong with it. */
export function canonicalJwks(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("is not JSON");
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('has no "keys"');
  for (const key of keys as Array<Record<string, unknown>>) {
    if (typeof key !== "object" || key === null || typeof key.kid !== "string" || typeof key.kty !== "string") throw new Error("has a key without kid or kty");
  }
  const sorted = [...(keys as Array<Record<string, unknown>>)]
    .map((key) => Object.fromEntries(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
    .sort((a, b) => (String(a.kid) < String(b.kid) ? -1 : String(a.kid) > String(b.kid) ? 1 : 0));
  return JSON.stringify({ keys: sorted });
}

/**
 * What a failure to read a pool's keys says: the component and the pool (`UserAuth (user pool <id>)`, the id from the
 * URL's path, `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`), what failed, and what to
 * check. The engine prints the resource (UserPoolJwks, `<UserAuth name>-jwks`) beside it; the provider is not told it.
 */
function failureText(url: string, problem: string, check: string): string {
  return `UserAuth (user pool ${poolIdOf(url)}): reading the pool's signing keys (JWKS) from ${url} failed: ${problem}. ${check}`;
}

/** The pool id in a JWKS URL's path (`/<poolId>/.well-known/jwks.json`): its first segment. */
function poolIdOf(url: string): string {
  return new URL(url).pathname.split("/")[1] ?? url;
}

/** What to check when the pool's keys could not be read, by how the last attempt failed. */
function checkFor(url: string, failure: "network" | "answer" | number): string {
  const { host } = new URL(url);
  if (failure === "network") return `Check that this machine reaches ${host} (the Cognito endpoint the AWS provider uses; a firewall or proxy may block it)`;
  if (failure === 404) {
    const region = /^cognito-idp\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host)?.[1];
    return `Check that the pool exists (aws cognito-idp describe-user-pool${region ? ` --region ${region}` : ""} --user-pool-id ${poolIdOf(url)})`;
  }
  if (failure === 429 || (typeof failure === "number" && failure >= 500)) return "Cognito is throttling or failing: wait a few minutes";
  return `Check that nothing between this machine and ${host} (a proxy) answers in Cognito's place`;
}

/** What a create or update adds to a failure: why it fails the deploy, and to deploy again. */
const DEPLOY_AGAIN = ", then run `pulumi up` again: the keys are baked into the pool's Lambda authorizers, which are not deployed without them.";

/** A Cognito (or any issuer's) JWKS URL must be https: the keys decide who signs in. */
function urlProblem(url: unknown): string | undefined {
  if (typeof url !== "string" || !/^https:\/\/[^/]+\/.+/.test(url)) return `jwksUrl ${JSON.stringify(url)} is not an https URL`;
  return undefined;
}

export function createJwksProvider(options: JwksProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const fetchText = options.fetchText ?? platformFetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));

  /** The key set, or "gone" when Cognito said in so many words that the pool does not exist; throws otherwise. */
  async function fetchJwks(url: string, delays: readonly number[]): Promise<string | typeof POOL_GONE> {
    let last = "";
    let failure: Parameters<typeof checkFor>[1] = "network";
    let gone = false;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await sleep(delays[attempt - 1]);
      let answer: { status: number; text: string };
      try {
        answer = await fetchText(url);
      } catch (error) {
        last = `it could not be fetched (${(error as Error).message})`;
        failure = "network";
        gone = false;
        continue;
      }
      if (answer.status !== 200) {
        last = `Cognito answered HTTP ${answer.status}`;
        failure = answer.status;
        gone = saysPoolNotFound(answer);
        // 404: a pool created a moment ago; 429/5xx: try again. Any other answer will not change.
        // An explicit not-found too: a new pool may not be known everywhere yet; a deleted one answers the same each time.
        if (gone || answer.status === 404 || answer.status === 429 || answer.status >= 500) continue;
        break;
      }
      try {
        return canonicalJwks(answer.text);
      } catch (error) {
        last = `its answer ${(error as Error).message}`;
        failure = "answer";
        gone = false;
        break;
      }
    }
    if (gone) return POOL_GONE;
    // Without the way on (a create's or a refresh's): each caller adds its own.
    throw new Error(failureText(url, last, checkFor(url, failure)));
  }

  /** The keys of a pool `pulumi up` creates or switches to. */
  async function newPoolJwks(url: string): Promise<string> {
    let jwks: string | typeof POOL_GONE;
    try {
      jwks = await fetchJwks(url, CREATE_RETRY_DELAYS_MS);
    } catch (error) {
      throw new Error(`${(error as Error).message}${DEPLOY_AGAIN}`);
    }
    if (jwks === POOL_GONE) {
      const problem = `Cognito says the pool does not exist (after ~${totalSeconds(CREATE_RETRY_DELAYS_MS)} s of retries)`;
      throw new Error(`${failureText(url, problem, "If the pool was deleted outside Pulumi, run `pulumi refresh` (this resource then reads as deleted)")}${DEPLOY_AGAIN}`);
    }
    return jwks;
  }

  return {
    async check(_olds: JwksInputs, news: JwksInputs) {
      // An unknown URL (a pool still to be created, in preview) is not a URL yet: nothing to check.
      const problem = news.jwksUrl === UNKNOWN ? undefined : urlProblem(news.jwksUrl);
      return problem ? { inputs: news, failures: [{ property: "jwksUrl", reason: problem }] } : { inputs: news };
    },
    async diff(_id: string, olds: JwksOutputs, news: JwksInputs) {
      // Only another pool (another URL) means other keys; the provider's own code changing does not.
      return { changes: olds.jwksUrl !== news.jwksUrl };
    },
    async create(inputs: JwksInputs) {
      const outs: JwksOutputs = { jwksUrl: inputs.jwksUrl, jwks: await newPoolJwks(inputs.jwksUrl) };
      return { id: inputs.jwksUrl, outs };
    },
    async update(_id: string, _olds: JwksOutputs, news: JwksInputs) {
      const outs: JwksOutputs = { jwksUrl: news.jwksUrl, jwks: await newPoolJwks(news.jwksUrl) };
      return { outs };
    },
    async read(id: string, props?: JwksOutputs) {
      const jwksUrl = props?.jwksUrl ?? id;
      let jwks: string | typeof POOL_GONE;
      try {
        jwks = await fetchJwks(jwksUrl, READ_RETRY_DELAYS_MS);
      } catch (error) {
        throw new Error(
          `${(error as Error).message}. \`pulumi refresh\` cannot tell whether the pool still exists: run it where Cognito is reachable; if the pool is gone and Cognito cannot say so, remove this resource with \`pulumi state delete\` (it holds only the pool's public keys).`,
        );
      }
      // A pool deleted outside Pulumi: a blank id tells the engine the resource is gone ("The ID of the resource
      // ready back (or blank if missing)", @pulumi/pulumi dynamic ReadResult.id), so `pulumi refresh` drops it
      // instead of failing, and the next `pulumi up` reads the keys of the pool it creates again.
      if (jwks === POOL_GONE) return { id: undefined, props: undefined };
      return { id, props: { jwksUrl, jwks } satisfies JwksOutputs };
    },
    async delete() {
      // The keys belong to the pool: there is nothing of ours in AWS to remove.
    },
  };
}

/** What Pulumi's dynamic-provider host runs (jwks.ts serialises this module). */
export const jwksProvider = createJwksProvider();
