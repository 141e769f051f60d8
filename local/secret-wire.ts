/**
 * Pulumi's wire form of a secret value (`{ <sig key>: <secret sig>, value }`), as the offline mocks record secret
 * inputs: one reader for local/services/secrets.ts and the deploy rules.
 */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A recorded input as the provider gets it: a secret one unwrapped, anything else as it is. */
export function unwrapSecretInput(value: unknown): unknown {
  const wrapped = value as Record<string, unknown> | null | undefined;
  return wrapped !== null && typeof wrapped === "object" && wrapped[SECRET_SIG_KEY] === SECRET_SIG ? wrapped.value : value;
}
