// The shared credentials file as the fallback after explicit values and environment variables.
#include "aws/credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

namespace bakeoff::aws {
namespace {

namespace fs = std::filesystem;

constexpr const char* kVariables[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",       "AWS_SESSION_TOKEN",
                                      "AWS_PROFILE",       "AWS_SHARED_CREDENTIALS_FILE", "HOME"};

// Each test starts with none of kVariables set and a private directory; both are restored afterwards.
class SharedCredentialsFileTest : public testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      const char* value = std::getenv(name);
      saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
      unsetenv(name);
    }
    dir_ = testing::TempDir() + "/credentials-" + std::to_string(getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/.aws");
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value)
        setenv(name.c_str(), value->c_str(), 1);
      else
        unsetenv(name.c_str());
    }
    fs::remove_all(dir_);
  }
  std::string Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string dir_;
  std::map<std::string, std::optional<std::string>> saved_;
};

constexpr const char* kFile =
    "# a comment\r\n"
    "[default]\r\n"
    "aws_access_key_id = AKIDFILE\r\n"
    "AWS_Secret_Access_Key=file#secret/+=\r\n"
    "\r\n"
    "[ci]\n"
    "; another comment\n"
    "  aws_access_key_id =  AKIDCI  \n"
    "aws_secret_access_key = ci-secret\n"
    "aws_session_token = ci-token\n"
    "[key-only]\n"
    "aws_access_key_id = AKIDHALF\n";

TEST_F(SharedCredentialsFileTest, DefaultProfileOfTheNamedFileThenAwsProfile) {
  setenv("AWS_SHARED_CREDENTIALS_FILE", Write(dir_ + "/creds", kFile).c_str(), 1);
  Result<Credentials> c = ResolveCredentials({.allow_shared_file = true});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDFILE");
  EXPECT_EQ(c->secret_access_key, "file#secret/+=") << "values are whole, CR and case of key names aside";
  EXPECT_EQ(c->session_token, "");
  EXPECT_EQ(c->source, dir_ + "/creds [default]");
  EXPECT_EQ(Describe(*c), "access key AKIDFILE from " + dir_ + "/creds [default] (session token: no)");

  setenv("AWS_PROFILE", "ci", 1);
  c = ResolveCredentials({.allow_shared_file = true});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDCI");
  EXPECT_EQ(c->secret_access_key, "ci-secret");
  EXPECT_EQ(c->session_token, "ci-token");
  EXPECT_EQ(c->source, dir_ + "/creds [ci]");
}

TEST_F(SharedCredentialsFileTest, HomeDirectoryFileWhenNoPathIsNamed) {
  Write(dir_ + "/.aws/credentials", kFile);
  setenv("HOME", dir_.c_str(), 1);
  Result<Credentials> c = ResolveCredentials({.allow_shared_file = true});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDFILE");
  EXPECT_EQ(c->source, dir_ + "/.aws/credentials [default]");

  setenv("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", 1);
  c = ResolveCredentials({.allow_shared_file = true});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, dir_ + "/.aws/credentials [default]") << "~/ is the home directory";
}

TEST_F(SharedCredentialsFileTest, EnvironmentAndExplicitValuesWinAndNeverMixWithTheFile) {
  setenv("AWS_SHARED_CREDENTIALS_FILE", Write(dir_ + "/creds", kFile).c_str(), 1);
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  Result<Credentials> c = ResolveCredentials({.allow_shared_file = true});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->secret_access_key, "env-secret");
  EXPECT_EQ(c->source, "");

  // A key id without its secret is an error, never completed with the file's secret.
  unsetenv("AWS_SECRET_ACCESS_KEY");
  c = ResolveCredentials({.allow_shared_file = true});
  EXPECT_EQ(c.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(c.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);

  unsetenv("AWS_ACCESS_KEY_ID");
  c = ResolveCredentials({.access_key_id = "MINE", .secret_access_key = "S", .allow_shared_file = true});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "MINE");
}

TEST_F(SharedCredentialsFileTest, OnlyWhenTheCallerAllowsIt) {
  setenv("AWS_SHARED_CREDENTIALS_FILE", Write(dir_ + "/creds", kFile).c_str(), 1);
  Result<Credentials> c = ResolveCredentials({});
  EXPECT_EQ(c.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(c.status().message(), "aws: no access key id (option access_key_id or AWS_ACCESS_KEY_ID)");
}

TEST_F(SharedCredentialsFileTest, ErrorsNameFileProfileAndKeyButNoValue) {
  const std::string path = Write(dir_ + "/creds", kFile);
  setenv("AWS_SHARED_CREDENTIALS_FILE", path.c_str(), 1);
  setenv("AWS_PROFILE", "key-only", 1);
  Result<Credentials> c = ResolveCredentials({.allow_shared_file = true});
  EXPECT_EQ(c.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(c.status().message(), "aws: no aws_secret_access_key in " + path + " [key-only]");

  setenv("AWS_PROFILE", "nope", 1);
  c = ResolveCredentials({.allow_shared_file = true});
  EXPECT_EQ(c.status().message(), "aws: AWS_PROFILE names profile [nope], which " + path + " does not have");

  setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ + "/missing").c_str(), 1);
  c = ResolveCredentials({.allow_shared_file = true});
  EXPECT_EQ(c.status().message(),
            "aws: AWS_PROFILE names profile [nope], but " + dir_ + "/missing cannot be read");

  // No file and no profile named: the usual message, which now also points at the file.
  unsetenv("AWS_PROFILE");
  c = ResolveCredentials({.allow_shared_file = true});
  EXPECT_EQ(c.status().message(),
            "aws: no access key id (option access_key_id or AWS_ACCESS_KEY_ID, or a "
            "[default] profile in " +
                dir_ + "/missing)");

  // A file without [default] is the same as no file.
  setenv("AWS_SHARED_CREDENTIALS_FILE", Write(dir_ + "/other", "[ci]\naws_access_key_id = X\n").c_str(), 1);
  c = ResolveCredentials({.allow_shared_file = true});
  EXPECT_EQ(c.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(c.status().message().find("[default] profile in " + dir_ + "/other"), std::string::npos);
}

}  // namespace
}  // namespace bakeoff::aws
