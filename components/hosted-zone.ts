/**
 * The Route 53 hosted zone a component writes its host names' records into, checked at preview to hold those names.
 *
 * Route 53 refuses nothing when the zone is another one: terraform-provider-aws appends the zone's name to a record
 * name that does not end with it (internal/service/route53/record.go, `expandRecordName`), so `gallery.example.org`
 * in zone `example.com` becomes `gallery.example.org.example.com`, and a certificate's DNS validation record is
 * written there too, where ACM never finds it: `aws.acm.CertificateValidation` then waits its whole create timeout,
 * 75 minutes (internal/service/acm/certificate_validation.go), before `pulumi up` fails. The zone's name is read with
 * `aws.route53.getZone` (the provider's data source: ListHostedZones, GetHostedZone and ListTagsForResource,
 * internal/service/route53/zone_data_source.go). The records themselves need GetHostedZone only (record.go
 * `resourceRecordCreate` reads the zone first), so a lookup the deploying role may not make is a warning, not a
 * refusal; a zone the account does not have is refused, as the records' GetHostedZone would be (NoSuchHostedZone).
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

/** How the data source reports a zone id the account does not have: tfresource.SingularDataSourceFindError's wording. */
const NO_SUCH_ZONE = /no matching Route 53 Hosted Zone found|NoSuchHostedZone/i;

/**
 * `zoneId`, once the zone is known to hold every one of `hosts`; otherwise the refusal (`fail`, naming `argument`).
 * `label` names the component in a warning (`StaticSite "site"`); `validates` says the component writes certificate
 * validation records there too (the 75-minute wait).
 */
export function zoneHoldingHosts(
  fail: ArgFailure,
  label: string,
  argument: string,
  zoneId: string,
  hosts: readonly ZoneHost[],
  validates: boolean,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const looked = aws.route53.getZone({ zoneId }, { parent }).then(
    (zone) => zone.name as string | undefined,
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (NO_SUCH_ZONE.test(message)) {
        fail(argument, zoneId, "is not a hosted zone of this account (Route 53 lists no zone with this id), so writing its records fails (NoSuchHostedZone)",
          "Give the id of the public hosted zone that holds these names: aws route53 list-hosted-zones-by-name --dns-name <name>.");
      }
      pulumi.log.warn(
        `${label}: ${argument} "${zoneId}" could not be looked up at preview (getZone: ${message}), so whether the zone holds ${hosts.map((h) => h.host).join(", ")} was not checked. ` +
          "The lookup needs route53:ListHostedZones, route53:GetHostedZone and route53:ListTagsForResource; the records themselves need only GetHostedZone.",
        parent,
      );
      return undefined;
    },
  );
  return pulumi.output(
    looked.then((zoneName) => {
      if (!zoneName) return zoneId;
      const outside = hosts.filter(({ host }) => !zoneHolds(zoneName, host));
      if (outside.length === 0) return zoneId;
      const first = outside[0];
      const written = `${dnsName(first.host)}.${dnsName(zoneName)}`;
      fail(
        argument,
        zoneId,
        `is the hosted zone ${dnsName(zoneName)}, which does not hold ${outside.map(({ argument: a, host }) => `${a} "${host}"`).join(", ")}: Route 53 would take the records as names under the zone (${written}), so the site is not reachable at its name` +
          (validates ? `, and the certificate's validation record would be written as a name under the zone too, where ACM never finds it: \`pulumi up\` would wait 75 minutes for the certificate and fail` : ""),
        `Give the id of the hosted zone of ${first.host} (aws route53 list-hosted-zones-by-name --dns-name ${first.host}); when a sub-domain is delegated to a zone of its own, that zone's id.`,
      );
    }),
  );
}
