/** A test's view of a streaming upload into the file store (ObjectStore.putStream), by promises, never by timing. */
import { FileObjectStore, type ListedObject } from "../../local/s3-server";

/** A file store that tells when its streaming put (an object's or a part's) has its first bytes and how an object's ended (no timing: promises). */
export class WatchedStore extends FileObjectStore {
  received = 0;
  /** The largest chunk a streaming put was given (a body passed on as it arrives, never as one buffer). */
  largestChunk = 0;
  firstBytes!: Promise<void>;
  settled!: Promise<ListedObject | Error>;
  private sawFirst!: () => void;
  constructor(root: string) {
    super(root);
    this.reset();
  }
  /** Bytes counts the test waits for (reached), each with what it resolves. */
  private readonly awaited: Array<{ bytes: number; resolve: () => void }> = [];
  reset(): void {
    this.received = 0;
    this.largestChunk = 0;
    this.firstBytes = new Promise((resolve) => (this.sawFirst = resolve));
  }
  /** Resolves once the streaming puts since the last reset have received `bytes` bytes in all. */
  reached(bytes: number): Promise<void> {
    if (this.received >= bytes) return Promise.resolve();
    return new Promise((resolve) => this.awaited.push({ bytes, resolve }));
  }
  override putStream(...[bucket, object, source, beforeCommit]: Parameters<FileObjectStore["putStream"]>): Promise<ListedObject> {
    const result = super.putStream(bucket, object, this.watched(source), beforeCommit);
    this.settled = result.catch((error: Error) => error);
    return result;
  }
  /** A part's bytes watched as an object's are (UploadPart streams as PutObject does). */
  override putPart(...[uploadId, partNumber, source]: Parameters<FileObjectStore["putPart"]>): ReturnType<FileObjectStore["putPart"]> {
    return super.putPart(uploadId, partNumber, this.watched(source));
  }
  private async *watched(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.received += chunk.length;
      this.largestChunk = Math.max(this.largestChunk, chunk.length);
      this.sawFirst();
      for (const waiting of this.awaited.filter(({ bytes }) => this.received >= bytes)) {
        this.awaited.splice(this.awaited.indexOf(waiting), 1);
        waiting.resolve();
      }
      yield chunk;
    }
  }
}
