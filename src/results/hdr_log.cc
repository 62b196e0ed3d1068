#include "results/hdr_log.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>

namespace bakeoff {
namespace {

constexpr uint32_t kEncodingCookie = 0x1c849303 | 0x10;
constexpr uint32_t kCompressedCookie = 0x1c849304 | 0x10;
constexpr uint32_t kCookieBaseMask = ~uint32_t{0xf0};
constexpr size_t kHeaderBytes = 40;
constexpr int kSignificantDigits = 2;  // 256 sub-buckets, see measure/histogram.h

void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
uint32_t GetU32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}
uint64_t GetU64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

void PutZigZag(std::string& out, int64_t value) {
  uint64_t v = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  for (int i = 0; i < 8; ++i) {
    if (v < 0x80) {
      out.push_back(static_cast<char>(v));
      return;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v & 0xff));  // the 9th byte carries 8 bits
}

bool GetZigZag(std::string_view in, size_t& at, int64_t& value) {
  uint64_t v = 0;
  for (int i = 0; i < 9; ++i) {
    if (at >= in.size()) return false;
    const uint64_t byte = static_cast<unsigned char>(in[at++]);
    if (i == 8) {
      v |= byte << 56;
      break;
    }
    v |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  value = static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  return true;
}

std::string Encode(const Histogram& h) {
  std::string payload;
  size_t last = 0;
  bool any = false;
  for (size_t i = 0; i < h.bucket_count(); ++i) {
    if (h.count_at_index(i) != 0) last = i, any = true;
  }
  int64_t zeros = 0;
  for (size_t i = 0; any && i <= last; ++i) {
    const uint64_t count = h.count_at_index(i);
    if (count == 0) {
      ++zeros;
      continue;
    }
    if (zeros > 0) PutZigZag(payload, zeros == 1 ? 0 : -zeros);
    zeros = 0;
    PutZigZag(payload, static_cast<int64_t>(count));
  }
  std::string out;
  PutU32(out, kEncodingCookie);
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU32(out, 0);  // normalizing index offset
  PutU32(out, kSignificantDigits);
  PutU64(out, 1);  // lowest discernible value
  PutU64(out, static_cast<uint64_t>(Histogram::kHighestTrackableNs));
  double ratio = 1.0;
  uint64_t ratio_bits = 0;
  std::memcpy(&ratio_bits, &ratio, sizeof(ratio));
  PutU64(out, ratio_bits);
  return out + payload;
}

}  // namespace

std::string EncodeHistogramCompressed(const Histogram& histogram) {
  const std::string plain = Encode(histogram);
  uLongf deflated_size = compressBound(static_cast<uLong>(plain.size()));
  std::string deflated(deflated_size, '\0');
  compress(reinterpret_cast<Bytef*>(deflated.data()), &deflated_size,
           reinterpret_cast<const Bytef*>(plain.data()), static_cast<uLong>(plain.size()));
  deflated.resize(deflated_size);
  std::string out;
  PutU32(out, kCompressedCookie);
  PutU32(out, static_cast<uint32_t>(deflated.size()));
  return out + deflated;
}

Result<Histogram> DecodeHistogramCompressed(std::string_view bytes) {
  if (bytes.size() < 8 || (GetU32(bytes, 0) & kCookieBaseMask) != (kCompressedCookie & kCookieBaseMask)) {
    return InvalidArgument("not a compressed HdrHistogram V2 encoding (bad cookie)");
  }
  const uint32_t deflated_size = GetU32(bytes, 4);
  if (deflated_size > bytes.size() - 8) return InvalidArgument("truncated compressed histogram");
  // Bound what inflation may produce: header plus at most 9 bytes per counter.
  uLongf plain_size = kHeaderBytes + 9 * Histogram().bucket_count();
  std::string plain(plain_size, '\0');
  if (uncompress(reinterpret_cast<Bytef*>(plain.data()), &plain_size,
                 reinterpret_cast<const Bytef*>(bytes.data() + 8), deflated_size) != Z_OK) {
    return InvalidArgument("corrupt compressed histogram (zlib)");
  }
  plain.resize(plain_size);
  if (plain.size() < kHeaderBytes ||
      (GetU32(plain, 0) & kCookieBaseMask) != (kEncodingCookie & kCookieBaseMask)) {
    return InvalidArgument("not an HdrHistogram V2 encoding (bad inner cookie)");
  }
  const uint32_t payload_size = GetU32(plain, 4);
  if (GetU32(plain, 8) != 0 || GetU32(plain, 12) != kSignificantDigits || GetU64(plain, 16) != 1) {
    return InvalidArgument("histogram layout differs from bakeoff's (2 significant digits, lowest value 1)");
  }
  if (payload_size != plain.size() - kHeaderBytes)
    return InvalidArgument("histogram payload length mismatch");
  Histogram histogram;
  const std::string_view payload = std::string_view(plain).substr(kHeaderBytes);
  size_t at = 0;
  size_t index = 0;
  while (at < payload.size()) {
    int64_t value = 0;
    if (!GetZigZag(payload, at, value)) return InvalidArgument("truncated histogram payload");
    if (value < 0) {
      index += static_cast<size_t>(-value);
      continue;
    }
    if (index >= histogram.bucket_count())
      return InvalidArgument("histogram payload runs past the last bucket");
    if (value > 0) histogram.Record(Histogram::ValueFromIndex(index), static_cast<uint64_t>(value));
    ++index;
  }
  return histogram;
}

std::string Base64Encode(std::string_view bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(chunk >> 18) & 63]);
    out.push_back(kAlphabet[(chunk >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=');
    out.push_back(i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=');
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    const int v = value_of(c);
    if (v < 0) return InvalidArgument("invalid base64 character");
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

std::string RenderHlog(const std::vector<HlogInterval>& intervals, double start_unix_s,
                       const std::string& comment) {
  std::string out = RenderHlogHeader(start_unix_s, comment);
  for (const HlogInterval& interval : intervals) out += RenderHlogLine(interval);
  return out;
}

std::string RenderHlogHeader(double start_unix_s, const std::string& comment) {
  std::string out = "#[Histogram log format version 1.3]\n";
  if (!comment.empty()) out += "#[" + comment + "]\n";
  char line[256];
  const std::time_t seconds = static_cast<std::time_t>(start_unix_s);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[64];
  std::strftime(date, sizeof(date), "%a %b %d %H:%M:%S UTC %Y", &utc);
  std::snprintf(line, sizeof(line), "#[StartTime: %.3f (seconds since epoch), %s]\n", start_unix_s, date);
  out += line;
  std::snprintf(line, sizeof(line), "#[BaseTime: %.3f (seconds since epoch)]\n", start_unix_s);
  out += line;
  out += "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
  return out;
}

std::string RenderHlogLine(const HlogInterval& interval) {
  char line[256];
  std::snprintf(line, sizeof(line), "Tag=%s,%.3f,%.3f,%.3f,", interval.tag.c_str(), interval.start_s,
                interval.length_s, static_cast<double>(interval.histogram.max()) / 1e6);
  return line + Base64Encode(EncodeHistogramCompressed(interval.histogram)) + "\n";
}

Result<std::vector<HlogInterval>> ParseHlog(std::string_view text) {
  std::vector<HlogInterval> intervals;
  std::istringstream in{std::string(text)};
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#' || line[0] == '"') continue;
    HlogInterval interval;
    std::string rest = line;
    if (rest.rfind("Tag=", 0) == 0) {
      const size_t comma = rest.find(',');
      if (comma == std::string::npos)
        return InvalidArgument("line " + std::to_string(line_number) + ": no fields");
      interval.tag = rest.substr(4, comma - 4);
      rest = rest.substr(comma + 1);
    }
    double max_ms = 0;
    int consumed = 0;
    if (std::sscanf(rest.c_str(), "%lf,%lf,%lf,%n", &interval.start_s, &interval.length_s, &max_ms,
                    &consumed) != 3 ||
        consumed <= 0) {
      return InvalidArgument("line " + std::to_string(line_number) + ": expected start,length,max,histogram");
    }
    Result<std::string> bytes = Base64Decode(rest.substr(static_cast<size_t>(consumed)));
    if (!bytes.ok())
      return InvalidArgument("line " + std::to_string(line_number) + ": " + bytes.status().message());
    Result<Histogram> histogram = DecodeHistogramCompressed(*bytes);
    if (!histogram.ok()) {
      return InvalidArgument("line " + std::to_string(line_number) + ": " + histogram.status().message());
    }
    interval.histogram = std::move(histogram).value();
    intervals.push_back(std::move(interval));
  }
  return intervals;
}

}  // namespace bakeoff
