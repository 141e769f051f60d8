/**
 * Callback and logout URLs given after construction (`UserAuth.setCallbackUrls`). The site's URL is
 * only known once the site exists, while the site's edge auth check and its API need this pool first:
 * the app client (the one resource that needs the URL) waits on one deferred Output, which
 * `setCallbackUrls` resolves, so programs wire site ↔ auth ↔ API in construction order.
 */
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgError, type ArgFailure } from "../errors";
import { validateRedirectUrls, type RedirectUrls } from "./spec";

interface Resolved {
  callbackUrls: string[];
  logoutUrls: string[];
}

export class LateRedirects {
  readonly urls: RedirectUrls;
  private readonly resolve: (source: pulumi.Output<Resolved>) => void;
  private set = false;
  private readonly neverSet: () => void;

  constructor(private readonly name: string) {
    const [urls, resolve] = pulumi.deferredOutput<Resolved>();
    this.urls = { callbackUrls: urls.apply((u) => u.callbackUrls), logoutUrls: urls.apply((u) => u.logoutUrls) };
    this.resolve = resolve;
    // A program that never calls setCallbackUrls would leave the client's registration waiting forever; when nothing
    // else is left to run, fail it with the fix instead of Pulumi's generic "promises were still active". Also after a
    // logged error: `pulumi.log.error` does not stop a program, and Pulumi then skips its own check of pending work.
    this.neverSet = () => {
      if (this.set) return;
      this.set = true;
      const error = new ComponentArgError("UserAuth", name, "callbackUrls", undefined, "was never given", "Pass callbackUrls, or call auth.setCallbackUrls([site.url]) once the site exists.");
      resolve(pulumi.output(Promise.reject<Resolved>(error)));
    };
    process.once("beforeExit", this.neverSet);
  }

  /** Validates as the constructor validates `callbackUrls`, then releases the app client. Once only. */
  give(fail: ArgFailure, callbackUrls: pulumi.Input<string>[], logoutUrls: pulumi.Input<string>[] | undefined): void {
    if (this.set) fail("callbackUrls", callbackUrls, "were already set", "Call setCallbackUrls once, with every URL.");
    validateRedirectUrls(fail, callbackUrls, logoutUrls);
    this.set = true;
    process.off("beforeExit", this.neverSet);
    const all = pulumi.all([pulumi.output(callbackUrls), pulumi.output(logoutUrls ?? callbackUrls)]);
    this.resolve(all.apply(([callback, logout]) => ({ callbackUrls: callback, logoutUrls: logout })));
  }
}
