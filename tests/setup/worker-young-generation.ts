/**
 * The test workers start with larger semi-spaces (`--max-semi-space-size`, and `--min-semi-space-size` to start at that
 * size, vitest.config.mts): scavenges copy what survives them, and the Pulumi programs, deploy rules and fuzz runs keep most of what they allocate (resource graphs),
 * so with V8's default 16 MB semi-spaces garbage collection was about a third of a shared worker's CPU (issue 15).
 *
 * V8's flag is process-wide, and when it is set it overrides the young generation every worker thread asks for: a local
 * Lambda sandbox's `resourceLimits.maxYoungGenerationSizeMb` (local/lambda-runtime.ts) would get the workers' size
 * instead, and the suite would no longer run what `npm start` runs. A heap reads the flag once, when it is made, so
 * setting it back to 0 (V8's "not set") here, first among the setup files and before any test code can start a worker
 * thread, leaves the test worker's own heap as it started and gives every thread started from now on what it asks for,
 * or V8's default (tests/setup/worker-young-generation.test.ts checks both).
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--max-semi-space-size=0");
// The workers also start at that size (`--min-semi-space-size`): a thread would start at the most its limits allow
// (4 MB of a Lambda sandbox's 8, 16 MB without limits) instead of V8's starting size.
setFlagsFromString("--min-semi-space-size=0");
