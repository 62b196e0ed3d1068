// Starts s3rver (a fake S3) bound to 127.0.0.1 only, with an AWS Signature Version 4 check in front of
// it. Why: s3rver 3.7 looks up the access key id but never computes V4 signatures
// (lib/middleware/authentication.js: "Signature version 4 calculation is unimplemeneted"), so a wrong
// secret key passes there, while real S3 answers 403 SignatureDoesNotMatch. This check is written from
// AWS's SigV4 description, independently of bakeoff's C++ signer (src/aws/sigv4.cc), so tests that pass
// through it also cross-check that signer.
//
// Usage: node s3rver-sigv4.js --port PORT --directory DIR [--configure-bucket NAME]... [--silent]
//
// Checked here: requests with an "Authorization: AWS4-HMAC-SHA256 ..." header whose access key id
// s3rver knows. Left to s3rver: no Authorization header, presigned URLs, V2 signatures, unknown key ids
// (InvalidAccessKeyId), malformed headers, clock skew. The body is not hashed here (s3rver streams it);
// as in S3's canonical request, the signed x-amz-content-sha256 value stands for it.
'use strict';

const crypto = require('crypto');
const { parseArgs } = require('util');
const S3rver = require('s3rver');
// s3rver's own key registry (default account: key id "S3RVER", secret "S3RVER"), so the secret checked
// here is always the one s3rver itself would accept.
const AWSAccount = require('s3rver/lib/models/account');

const { values: argv } = parseArgs({
  options: {
    port: { type: 'string' },
    directory: { type: 'string' },
    'configure-bucket': { type: 'string', multiple: true, default: [] },
    silent: { type: 'boolean', default: false },
  },
});
if (!argv.port || !argv.directory) {
  console.error('s3rver-sigv4: --port and --directory are required');
  process.exit(2);
}

const sha256Hex = (data) => crypto.createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

// Percent-decoding to bytes; a '%' not followed by two hex digits stays literal.
function uriDecode(text) {
  const bytes = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const ch = String.fromCodePoint(text.codePointAt(i));
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes);
}

// SigV4's UriEncode: every byte but A-Z a-z 0-9 - . _ ~ as %XX (upper-case hex); '/' kept if asked.
function uriEncode(bytes, keepSlash) {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// S3: the path decoded once and encoded once (no double encoding, no "."/".." removal), as S3 and MinIO
// do; so a client that encodes a character S3 would not, or fails to encode one, is caught here.
const canonicalUri = (path) => uriEncode(uriDecode(path), true) || '/';

// Parameters decoded, re-encoded, sorted by name and then value; "a" and "a=" both become "a=".
function canonicalQuery(query) {
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [uriEncode(uriDecode(name), false), uriEncode(uriDecode(value), false)];
    })
    .sort(([n1, v1], [n2, v2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([name, value]) => name + '=' + value)
    .join('&');
}

// Header name (lower case) -> canonical value: each value trimmed with inner runs of spaces collapsed,
// repeated headers joined with ','. From rawHeaders, because Node joins repeats in req.headers with ', '.
function canonicalHeaderValues(rawHeaders) {
  const values = new Map();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1].trim().replace(/\s+/g, ' ');
    values.set(name, values.has(name) ? values.get(name) + ',' + value : value);
  }
  return values;
}

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date,
// Signature=hex" -> its parts, or null for anything else (s3rver then judges it).
function parseAuthorization(header) {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(header);
  if (!match) return null;
  const fields = new Map(
    match[1].split(',').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    }),
  );
  const scope = (fields.get('Credential') || '').split('/');
  if (scope.length !== 5 || !fields.get('SignedHeaders') || !fields.get('Signature')) return null;
  return {
    accessKeyId: scope[0],
    scope: scope.slice(1).join('/'),  // date/region/service/aws4_request
    date: scope[1],
    region: scope[2],
    service: scope[3],
    signedHeaders: fields.get('SignedHeaders'),
    signature: fields.get('Signature'),
  };
}

const xmlEscape = (s) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);

// Koa middleware: 403 SignatureDoesNotMatch when the signature is not the one the key's secret gives.
async function verifySigV4(ctx, next) {
  const auth = parseAuthorization(ctx.get('authorization'));
  const account = auth && AWSAccount.registry.get(auth.accessKeyId);
  if (!account) return next();
  const secret = account.accessKeys.get(auth.accessKeyId);

  const headers = canonicalHeaderValues(ctx.req.rawHeaders);
  const amzDate = headers.get('x-amz-date') || '';
  const rawUrl = ctx.req.url;  // as received: s3rver's later middleware rewrites ctx.path
  const q = rawUrl.indexOf('?');
  const signedNames = auth.signedHeaders.split(';');
  const canonicalRequest = [
    ctx.method,
    canonicalUri(q < 0 ? rawUrl : rawUrl.slice(0, q)),
    canonicalQuery(q < 0 ? '' : rawUrl.slice(q + 1)),
    signedNames.map((name) => name + ':' + (headers.get(name) || '') + '\n').join(''),
    auth.signedHeaders,
    headers.get('x-amz-content-sha256') || sha256Hex(''),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, auth.scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac('AWS4' + secret, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const provided = Buffer.from(auth.signature);

  const valid =
    amzDate.slice(0, 8) === auth.date &&
    signedNames.includes('host') &&
    expected.length === provided.length &&
    crypto.timingSafeEqual(expected, provided);
  if (valid) return next();

  console.error('s3rver-sigv4: SignatureDoesNotMatch: %s %s (access key %s)', ctx.method, rawUrl,
                auth.accessKeyId);
  // Real S3 also returns what it signed (never the key), for comparing with the client's side.
  ctx.status = 403;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>' +
    '<Message>The request signature we calculated does not match the signature you provided. ' +
    'Check your key and signing method.</Message>' +
    `<AWSAccessKeyId>${xmlEscape(auth.accessKeyId)}</AWSAccessKeyId>` +
    `<StringToSign>${xmlEscape(stringToSign)}</StringToSign>` +
    `<CanonicalRequest>${xmlEscape(canonicalRequest)}</CanonicalRequest></Error>`;
}

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(argv.port),
  directory: argv.directory,
  silent: argv.silent,
  configureBuckets: argv['configure-bucket'].map((name) => ({ name, configs: [] })),
});
// Koa composes `middleware` when the HTTP server starts (run -> listen -> callback), so this is first,
// ahead of s3rver's logger and its own authentication.
server.middleware.unshift(verifySigV4);
server.run().then(
  (address) => console.log('s3rver (SigV4 checked) listening at http://%s:%s', address.address, address.port),
  (err) => {
    console.error('s3rver-sigv4: ' + err.message);
    process.exit(1);
  },
);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
