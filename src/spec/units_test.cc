#include "spec/units.h"

#include <gtest/gtest.h>

#include <string>

namespace bakeoff {
namespace {

struct GoodInt {
  const char* text;
  int64_t expected;
};

struct Bad {
  const char* text;
  const char* message_part;  // substring the error must contain
};

TEST(ParseBytesTest, AcceptsUnitsAndBareNumbers) {
  const GoodInt cases[] = {
      {"100B", 100},       {"100", 100},           {"0", 0},
      {"1KiB", 1024},      {"1KB", 1000},          {"1kB", 1000},
      {"1.5KiB", 1536},    {"4MB", 4'000'000},     {"1MiB", 1 << 20},
      {"2GiB", 2LL << 30}, {"3GB", 3'000'000'000}, {"1TiB", 1LL << 40},
      {" 64 KiB ", 65536}, {"0.5MiB", 524288},     {"1kib", 1024},
  };
  for (const GoodInt& c : cases) {
    Result<int64_t> bytes = ParseBytes(c.text);
    ASSERT_TRUE(bytes.ok()) << c.text << ": " << bytes.status().ToString();
    EXPECT_EQ(*bytes, c.expected) << c.text;
  }
}

TEST(ParseBytesTest, RejectsBadInput) {
  const Bad cases[] = {
      {"100XB", "unknown size unit `XB`"},
      {"10 parsecs", "unknown size unit `parsecs`"},
      {"", "not a size"},
      {"KiB", "not a size"},
      {"-5KiB", "must not be negative"},
      {"1.2.3KiB", "unexpected"},
      {"100000000TiB", "too large"},
      {"1e6", "unknown size unit `e`"},
      {"5 KiB extra", "unexpected"},
  };
  for (const Bad& c : cases) {
    Result<int64_t> bytes = ParseBytes(c.text);
    ASSERT_FALSE(bytes.ok()) << c.text << " parsed as " << *bytes;
    EXPECT_EQ(bytes.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(bytes.status().message().find(c.message_part), std::string::npos)
        << c.text << ": " << bytes.status().message();
  }
}

TEST(ParseDurationTest, AcceptsUnitsAndCompounds) {
  const GoodInt cases[] = {
      {"100ns", 100},
      {"250us", 250'000},
      {"500ms", 500'000'000},
      {"10s", 10'000'000'000},
      {"1.5s", 1'500'000'000},
      {"2m", 120'000'000'000},
      {"1h", 3'600'000'000'000},
      {"1m30s", 90'000'000'000},
      {"1h2m3s", 3'723'000'000'000},
      {"1m 30s", 90'000'000'000},
      {"0s", 0},
      {"0.5ms", 500'000},
  };
  for (const GoodInt& c : cases) {
    Result<int64_t> ns = ParseDurationNs(c.text);
    ASSERT_TRUE(ns.ok()) << c.text << ": " << ns.status().ToString();
    EXPECT_EQ(*ns, c.expected) << c.text;
  }
}

TEST(ParseDurationTest, RejectsBadInput) {
  const Bad cases[] = {
      {"10", "needs a unit"},
      {"0", "needs a unit"},
      {"1m30", "needs a unit"},
      {"10 parsecs", "unknown duration unit `parsecs`"},
      {"5d", "unknown duration unit `d`"},
      {"-5s", "must not be negative"},
      {"", "not a duration"},
      {"s", "not a duration"},
      {"10S", "unknown duration unit `S`"},
      {"99999999999h", "too long"},
  };
  for (const Bad& c : cases) {
    Result<int64_t> ns = ParseDurationNs(c.text);
    ASSERT_FALSE(ns.ok()) << c.text << " parsed as " << *ns;
    EXPECT_NE(ns.status().message().find(c.message_part), std::string::npos)
        << c.text << ": " << ns.status().message();
  }
}

TEST(ParseRateTest, AcceptsSuffixesAndBareNumbers) {
  const struct {
    const char* text;
    double expected;
  } cases[] = {
      {"20k/s", 20'000}, {"1.5M/s", 1'500'000}, {"500/s", 500}, {"20000/s", 20'000}, {"20000", 20'000},
      {"2K/s", 2'000},   {"1G/s", 1e9},         {"0.5/s", 0.5}, {"10k", 10'000},     {"3 k/s", 3'000},
  };
  for (const auto& c : cases) {
    Result<double> rate = ParseRatePerSecond(c.text);
    ASSERT_TRUE(rate.ok()) << c.text << ": " << rate.status().ToString();
    EXPECT_DOUBLE_EQ(*rate, c.expected) << c.text;
  }
}

TEST(ParseRateTest, RejectsBadInput) {
  const Bad cases[] = {
      {"-5k/s", "must be positive"},
      {"0/s", "must be positive"},
      {"0", "must be positive"},
      {"20x/s", "unknown rate multiplier `x`"},
      {"20m/s", "unknown rate multiplier `m`"},
      {"20k/m", "per second"},
      {"fast", "not a rate"},
      {"max", "not a rate"},
      {"", "not a rate"},
  };
  for (const Bad& c : cases) {
    Result<double> rate = ParseRatePerSecond(c.text);
    ASSERT_FALSE(rate.ok()) << c.text << " parsed as " << *rate;
    EXPECT_NE(rate.status().message().find(c.message_part), std::string::npos)
        << c.text << ": " << rate.status().message();
  }
}

TEST(FormatTest, Bytes) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(100), "100 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1234), "1.2 KiB");
  EXPECT_EQ(FormatBytes(1024 * 1024), "1.0 MiB");
  EXPECT_EQ(FormatBytes(150.0 * 1024 * 1024), "150 MiB");
  EXPECT_EQ(FormatBytes(3.5 * 1024 * 1024 * 1024), "3.5 GiB");
}

TEST(FormatTest, Durations) {
  EXPECT_EQ(FormatDurationNs(0), "0 ns");
  EXPECT_EQ(FormatDurationNs(750), "750 ns");
  EXPECT_EQ(FormatDurationNs(850'000), "850 us");
  EXPECT_EQ(FormatDurationNs(1'500), "1.50 us");
  EXPECT_EQ(FormatDurationNs(12'500'000), "12.5 ms");
  EXPECT_EQ(FormatDurationNs(250'000'000), "250 ms");
  EXPECT_EQ(FormatDurationNs(1'200'000'000), "1.20 s");
  EXPECT_EQ(FormatDurationNs(999'999'999), "1.00 s");
  EXPECT_EQ(FormatDurationNs(900e9), "15.0 min");
  EXPECT_EQ(FormatDurationNs(7200e9), "2.00 h");
}

TEST(FormatTest, Counts) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(20'000), "20 k");
  EXPECT_EQ(FormatCount(1'500'000), "1.5 M");
  EXPECT_EQ(FormatCount(1'234'567), "1.23 M");
  EXPECT_EQ(FormatCount(2e9), "2 G");
}

TEST(FormatTest, ParsedBytesRoundTripThroughFormat) {
  Result<int64_t> bytes = ParseBytes("1.5MiB");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(FormatBytes(static_cast<double>(*bytes)), "1.5 MiB");
}

}  // namespace
}  // namespace bakeoff
