/** The recording harness and graph queries, as the package ships them in `serverless-fullstack/testing`. */
export { byName, mutate, record, useMocks } from "../../testing/harness";
export type { RecordedResource } from "../../local/offline/mocks";
export * from "../../local/offline/graph";
