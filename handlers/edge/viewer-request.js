import cf from 'cloudfront';

// Viewer-request CloudFront Function (cloudfront-js-2.0) of the reference app; docs/edge.md explains each step.
// CONFIG is baked in by EdgeLogic: { canonicalHost, redirects, cleanUrls, spaFallback, directoryIndex, experiment }.

var ASSIGNED = 'x-experiment-assigned';

async function handler(event) {
  var request = event.request;
  delete request.headers[ASSIGNED];
  // Behaviours match the path with its escapes left as sent, but S3 decodes them (/%61ccount/x, /account%2fx): one spelling per key.
  var uri = request.uri.replace(/%([0-9a-f]{2})/gi, function (m, h) {
    var c = String.fromCharCode(parseInt(h, 16));
    return /[\w.~-]/.test(c) ? c : m;
  });
  if (/%(2f|5c)|\\|\/\.\.?(\/|$)/i.test(uri)) return { statusCode: 400, statusDescription: 'Bad Request' };
  var query = queryString(request.querystring);
  if (uri !== request.uri) return redirect(uri + query);
  var host = request.headers.host ? request.headers.host.value : '';
  if (CONFIG.canonicalHost && host && host !== CONFIG.canonicalHost && !isLoopback(host)) {
    return redirect('https://' + CONFIG.canonicalHost + uri + query);
  }
  if (CONFIG.redirects) {
    var kvs = cf.kvs();
    if (await kvs.exists(uri)) return redirect((await kvs.get(uri)) + query);
  }
  request.uri = cleanUri(uri);
  applyExperiment(request, CONFIG.experiment);
  return request;
}

// `npm start`'s loopback Host must not be sent to the real domain.
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

// A folder URI serves its index document, as StaticSite's own function does where this one does not run.
// directoryIndex: the file name (index.html when unset), or false: then the SPA root with spaFallback (as StaticSite's
// spa: true serves every folder URI), else the URI as it is.
function cleanUri(uri) {
  if (uri.endsWith('/')) {
    var index = CONFIG.directoryIndex === undefined ? 'index.html' : CONFIG.directoryIndex;
    if (index) return uri + index;
    return CONFIG.spaFallback ? '/' + CONFIG.spaFallback : uri;
  }
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
    request.headers[ASSIGNED] = { value: experiment.cookie + '=' + variant.name };
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

// As sent: CloudFront Functions get query values still percent-encoded.
function queryString(querystring) {
  var parts = [];
  for (var name in querystring) {
    var entry = querystring[name];
    var values = entry.multiValue ? entry.multiValue : [entry];
    for (var i = 0; i < values.length; i++) parts.push(name + (values[i].value === '' ? '' : '=' + values[i].value));
  }
  return parts.length ? '?' + parts.join('&') : '';
}
