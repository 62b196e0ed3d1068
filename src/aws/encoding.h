// Byte encodings AWS requests need: hex, base64, SHA-256, HMAC-SHA256 and URI encoding (RFC 3986
// unreserved characters kept, everything else %XX with upper-case hex, as SigV4 requires).
// Layering: aws depends on base only. Thread-safe: every function is pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bakeoff::aws {

std::string HexEncode(std::span<const unsigned char> bytes);

// Lower-case hex of the SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

std::string Base64Encode(std::string_view data);
// Appends the base64 of `data` to `out` (no allocation beyond growing `out`).
void AppendBase64(std::string_view data, std::string& out);
// Strict standard-alphabet decoding with padding; nullopt on malformed input.
std::optional<std::string> Base64Decode(std::string_view text);

// Percent-encodes every byte except A-Z a-z 0-9 - _ . ~ (and '/' when `keep_slash`).
std::string UriEncode(std::string_view text, bool keep_slash);
// Decodes %XX sequences; anything else (including '+') is kept as it is.
std::string UriDecode(std::string_view text);

}  // namespace bakeoff::aws
