/**
 * How Pulumi names a resource that is not given a name: its logical (Pulumi) name, a `-`, and 7 random lowercase hex
 * characters (pulumi-terraform-bridge `AutoName`: Separator "-", Randlen 7; pulumi/pulumi `resource.NewUniqueName`).
 * Components that derive resource names from their own name check them against the service's limit with this.
 */
export const AUTONAME_RANDOM_LENGTH = 7;
/** What an autoname adds to the logical name: `-` and the random characters. */
export const AUTONAME_SUFFIX_LENGTH = 1 + AUTONAME_RANDOM_LENGTH;
