// HdrHistogram interval logs (.hlog, log format version 1.3) and the compressed V2 histogram encoding,
// so that HdrHistogram's own tools (HistogramLogProcessor, HdrHistogramVisualizer, hdrhistogram-py)
// can read bakeoff's latency histograms.
//
// Encoding facts (from HdrHistogram's specification): big-endian; header = cookie (0x1c849303 with the
// word size 8 in bits 4-7, i.e. 0x1c849313), payload length, normalizing index offset (0), significant
// digits, lowest discernible value, highest trackable value, integer-to-double ratio (1.0); payload =
// counts as ZigZag LEB128 (at most 9 bytes), a run of k > 1 zeros written as -k; the compressed form
// is cookie 0x1c849314, the deflated length, then the zlib-deflated encoding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "measure/histogram.h"

namespace bakeoff {

std::string EncodeHistogramCompressed(const Histogram& histogram);
// Fails on a bad cookie, a layout other than bakeoff's (2 digits, lowest 1), or corrupt data.
Result<Histogram> DecodeHistogramCompressed(std::string_view bytes);

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

struct HlogInterval {
  std::string tag;     // no commas or spaces, e.g. "e2e_corrected"
  double start_s = 0;  // since the log's base time
  double length_s = 0;
  Histogram histogram;
};

// The text of an .hlog file: RenderHlogHeader, then RenderHlogLine for each interval in order.
std::string RenderHlog(const std::vector<HlogInterval>& intervals, double start_unix_s,
                       const std::string& comment);
// The version and time comments (StartTime and BaseTime both `start_unix_s`, so intervals' start_s are
// seconds since it) and the legend. For writing long logs one interval at a time.
std::string RenderHlogHeader(double start_unix_s, const std::string& comment);
// One interval's line. Interval_Max is in milliseconds (the values are nanoseconds; max value unit
// ratio 1e6, as HdrHistogram's tools expect).
std::string RenderHlogLine(const HlogInterval& interval);

// Reads the intervals of an .hlog file written by RenderHlog (or by HdrHistogram with bakeoff's layout).
Result<std::vector<HlogInterval>> ParseHlog(std::string_view text);

}  // namespace bakeoff
