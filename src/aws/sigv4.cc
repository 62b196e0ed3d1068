#include "aws/sigv4.h"

#include <algorithm>
#include <ctime>
#include <utility>

#include "aws/encoding.h"

namespace bakeoff::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Trims the value and collapses runs of spaces into one, as the canonical header form requires.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string FormatAmzDate(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[20];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &utc);
  return buf;
}

std::string CanonicalUri(std::string_view path, bool normalize, bool encode) {
  std::string result;
  if (!normalize) {
    result = std::string(path);
  } else {
    std::vector<std::string_view> segments;
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      const std::string_view segment = path.substr(start, end - start);
      if (segment == "..") {
        if (!segments.empty()) segments.pop_back();
      } else if (!segment.empty() && segment != ".") {
        segments.push_back(segment);
      }
      start = end + 1;
    }
    for (std::string_view segment : segments) {
      result.push_back('/');
      result.append(segment);
    }
    if (!segments.empty() && !path.empty() && path.back() == '/') result.push_back('/');
  }
  if (result.empty() || result.front() != '/') result.insert(result.begin(), '/');
  return encode ? UriEncode(result, /*keep_slash=*/true) : result;
}

std::string CanonicalQueryString(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string_view name = pair.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      params.emplace_back(UriEncode(UriDecode(name), false), UriEncode(UriDecode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string DeriveSigningKey(std::string_view secret_access_key, std::string_view date_yyyymmdd,
                             std::string_view region, std::string_view service) {
  const std::string date_key = HmacSha256("AWS4" + std::string(secret_access_key), date_yyyymmdd);
  const std::string region_key = HmacSha256(date_key, region);
  const std::string service_key = HmacSha256(region_key, service);
  return HmacSha256(service_key, "aws4_request");
}

Result<SignedHeaders> SignV4(const SignableRequest& request, const Credentials& credentials,
                             const SigningParams& params) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Unauthenticated("sigv4: no credentials");
  }
  if (params.region.empty() || params.service.empty())
    return InvalidArgument("sigv4: region and service needed");
  SignedHeaders out;
  const std::string amz_date = FormatAmzDate(params.time);
  const std::string date = amz_date.substr(0, 8);
  const std::string payload_hash = Sha256Hex(request.payload);

  out.headers.push_back({"X-Amz-Date", amz_date});
  if (!credentials.session_token.empty())
    out.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  if (params.add_content_sha256_header) out.headers.push_back({"X-Amz-Content-Sha256", payload_hash});

  // Lower-cased names with canonical values; a stable sort keeps the order of repeated headers.
  std::vector<std::pair<std::string, std::string>> headers;
  bool has_host = false;
  auto add = [&](const std::vector<HttpHeader>& list) {
    for (const HttpHeader& h : list) {
      headers.emplace_back(Lower(h.name), CanonicalHeaderValue(h.value));
      has_host = has_host || headers.back().first == "host";
    }
  };
  add(request.headers);
  add(out.headers);
  if (!has_host) return InvalidArgument("sigv4: the request has no host header");
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  std::string signed_headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonical_headers.back() = ',';  // replaces the previous line's '\n'
    } else {
      if (!signed_headers.empty()) signed_headers.push_back(';');
      signed_headers += headers[i].first;
      canonical_headers += headers[i].first;
      canonical_headers.push_back(':');
    }
    canonical_headers += headers[i].second;
    canonical_headers.push_back('\n');
  }

  out.canonical_request = request.method + "\n" +
                          CanonicalUri(request.path, params.normalize_path, params.encode_path) + "\n" +
                          CanonicalQueryString(request.query) + "\n" + canonical_headers + "\n" +
                          signed_headers + "\n" + payload_hash;
  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  out.string_to_sign =
      std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(out.canonical_request);
  const std::string key =
      DeriveSigningKey(credentials.secret_access_key, date, params.region, params.service);
  const std::string raw_signature = HmacSha256(key, out.string_to_sign);
  out.signature = HexEncode(
      std::span(reinterpret_cast<const unsigned char*>(raw_signature.data()), raw_signature.size()));
  out.headers.push_back(
      {"Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
                            ", SignedHeaders=" + signed_headers + ", Signature=" + out.signature});
  return out;
}

}  // namespace bakeoff::aws
