// CloudFront Function (cloudfront-js-2.0), viewer request: /about → /about.html, /docs/ → /docs/index.html.
function handler(event) {
  var request = event.request;
  if (request.uri.endsWith("/")) request.uri += "index.html";
  else if (request.uri.lastIndexOf(".") < request.uri.lastIndexOf("/")) request.uri += ".html";
  return request;
}
