import cf from 'cloudfront';

// Viewer-request CloudFront Function (cloudfront-js-2.0) of the reference app, in order:
// 1. canonical host: requests for any other host get a 301 to https://<canonicalHost><uri>
// 2. redirects: an exact path found in the KeyValueStore gets a 301 to the stored value
// 3. clean URLs: "/docs/" -> "/docs/index.html"; an extension-less "/about" -> "/about.html"
//    (cleanUrls "html", the site's layout) or "/about/index.html" (cleanUrls "index");
//    with spaFallback set, extension-less paths serve that document instead (single-page apps)
// 4. A/B test (seed 003): a sticky cookie holds the visitor's variant; visitors without one
//    are assigned one by weight, and the request is rewritten under the variant's prefix.
//    The viewer-response function turns the assignment into a Set-Cookie.
// CONFIG is baked in by EdgeLogic: { canonicalHost, redirects, cleanUrls, spaFallback, experiment }.

var ASSIGNED_HEADER = 'x-experiment-assigned';

async function handler(event) {
  var request = event.request;
  var host = request.headers.host ? request.headers.host.value : '';
  if (CONFIG.canonicalHost && host && host !== CONFIG.canonicalHost && !isLoopback(host)) {
    return redirect('https://' + CONFIG.canonicalHost + request.uri + queryString(request.querystring));
  }
  if (CONFIG.redirects) {
    var kvs = cf.kvs();
    if (await kvs.exists(request.uri)) return redirect((await kvs.get(request.uri)) + queryString(request.querystring));
  }
  request.uri = cleanUri(request.uri);
  applyExperiment(request, CONFIG.experiment);
  return request;
}

// CloudFront never sees a loopback Host; `npm start` does, and must not be sent to the real domain.
function isLoopback(host) {
  var name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '127.0.0.1' || name === '[::1]';
}

function redirect(location) {
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: { location: { value: location }, 'cache-control': { value: 'max-age=3600' } },
  };
}

function cleanUri(uri) {
  if (uri.endsWith('/')) return uri + 'index.html';
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') !== -1) return uri;
  if (CONFIG.spaFallback) return '/' + CONFIG.spaFallback;
  if (CONFIG.cleanUrls === 'html') return uri + '.html';
  if (CONFIG.cleanUrls === 'index') return uri + '/index.html';
  return uri;
}

function applyExperiment(request, experiment) {
  if (!experiment || experiment.paths.indexOf(request.uri) === -1) return;
  var cookie = request.cookies[experiment.cookie];
  var variant = cookie ? findVariant(experiment.variants, cookie.value) : undefined;
  if (!variant) {
    variant = pickVariant(experiment.variants);
    request.cookies[experiment.cookie] = { value: variant.name };
    request.headers[ASSIGNED_HEADER] = { value: experiment.cookie + '=' + variant.name };
  }
  if (variant.prefix) request.uri = variant.prefix + request.uri;
}

function findVariant(variants, name) {
  for (var i = 0; i < variants.length; i++) if (variants[i].name === name) return variants[i];
  return undefined;
}

function pickVariant(variants) {
  var total = 0;
  for (var i = 0; i < variants.length; i++) total += variants[i].weight;
  var roll = Math.random() * total;
  for (var j = 0; j < variants.length; j++) {
    roll -= variants[j].weight;
    if (roll < 0) return variants[j];
  }
  return variants[variants.length - 1];
}

function queryString(querystring) {
  var parts = [];
  for (var name in querystring) {
    var entry = querystring[name];
    var values = entry.multiValue ? entry.multiValue : [entry];
    for (var i = 0; i < values.length; i++) parts.push(name + (values[i].value === '' ? '' : '=' + values[i].value));
  }
  return parts.length ? '?' + parts.join('&') : '';
}
