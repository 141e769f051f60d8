/** A test's view of a streaming upload into the file store (ObjectStore.putStream), by promises, never by timing. */
import { FileObjectStore, type ListedObject } from "../../local/s3-server";

/** A file store that tells when its streaming put has its first bytes and how it ended (no timing: promises). */
export class WatchedStore extends FileObjectStore {
  received = 0;
  firstBytes!: Promise<void>;
  settled!: Promise<ListedObject | Error>;
  private sawFirst!: () => void;
  constructor(root: string) {
    super(root);
    this.reset();
  }
  reset(): void {
    this.received = 0;
    this.firstBytes = new Promise((resolve) => (this.sawFirst = resolve));
  }
  override putStream(...[bucket, object, source, beforeCommit]: Parameters<FileObjectStore["putStream"]>): Promise<ListedObject> {
    const watched = async function* (this: WatchedStore) {
      for await (const chunk of source) {
        this.received += chunk.length;
        this.sawFirst();
        yield chunk;
      }
    }.call(this);
    const result = super.putStream(bucket, object, watched, beforeCommit);
    this.settled = result.catch((error: Error) => error);
    return result;
  }
}
