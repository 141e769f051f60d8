/**
 * API Gateway's Route 53 hosted zones: the AliasTarget.HostedZoneId an alias record to an API Gateway custom domain's
 * target names. "The Route 53 Hosted Zone ID column shows the Route 53 Hosted Zone IDs for API Gateway Regional
 * endpoints ... For edge-optimized endpoints, the Route 53 Hosted Zone ID is Z2FDTNDATAQYW2 for all Regions"
 * (Amazon API Gateway endpoints and quotas, https://docs.aws.amazon.com/general/latest/gr/apigateway.html). A regional
 * domain's `regionalHostedZoneId` (v2: `domainNameConfiguration.hostedZoneId`) is its region's value; an
 * edge-optimized domain's `distributionHostedZoneId` is Z2FDTNDATAQYW2 ("The valid value is Z2FDTNDATAQYW2 for all the
 * regions", API Gateway API reference, DomainName).
 *
 * Read by the offline mocks (a domain's zone follows its region, so a plan tells one region's zone from another's) and
 * by the deploy rule Route53AliasTargetHealth (an alias to `d-….execute-api.<region>.amazonaws.com` names that
 * region's zone).
 */

/**
 * Regional zones agreed by two independent copies of the General Reference table (codenize-tools/roadworker's
 * API_GATEWAY_HOSTED_ZONE_NAME_IDS, 2018, citing rande.html#apigateway_region, and a 2024 deployment script citing
 * general/latest/gr/apigateway.html): the stored copy of the AWS page itself has only the page's preamble, not the
 * table's rows. ap-northeast-3 is left out: the two copies disagree (Z2YQB5RD63NC85 before the region's 2021 relaunch,
 * Z22ILHG95FLSZ2 after).
 */
export const API_GATEWAY_REGIONAL_ZONE_IDS: Readonly<Record<string, string>> = Object.freeze({
  "us-east-1": "Z1UJRXOUMOOFQ8",
  "us-east-2": "ZOJJZC49E0EPZ",
  "us-west-1": "Z2MUQ32089INYE",
  "us-west-2": "Z2OJLYMUO9EFXC",
  "ap-south-1": "Z3VO1THU9YC4UR",
  "ap-northeast-1": "Z1YSHQZHG15GKL",
  "ap-northeast-2": "Z20JF4UZKIW1U8",
  "ap-southeast-1": "ZL327KTPIQFUL",
  "ap-southeast-2": "Z2RPCDW04V8134",
  "ca-central-1": "Z19DQILCV0OWEC",
  "eu-central-1": "Z1U9ULNL0V5AJ3",
  "eu-west-1": "ZLY8HYME6SFDD",
  "eu-west-2": "ZJ5UAJN8Y3Z2Q",
  "eu-west-3": "Z3KY65QIEKYHQQ",
  "sa-east-1": "ZCMLWB8V5SYIT",
});

/**
 * Regional zones from one copy of the table only (the 2024 script above): not confirmed against the AWS page, so the
 * offline mocks use them (a wrong one costs nothing there) but Route53AliasTargetHealth does not (a wrong one would
 * refuse a deployable alias).
 */
export const API_GATEWAY_REGIONAL_ZONE_IDS_UNCONFIRMED: Readonly<Record<string, string>> = Object.freeze({
  "af-south-1": "Z2DHW2332DAMTN",
  "ap-east-1": "Z3FD1VL90ND7K5",
  "ap-south-2": "Z0853509Q1135NJ66RUH",
  "ap-northeast-3": "Z22ILHG95FLSZ2",
  "ap-southeast-3": "Z10132843TYUYSLUG4HA3",
  "ap-southeast-4": "Z092189423Y7RJK61311D",
  "ap-southeast-5": "Z0314042F0KBUTZ3X5HF",
  "ca-west-1": "Z04745493436AWVTG1OQY",
  "eu-central-2": "Z09222482MK253X48U76H",
  "eu-north-1": "Z3UWIKFBOOGXPP",
  "eu-south-1": "Z3BT4WSQ9TDYZV",
  "eu-south-2": "Z02499852UI5HEQ5JVWX3",
  "il-central-1": "Z07264553HBI44N5X2CKP",
  "me-central-1": "Z08780021BKYYY8U0YHTV",
  "me-south-1": "Z20ZBPC0SS8806",
  "us-gov-east-1": "Z3SE9ATJYCRCZJ",
  "us-gov-west-1": "Z1K6XKP9SAGWDV",
});

/**
 * The region of an API Gateway regional endpoint's host, `d-<id>.execute-api.<region>.amazonaws.com` (a custom
 * domain's target) or `<api-id>.execute-api.<region>.amazonaws.com`, or undefined for any other name.
 */
export function executeApiRegion(host: string): string | undefined {
  return /^[a-z0-9-]+\.execute-api\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com$/.exec(host.toLowerCase().replace(/\.$/, ""))?.[1];
}
