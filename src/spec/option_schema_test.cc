#include "spec/option_schema.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "spec/secrets.h"
#include "spec/test_schemas.h"

namespace bakeoff {
namespace {

TEST(OptionSchemaTest, FindAndNames) {
  OptionSchema schema = spec_test::FakeDriverSchema();
  ASSERT_NE(schema.Find("acks"), nullptr);
  EXPECT_EQ(schema.Find("acks")->type, OptionType::kEnum);
  EXPECT_EQ(schema.Find("nope"), nullptr);
  std::vector<std::string> names = schema.Names();
  ASSERT_EQ(names.size(), schema.options.size());
  EXPECT_EQ(names.front(), "endpoint");
}

TEST(OptionValuesTest, TypedGettersFallBackOnMissingOrOtherType) {
  OptionValues values;
  values.Set("flag", true);
  values.Set("count", int64_t{7});
  values.Set("name", std::string("x"));
  EXPECT_TRUE(values.GetBool("flag"));
  EXPECT_EQ(values.GetInt("count"), 7);
  EXPECT_EQ(values.GetInt("name", -1), -1);
  EXPECT_DOUBLE_EQ(values.GetDouble("count"), 7.0);  // ints read as numbers
  EXPECT_EQ(values.GetString("missing", "fb"), "fb");
  EXPECT_EQ(values.GetDuration("count"), std::chrono::nanoseconds(7));
  EXPECT_TRUE(values.GetStringMap("name").empty());
}

TEST(OptionValuesTest, ApplyDefaultsKeepsGivenValues) {
  OptionSchema schema = spec_test::FakeDriverSchema();
  OptionValues values;
  values.Set("batch", int64_t{99});
  ApplyDefaults(schema, values);
  EXPECT_EQ(values.GetInt("batch"), 99);
  EXPECT_EQ(values.GetString("acks"), "all");
  EXPECT_FALSE(values.Has("endpoint"));  // required: no default to apply
  EXPECT_FALSE(values.Has("password"));  // optional: stays unset
}

TEST(FormatOptionValueTest, RendersByType) {
  OptionSchema schema = spec_test::FakeDriverSchema();
  EXPECT_EQ(FormatOptionValue(*schema.Find("enabled"), false), "false");
  EXPECT_EQ(FormatOptionValue(*schema.Find("batch"), int64_t{42}), "42");
  EXPECT_EQ(FormatOptionValue(*schema.Find("ratio"), 0.25), "0.25");
  EXPECT_EQ(FormatOptionValue(*schema.Find("buffer"), int64_t{1} << 20), "1MiB");
  EXPECT_EQ(FormatOptionValue(*schema.Find("buffer"), int64_t{1000}), "1000B");
  EXPECT_EQ(FormatOptionValue(*schema.Find("linger"), int64_t{1'500'000}), "1500us");
  EXPECT_EQ(FormatOptionValue(*schema.Find("linger"), int64_t{90'000'000'000}), "90s");
  EXPECT_EQ(FormatOptionValue(*schema.Find("acks"), std::string("all")), "all");
  std::map<std::string, std::string> map = {{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(FormatOptionValue(*schema.Find("properties"), map), "{a: 1, b: 2}");
}

TEST(FormatOptionValueTest, SecretsShowOnlyTheReference) {
  const OptionSchema schema = spec_test::FakeDriverSchema();
  const OptionSpec& password = *schema.Find("password");
  EXPECT_EQ(FormatOptionValue(password, std::string("${env:PW}")), "${env:PW}");
  EXPECT_EQ(FormatOptionValue(password, std::string("hunter2")), "<redacted>");
}

TEST(SecretsTest, DetectsReferences) {
  EXPECT_TRUE(HasSecretReference("${env:TOKEN}"));
  EXPECT_TRUE(HasSecretReference("Bearer ${file:/run/secret}"));
  EXPECT_FALSE(HasSecretReference("hunter2"));
  EXPECT_FALSE(HasSecretReference("${env:}"));
  EXPECT_FALSE(HasSecretReference("${other:X}"));
  EXPECT_FALSE(HasSecretReference("${env:UNCLOSED"));
}

TEST(SecretsTest, ResolvesEnvironmentAndFiles) {
  ASSERT_EQ(setenv("BAKEOFF_SPEC_TEST_SECRET", "s3cret", 1), 0);
  Result<std::string> value = ResolveSecretReferences("user:${env:BAKEOFF_SPEC_TEST_SECRET}!");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "user:s3cret!");

  std::filesystem::path file = std::filesystem::temp_directory_path() / "bakeoff_spec_secret_test.txt";
  std::ofstream(file) << "from-file\n";
  value = ResolveSecretReferences("${file:" + file.string() + "}");
  std::filesystem::remove(file);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "from-file");
}

TEST(SecretsTest, ErrorsNameTheVariableNotTheValue) {
  unsetenv("BAKEOFF_SPEC_TEST_UNSET");
  Result<std::string> value = ResolveSecretReferences("${env:BAKEOFF_SPEC_TEST_UNSET}");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), StatusCode::kNotFound);
  EXPECT_NE(value.status().message().find("BAKEOFF_SPEC_TEST_UNSET"), std::string::npos);
  value = ResolveSecretReferences("${file:/nonexistent/secret}");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), StatusCode::kIo);
}

}  // namespace
}  // namespace bakeoff
