/**
 * Components publish their normalised spec (plain data) here when constructed.
 * The local runtime (`local/`) runs `index.ts` under Pulumi mocks and reads the
 * specs back, so `npm start` serves exactly what `pulumi up` deploys — one
 * source of truth, never a second hand-written description of the app.
 *
 * The registry lives on `globalThis` under a registered symbol so that every
 * copy of this module (a library consumer may load two) shares it.
 */
const REGISTRY_KEY = Symbol.for("serverless-fullstack.spec-registry");

export interface RegisteredSpec<T = unknown> {
  /** Component class name, e.g. "StaticSite". */
  kind: string;
  /** The Pulumi resource name the component was constructed with. */
  name: string;
  spec: T;
}

function registry(): RegisteredSpec[] {
  const holder = globalThis as unknown as Record<symbol, RegisteredSpec[] | undefined>;
  return (holder[REGISTRY_KEY] ??= []);
}

export function registerSpec<T>(kind: string, name: string, spec: T): void {
  registry().push({ kind, name, spec });
}

/** Specs registered so far, optionally only those of one component kind. */
export function registeredSpecs<T = unknown>(kind?: string): RegisteredSpec<T>[] {
  return registry().filter((entry) => kind === undefined || entry.kind === kind) as RegisteredSpec<T>[];
}

export function clearRegisteredSpecs(): void {
  registry().length = 0;
}
