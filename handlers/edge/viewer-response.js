// Viewer-response CloudFront Function (cloudfront-js-2.0) of the reference app: the A/B test's
// sticky cookie. When the viewer-request function assigned a variant (x-experiment-assigned on
// the request), the viewer gets it as a Set-Cookie.
// Extra security headers (Permissions-Policy, Cross-Origin-*) are not set here but by the response
// headers policy's custom headers (StaticSite securityHeaders.customHeaders): they then reach every
// behaviour, including those that run Lambda@Edge on viewer events, where CloudFront allows no
// CloudFront Function, and error responses, on which CloudFront runs no viewer-response function.
// CONFIG is baked in by EdgeLogic: { cookieMaxAgeSeconds }.

function handler(event) {
  var request = event.request;
  var response = event.response;
  var assigned = request.headers['x-experiment-assigned'];
  if (assigned) {
    var at = assigned.value.indexOf('=');
    response.cookies[assigned.value.substring(0, at)] = {
      value: assigned.value.substring(at + 1),
      attributes: 'Path=/; Max-Age=' + (CONFIG.cookieMaxAgeSeconds || 2592000) + '; Secure; SameSite=Lax',
    };
  }
  return response;
}
