/**
 * The region a call is signed for and addressed to: `home`, the variable naming the home region's resource (the
 * bucket, the queue, the bus) when RegionalApis runs the function in another region, else the function's own
 * (AWS_REGION, which Lambda sets; AWS_DEFAULT_REGION, which the SDK reads too). A module of its own: the queue
 * consumers' bundles need it without the signing code.
 */
export function regionOr(home: string | undefined): string {
  const region = home || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("AWS_REGION is not set");
  return region;
}
