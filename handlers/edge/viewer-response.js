// Viewer-response CloudFront Function (cloudfront-js-2.0) of the reference app:
// 1. security headers the response headers policy cannot send (its securityHeadersConfig has
//    no Permissions-Policy or Cross-Origin-* headers), added unless the origin set them;
// 2. the A/B test's sticky cookie: when the viewer-request function assigned a variant
//    (x-experiment-assigned on the request), the viewer gets it as a Set-Cookie.
// CONFIG is baked in by EdgeLogic: { headers: { name: value }, cookieMaxAgeSeconds }.

function handler(event) {
  var request = event.request;
  var response = event.response;
  var headers = CONFIG.headers || {};
  for (var name in headers) {
    if (!response.headers[name]) response.headers[name] = { value: headers[name] };
  }
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
