/**
 * The Route 53 hosted zone a component writes its host names' records into, checked at preview to hold those names.
 *
 * Route 53 refuses nothing when the zone is another one: terraform-provider-aws appends the zone's name to a record
 * name that does not end with it (internal/service/route53/record.go, `expandRecordName`), so `gallery.example.org`
 * in zone `example.com` becomes `gallery.example.org.example.com`, and a certificate's DNS validation record is
 * written there too, where ACM never finds it: `aws.acm.CertificateValidation` then waits its whole create timeout,
 * 75 minutes (internal/service/acm/certificate_validation.go), before `pulumi up` fails. A name that ends in the zone's
 * name without being under it (`notexample.com` in `example.com`: no dot boundary in `expandRecordName`) is sent as
 * it is, and Route 53 refuses it at ChangeResourceRecordSets (a name the zone does not hold); either way the records
 * are not the site's. The zone is read with `aws.route53.getZone({ zoneId })`: given an id, the provider's data source
 * lists no zones; it calls GetHostedZone (twice: the zone, then its name servers) and ListTagsForResource, and for a
 * private zone ListResourceRecordSets too (its NS records) (internal/service/route53/zone_data_source.go,
 * `dataSourceZoneRead`, `findHostedZoneNameServers`). The records themselves need GetHostedZone only (record.go
 * `resourceRecordCreate` reads the zone first), so a lookup the deploying role may not make is a warning, not a
 * refusal. A zone the account does not have is refused, as the records' GetHostedZone would be (NoSuchHostedZone):
 * the provider reports it as a bare `retry.NotFoundError`, whose text is "couldn't find resource" (`findHostedZoneByID`
 * in zone.go; internal/retry/error.go), the AWS error only wrapped. A private zone is refused when the component
 * validates a certificate there: "ACM cannot validate resources in an Amazon VPC private hosted zone or any other
 * private domain" (https://docs.aws.amazon.com/acm/latest/userguide/domain-ownership-validation.html), so
 * CertificateValidation would wait its 75 minutes; with a certificate given, it is a warning (the records resolve
 * only inside the zone's VPCs, which a split-horizon setup may want).
 * The offline mocks answer the lookup without a name, and the check is then skipped. A sub-domain delegated to a zone
 * of its own while the parent zone is given cannot be told from the parent zone's name: the records land in the
 * parent, hidden by the delegation (a documentation point).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";

/** A host name and the argument that gives it, e.g. `{ argument: "domain.aliases[0]", host: "www.example.com" }`. */
export interface ZoneHost {
  argument: string;
  host: string;
}

/** DNS names compare without case and without the root's trailing dot. */
function dnsName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Whether zone `zoneName` holds `host` (the zone's apex, a name under it, or a wildcard under it). */
export function zoneHolds(zoneName: string, host: string): boolean {
  const zone = dnsName(zoneName);
  const name = dnsName(host);
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * How getZone reports a zone id the account does not have: by id, `retry.NotFoundError`'s "couldn't find resource"
 * (with " (N retries)" when retried; the lookup here is always getZone, and its only NotFound in the id path is
 * GetHostedZone's NoSuchHostedZone); by name, SingularDataSourceFindError's "no matching Route 53 Hosted Zone found";
 * NoSuchHostedZone itself, should a version print the AWS error.
 */
const NO_SUCH_ZONE = /couldn't find resource|no matching Route 53 Hosted Zone found|NoSuchHostedZone/i;

/**
 * `zoneId`, once the zone is known to hold every one of `hosts`; otherwise the refusal (`fail`, naming `argument`).
 * `label` names the component in a warning (`StaticSite "site"`); `validates` says the component writes certificate
 * validation records there too (the 75-minute wait); `reached` names what is not reachable at a name the zone does not hold
 * (StaticSite's "the site"; an API's "the API").
 */
export function zoneHoldingHosts(
  fail: ArgFailure,
  label: string,
  argument: string,
  zoneId: string,
  hosts: readonly ZoneHost[],
  validates: boolean,
  parent: pulumi.Resource,
  reached = "the site",
): pulumi.Output<string> {
  const names = hosts.map((h) => h.host).join(", ");
  const looked = aws.route53.getZone({ zoneId }, { parent }).then(
    (zone) => ({ name: zone.name as string | undefined, privateZone: zone.privateZone === true }),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (NO_SUCH_ZONE.test(message)) {
        fail(argument, zoneId, "is not a hosted zone of this account (Route 53 lists no zone with this id), so writing its records fails (NoSuchHostedZone)",
          "Give the id of the public hosted zone that holds these names: aws route53 list-hosted-zones-by-name --dns-name <name>.");
      }
      pulumi.log.warn(
        `${label}: ${argument} "${zoneId}" could not be looked up at preview (getZone: ${message}), so whether the zone holds ${names} was not checked. ` +
          "The lookup by id needs route53:GetHostedZone and route53:ListTagsForResource (and route53:ListResourceRecordSets for a private zone); " +
          "the records themselves need only GetHostedZone. Without those permissions, or with an id Route 53 does not take as one (InvalidInput), this warning is given on every preview.",
        parent,
      );
      return undefined;
    },
  );
  return pulumi.output(
    looked.then((zone) => {
      if (!zone?.name) return zoneId;
      const zoneName = dnsName(zone.name);
      if (zone.privateZone) {
        const problem = `is the private hosted zone ${zoneName}, whose records resolve only inside the VPCs associated with it`;
        if (validates) {
          fail(argument, zoneId, `${problem}, and ACM validates a certificate through public DNS ("ACM cannot validate resources in an Amazon VPC private hosted zone"): \`pulumi up\` would wait 75 minutes for the certificate and fail`,
            `Give the id of the public hosted zone that holds these names (aws route53 list-hosted-zones-by-name --dns-name ${hosts[0].host}), or a validated certificate as certificateArn.`);
        }
        pulumi.log.warn(`${label}: ${argument} "${zoneId}" ${problem}: ${names} will not resolve on the internet. Give the public zone's id unless that is what you want.`, parent);
      }
      const outside = hosts.filter(({ host }) => !zoneHolds(zoneName, host));
      if (outside.length === 0) return zoneId;
      const first = outside[0];
      const held = outside.map(({ argument: a, host }) => `${a} "${host}"`).join(", ");
      // The provider appends the zone's name to a record name that does not end with it (no dot boundary: record.go
      // `expandRecordName`); one that does end with it is sent as it is, and Route 53 refuses a name outside the zone.
      const appended = !dnsName(first.host).endsWith(zoneName);
      const consequence = appended
        ? `the provider writes a name that does not end in the zone's name as a name under the zone (${dnsName(first.host)}.${zoneName}), so ${reached} is not reachable at its name` +
          (validates ? `, and the certificate's validation record would be written under the zone too, where ACM never finds it: \`pulumi up\` would wait 75 minutes for the certificate and fail` : "")
        : `Route 53 refuses a record for a name outside the zone, so \`pulumi up\` fails writing the records (ChangeResourceRecordSets)`;
      fail(
        argument,
        zoneId,
        `is the hosted zone ${zoneName}, which does not hold ${held}: ${consequence}`,
        `Give the id of the hosted zone of ${first.host} (aws route53 list-hosted-zones-by-name --dns-name ${first.host}); when a sub-domain is delegated to a zone of its own, that zone's id.`,
      );
    }),
  );
}
