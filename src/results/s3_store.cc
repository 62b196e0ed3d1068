#include "results/s3_store.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/encoding.h"
#include "aws/sigv4.h"

namespace bakeoff {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string XmlUnescape(std::string s) {
  const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1)) {
      s.replace(at, std::string(from).size(), to);
    }
  }
  return s;
}

// The text of every <tag>...</tag> in `xml` (S3's list responses are flat enough for this).
std::vector<std::string> XmlValues(const std::string& xml, const std::string& tag) {
  std::vector<std::string> values;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at)) {
    const size_t start = at + open.size();
    const size_t end = xml.find(close, start);
    if (end == std::string::npos) break;
    values.push_back(XmlUnescape(xml.substr(start, end - start)));
    at = end + close.size();
  }
  return values;
}

std::string Join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ContentType(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return "application/json";
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".csv") return "text/csv";
  return "text/plain";
}

// What to check after S3 refused the credentials; names the key id and its source, never the secret.
std::string AuthenticationHint(const std::string& code, const aws::Credentials& credentials) {
  std::string why;
  if (code == "SignatureDoesNotMatch") why = "the secret access key does not match ";
  if (code == "InvalidAccessKeyId") why = "the endpoint does not know ";
  const std::string check = credentials.source.empty()
                                ? "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                                : "aws_access_key_id and aws_secret_access_key in " + credentials.source;
  return "authentication failed: check " + check + " (" + why + aws::Describe(credentials) + ")";
}

}  // namespace

bool IsS3Url(const std::string& text) {
  return text.rfind("s3://", 0) == 0;
}

Result<S3Location> ParseS3Url(const std::string& url) {
  if (!IsS3Url(url)) return InvalidArgument("not an s3:// URL: " + url);
  const std::string rest = url.substr(5);
  const size_t slash = rest.find('/');
  S3Location loc;
  loc.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) loc.prefix = rest.substr(slash + 1);
  while (!loc.prefix.empty() && loc.prefix.back() == '/') loc.prefix.pop_back();
  if (loc.bucket.empty()) return InvalidArgument("expected s3://bucket/prefix, got " + url);
  return loc;
}

Result<std::unique_ptr<S3Store>> S3Store::Create(const S3Options& options) {
  Result<aws::Credentials> credentials = aws::ResolveCredentials({.allow_shared_file = true});
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<S3Store> store(new S3Store());
  store->credentials_ = *credentials;
  store->region_ = aws::ResolveRegion(options.region, "us-east-1");
  store->endpoint_ = options.endpoint;
  if (store->endpoint_.empty()) store->endpoint_ = Env("AWS_ENDPOINT_URL_S3");
  if (store->endpoint_.empty()) store->endpoint_ = Env("AWS_ENDPOINT_URL");
  if (store->endpoint_.empty()) store->endpoint_ = "https://s3." + store->region_ + ".amazonaws.com";
  while (!store->endpoint_.empty() && store->endpoint_.back() == '/') store->endpoint_.pop_back();
  const size_t scheme = store->endpoint_.find("://");
  if (scheme == std::string::npos)
    return InvalidArgument("s3 endpoint without http(s)://: " + options.endpoint);
  store->host_ = store->endpoint_.substr(scheme + 3);
  store->host_ = store->host_.substr(0, store->host_.find('/'));
  store->http_ = std::make_unique<aws::HttpClient>();
  return store;
}

Result<aws::HttpResponse> S3Store::Request(const std::string& method, const std::string& bucket,
                                           const std::string& key, const std::string& query,
                                           const std::string& body, const std::string& content_type) {
  aws::SignableRequest request;
  request.method = method;
  request.path = "/" + aws::UriEncode(bucket, false) + (key.empty() ? "" : "/" + aws::UriEncode(key, true));
  request.query = query;
  request.headers = {{"host", host_}};
  if (!content_type.empty()) request.headers.push_back({"content-type", content_type});
  request.payload = body;
  aws::SigningParams params;
  params.region = region_;
  params.service = "s3";
  params.time = std::chrono::system_clock::now();
  params.normalize_path = false;
  params.encode_path = false;
  params.add_content_sha256_header = true;
  Result<aws::SignedHeaders> signed_headers = aws::SignV4(request, credentials_, params);
  if (!signed_headers.ok()) return signed_headers.status();
  std::vector<aws::HttpHeader> headers;
  if (!content_type.empty()) headers.push_back({"Content-Type", content_type});
  for (const aws::HttpHeader& h : signed_headers->headers) headers.push_back(h);
  const std::string url = endpoint_ + request.path + (query.empty() ? "" : "?" + query);
  Result<aws::HttpResponse> response = http_->Send(method, url, headers, body);
  if (!response.ok()) return Unavailable("s3: " + response.status().message());
  if (response->status >= 200 && response->status < 300) return response;
  const std::vector<std::string> codes = XmlValues(response->body, "Code");
  const std::vector<std::string> messages = XmlValues(response->body, "Message");
  const std::string code = codes.empty() ? "" : codes[0];
  const std::string what = "s3: " + method + " s3://" + bucket + "/" + key + ": HTTP " +
                           std::to_string(response->status) + (code.empty() ? "" : " " + code) +
                           (messages.empty() ? "" : ": " + messages[0]);
  if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" || response->status == 401 ||
      (response->status == 403 && code != "AccessDenied")) {
    return Unauthenticated(what + " - " + AuthenticationHint(code, credentials_));
  }
  if (response->status == 404) return NotFound(what);
  return IoError(what);
}

Status S3Store::Put(const S3Location& bucket, const std::string& key, const std::string& body,
                    const std::string& content_type) {
  Result<aws::HttpResponse> r = Request("PUT", bucket.bucket, key, "", body, content_type);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::string> S3Store::Get(const S3Location& bucket, const std::string& key) {
  Result<aws::HttpResponse> r = Request("GET", bucket.bucket, key, "", "", "");
  if (!r.ok()) return r.status();
  return std::move(r->body);
}

Result<std::vector<std::string>> S3Store::List(const S3Location& bucket, const std::string& prefix,
                                               bool common_prefixes) {
  std::vector<std::string> out;
  std::string token;
  for (int page = 0; page < 10000; ++page) {  // 1000 keys a page: bounded at ten million keys
    std::string query =
        std::string(token.empty() ? "" : "continuation-token=" + aws::UriEncode(token, false) + "&") +
        (common_prefixes ? "delimiter=%2F&" : "") + "list-type=2&prefix=" + aws::UriEncode(prefix, false);
    Result<aws::HttpResponse> r = Request("GET", bucket.bucket, "", query, "", "");
    if (!r.ok()) return r.status();
    if (common_prefixes) {
      // <CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes>: the request's own <Prefix> comes first.
      const size_t first = r->body.find("<CommonPrefixes>");
      if (first != std::string::npos) {
        for (std::string& p : XmlValues(r->body.substr(first), "Prefix")) out.push_back(std::move(p));
      }
    } else {
      for (std::string& k : XmlValues(r->body, "Key")) out.push_back(std::move(k));
    }
    const std::vector<std::string> truncated = XmlValues(r->body, "IsTruncated");
    const std::vector<std::string> next = XmlValues(r->body, "NextContinuationToken");
    if (truncated.empty() || truncated[0] != "true" || next.empty()) break;
    token = next[0];
  }
  return out;
}

Result<std::string> UploadResultDir(S3Store& store, const S3Location& location,
                                    const std::string& local_dir) {
  const fs::path dir = fs::absolute(local_dir).lexically_normal();
  const std::string id = (dir.filename().empty() ? dir.parent_path() : dir).filename().string();
  std::vector<fs::path> files;
  for (const char* name : {"result.json", "report.html", "results.csv", "omb-result.json"}) {
    if (fs::exists(dir / name)) files.push_back(name);
  }
  std::error_code ec;
  for (const char* sub : {"hlog", "omb"}) {
    if (!fs::is_directory(dir / sub)) continue;
    for (const fs::directory_entry& e : fs::directory_iterator(dir / sub, ec)) {
      if (e.is_regular_file()) files.push_back(fs::path(sub) / e.path().filename());
    }
  }
  if (files.empty()) return NotFound("no result files in " + dir.string());
  for (const fs::path& rel : files) {
    Result<std::string> body = ReadFile(dir / rel);
    if (!body.ok()) return body.status();
    BAKEOFF_RETURN_IF_ERROR(
        store.Put(location, Join(Join(location.prefix, id), rel.generic_string()), *body, ContentType(rel)));
  }
  return "s3://" + location.bucket + "/" + Join(location.prefix, id);
}

Result<std::vector<std::string>> ListStoredResults(S3Store& store, const S3Location& location) {
  const std::string prefix = location.prefix.empty() ? "" : location.prefix + "/";
  Result<std::vector<std::string>> prefixes = store.List(location, prefix, true);
  if (!prefixes.ok()) return prefixes.status();
  std::vector<std::string> ids;
  for (std::string p : *prefixes) {
    if (p.rfind(prefix, 0) == 0) p = p.substr(prefix.size());
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (!p.empty()) ids.push_back(p);
  }
  return ids;
}

Result<int> FetchResult(S3Store& store, const S3Location& result, const std::string& local_dir) {
  const std::string prefix = result.prefix + "/";
  Result<std::vector<std::string>> keys = store.List(result, prefix, false);
  if (!keys.ok()) return keys.status();
  if (keys->empty()) return NotFound("no result at s3://" + result.bucket + "/" + result.prefix);
  int count = 0;
  for (const std::string& key : *keys) {
    const std::string rel = key.substr(prefix.size());
    if (rel.empty() || rel.find("..") != std::string::npos) continue;  // never outside local_dir
    Result<std::string> body = store.Get(result, key);
    if (!body.ok()) return body.status();
    const fs::path path = fs::path(local_dir) / rel;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << *body;
    if (!out) return IoError("cannot write " + path.string());
    ++count;
  }
  return count;
}

}  // namespace bakeoff
