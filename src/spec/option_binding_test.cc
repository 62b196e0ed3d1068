#include "spec/option_binding.h"

#include <gtest/gtest.h>

#include <chrono>

namespace bakeoff {
namespace {

using namespace std::chrono_literals;

enum class Mode { kFast, kSafe };

struct Settings {
  int pipeline = -1;  // the initializer never shows: the declared default wins
  std::optional<int64_t> maxlen;
  double ratio = 0;
  bool flag = false;
  std::string name;
  std::optional<std::string> password;
  int64_t buffer_bytes = 0;
  std::chrono::milliseconds timeout{};
  std::optional<std::chrono::nanoseconds> stall_after;
  std::string storage;
  Mode mode = Mode::kFast;
  std::map<std::string, std::string> extra;
};

void Declare(OptionBinder<Settings>& b) {
  b.Int("pipeline", &Settings::pipeline).Default(64).Range(1, 65536).Help("In flight.");
  b.Int("maxlen", &Settings::maxlen).Min(1).Help("Trim.");
  b.Double("ratio", &Settings::ratio).Default(0.5).Range(0, 1).Help("Ratio.");
  b.Bool("flag", &Settings::flag).Default(true).Help("Flag.");
  b.String("name", &Settings::name).Default("n").Help("Name.");
  b.String("password", &Settings::password).Secret().Help("Secret.");
  b.Bytes("buffer_bytes", &Settings::buffer_bytes).Default(int64_t{8} << 20).Min(1024).Help("Buffer.");
  b.Duration("timeout", &Settings::timeout).Default(3s).Range(1ms, 300s).Help("Timeout.");
  b.Duration("stall_after", &Settings::stall_after).Help("Stall.");
  b.Enum("storage", &Settings::storage).Choices({"file", "memory"}).Default("file").Help("Storage.");
  b.Enum("mode", &Settings::mode, {{"fast", Mode::kFast}, {"safe", Mode::kSafe}})
      .Default("safe")
      .Help("Mode.");
  b.StringMapOption("extra", &Settings::extra).Default({}).Help("Pass-through.");
}

TEST(OptionBinderTest, SchemaComesFromTheDeclaration) {
  OptionBinder<Settings> b;
  Declare(b);
  ASSERT_TRUE(b.status().ok()) << b.status().ToString();
  const OptionSchema& schema = b.schema();
  ASSERT_EQ(schema.options.size(), 12u);
  const OptionSpec* pipeline = schema.Find("pipeline");
  ASSERT_NE(pipeline, nullptr);
  EXPECT_EQ(pipeline->type, OptionType::kInt);
  EXPECT_EQ(std::get<int64_t>(*pipeline->default_value), 64);
  EXPECT_FALSE(pipeline->optional);
  EXPECT_EQ(*pipeline->min, 1);
  EXPECT_EQ(*pipeline->max, 65536);
  EXPECT_EQ(pipeline->help, "In flight.");
  EXPECT_TRUE(schema.Find("maxlen")->optional);
  EXPECT_FALSE(schema.Find("maxlen")->default_value.has_value());
  EXPECT_TRUE(schema.Find("password")->secret);
  const OptionSpec* timeout = schema.Find("timeout");
  EXPECT_EQ(timeout->type, OptionType::kDuration);
  EXPECT_EQ(std::get<int64_t>(*timeout->default_value), 3'000'000'000);
  EXPECT_DOUBLE_EQ(*timeout->min, 0.001);  // duration bounds are seconds in the schema
  EXPECT_DOUBLE_EQ(*timeout->max, 300);
  EXPECT_EQ(schema.Find("mode")->choices, (std::vector<std::string>{"fast", "safe"}));
  EXPECT_EQ(schema.Find("storage")->choices, (std::vector<std::string>{"file", "memory"}));
  EXPECT_EQ(schema.Find("extra")->type, OptionType::kStringMap);
}

TEST(OptionBinderTest, DefaultsApplyOnceFromTheDeclaration) {
  OptionBinder<Settings> b;
  Declare(b);
  Result<Settings> s = b.Bind(OptionValues{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->pipeline, 64);
  EXPECT_FALSE(s->maxlen.has_value());
  EXPECT_DOUBLE_EQ(s->ratio, 0.5);
  EXPECT_TRUE(s->flag);
  EXPECT_EQ(s->name, "n");
  EXPECT_FALSE(s->password.has_value());
  EXPECT_EQ(s->buffer_bytes, 8 << 20);
  EXPECT_EQ(s->timeout, 3s);
  EXPECT_FALSE(s->stall_after.has_value());
  EXPECT_EQ(s->storage, "file");
  EXPECT_EQ(s->mode, Mode::kSafe);
  EXPECT_TRUE(s->extra.empty());
}

TEST(OptionBinderTest, GivenValuesWin) {
  OptionBinder<Settings> b;
  Declare(b);
  OptionValues v;
  v.Set("pipeline", int64_t{7});
  v.Set("maxlen", int64_t{1000});
  v.Set("ratio", int64_t{1});  // an integer for a number
  v.Set("password", std::string("${env:P}"));
  v.Set("timeout", int64_t{1'500'000'000});
  v.Set("stall_after", int64_t{20'000});
  v.Set("mode", std::string("fast"));
  v.Set("extra", std::map<std::string, std::string>{{"a", "b"}});
  Result<Settings> s = b.Bind(v);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->pipeline, 7);
  EXPECT_EQ(s->maxlen, 1000);
  EXPECT_DOUBLE_EQ(s->ratio, 1.0);
  EXPECT_EQ(s->password, "${env:P}");
  EXPECT_EQ(s->timeout, 1500ms);
  EXPECT_EQ(s->stall_after, 20us);
  EXPECT_EQ(s->mode, Mode::kFast);
  EXPECT_EQ(s->extra.at("a"), "b");
  // And back: the values the struct holds are the ones given (defaults for the rest).
  OptionValues back = b.Values(*s);
  EXPECT_EQ(std::get<int64_t>(back.all().at("timeout")), 1'500'000'000);
  EXPECT_EQ(std::get<std::string>(back.all().at("mode")), "fast");
  EXPECT_FALSE(back.Has("stall_after") && std::get<int64_t>(back.all().at("stall_after")) != 20'000);
  EXPECT_EQ(std::get<std::string>(back.all().at("storage")), "file");
}

TEST(OptionBinderTest, OutOfRangeAndWrongTypeNameTheOption) {
  OptionBinder<Settings> b;
  Declare(b);
  OptionValues v;
  v.Set("pipeline", int64_t{0});
  Result<Settings> s = b.Bind(v);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("`pipeline`"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("outside [1, 65536]"), std::string::npos) << s.status().message();

  OptionValues slow;
  slow.Set("timeout", int64_t{301'000'000'000});
  s = b.Bind(slow);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("301 s is outside [0.001, 300] s"), std::string::npos)
      << s.status().message();

  OptionValues wrong;
  wrong.Set("flag", std::string("yes"));
  s = b.Bind(wrong);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("`flag`"), std::string::npos);

  OptionValues choice;
  choice.Set("storage", std::string("tape"));
  EXPECT_FALSE(b.Bind(choice).ok());
}

TEST(OptionBinderTest, NarrowFieldsRefuseValuesThatDoNotFit) {
  struct Small {
    int8_t tiny = 0;
  };
  OptionBinder<Small> b;
  b.Int("tiny", &Small::tiny).Help("Tiny.");
  OptionValues v;
  v.Set("tiny", int64_t{300});
  Result<Small> s = b.Bind(v);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("does not fit"), std::string::npos);
}

TEST(OptionBinderTest, BindingANameOrAFieldTwiceIsRejectedAtDeclaration) {
  {
    OptionBinder<Settings> b;
    b.Int("pipeline", &Settings::pipeline).Default(64);
    b.Int("pipeline", &Settings::maxlen);
    ASSERT_FALSE(b.status().ok());
    EXPECT_NE(b.status().message().find("`pipeline`"), std::string::npos);
    EXPECT_NE(b.status().message().find("bound twice"), std::string::npos);
    EXPECT_FALSE(b.Bind(OptionValues{}).ok());  // a wrong table never binds
  }
  {
    OptionBinder<Settings> b;
    b.Int("pipeline", &Settings::pipeline).Default(64);
    b.Int("depth", &Settings::pipeline).Default(1);
    ASSERT_FALSE(b.status().ok());
    EXPECT_NE(b.status().message().find("`depth`"), std::string::npos);
    EXPECT_NE(b.status().message().find("`pipeline`"), std::string::npos);
  }
}

TEST(OptionBinderTest, DefaultsOutsideTheirRangeOrChoicesAreRejectedAtDeclaration) {
  {
    OptionBinder<Settings> b;
    b.Int("pipeline", &Settings::pipeline).Default(0).Range(1, 10);
    ASSERT_FALSE(b.status().ok());
    EXPECT_NE(b.status().message().find("default 0 rejected"), std::string::npos) << b.status().message();
  }
  {
    OptionBinder<Settings> b;
    b.Enum("storage", &Settings::storage).Choices({"file", "memory"}).Default("tape");
    EXPECT_FALSE(b.status().ok());
  }
  {
    OptionBinder<Settings> b;
    b.Enum("storage", &Settings::storage).Default("tape").Choices({"file", "memory"});
    EXPECT_FALSE(b.status().ok());
  }
}

}  // namespace
}  // namespace bakeoff
