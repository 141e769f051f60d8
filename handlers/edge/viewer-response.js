// Viewer-response CloudFront Function (cloudfront-js-2.0) of the reference app: the A/B test's sticky
// cookie. The viewer-request function drops any client-sent x-experiment-assigned and sets its own
// assignment there; this turns it into a Set-Cookie, and only when name and variant are the configured
// experiment's, so no client text ever reaches Set-Cookie. Security headers come from the response
// headers policy (docs/edge.md). CONFIG is baked in by EdgeLogic: { cookieMaxAgeSeconds, cookie, variants }.

function handler(event) {
  var response = event.response;
  var assigned = event.request.headers['x-experiment-assigned'];
  var pair = assigned ? assigned.value.split('=') : [];
  if (CONFIG.cookie && pair.length === 2 && pair[0] === CONFIG.cookie && (CONFIG.variants || []).indexOf(pair[1]) !== -1) {
    response.cookies[pair[0]] = {
      value: pair[1],
      attributes: 'Path=/; Max-Age=' + (CONFIG.cookieMaxAgeSeconds || 2592000) + '; Secure; SameSite=Lax',
    };
  }
  return response;
}
