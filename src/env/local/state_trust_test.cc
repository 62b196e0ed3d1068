// State files are not trusted (issue 10, point 1): a forged state file cannot make `env gc` / `env down`
// remove a directory outside bakeoff's work root or write a state file outside the state dir, and roots
// another user could have planted are refused. Each test failed on the code before the fix.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "env/local/env_admin.h"
#include "env/local/local_test_support.h"
#include "env/process/files.h"

namespace bakeoff {
namespace {

namespace fs = std::filesystem;
using testing_support::Sandbox;

// A state file of a dead owner whose work directory is `dir`.
EnvState DeadOwnerState(const std::string& id, const std::string& dir) {
  EnvState s;
  s.id = id;
  s.owner_pid = 999999;
  s.work_dir = dir;
  s.resources.push_back({.kind = "directory", .name = "work", .directories = {dir}, .status = "created"});
  return s;
}

void Touch(const std::string& path) {
  std::ofstream(path) << "precious\n";
}

TEST(StateTrustTest, EnvIdsAreValidated) {
  EXPECT_TRUE(IsValidEnvId("redis-0a1b2c"));
  EXPECT_TRUE(IsValidEnvId("a.b_c-1"));
  for (const char* bad : {"", ".", "..", "../x", "a/b", "a..b", "x y", "a\nb", "/etc"})
    EXPECT_FALSE(IsValidEnvId(bad)) << bad;
  EXPECT_FALSE(IsValidEnvId(std::string(129, 'a')));
}

// Before: gc removed <victim>/<id> because its last component equals the id.
TEST(StateTrustTest, GcSparesDirectoryOutsideWorkRootNamedAfterTheId) {
  Sandbox sandbox;
  StateStore store(sandbox.state_dir());
  const std::string id = "forged-000001";
  const std::string victim = sandbox.root() + "/victim/" + id;
  ASSERT_TRUE(MakeDirectories(victim).ok());
  Touch(victim + "/data");
  ASSERT_TRUE(store.Save(DeadOwnerState(id, victim)).ok());
  GcReport report = CollectGarbage(store, OsProcessLauncher(), sandbox.work_root());
  EXPECT_TRUE(fs::exists(victim + "/data"));
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("refusing to remove " + victim), std::string::npos) << report.errors[0];
  EXPECT_TRUE(report.removed.empty());
}

// A symlink <work_root>/<id> -> elsewhere is never followed out of the work root (this held before too;
// kept as a guard now that the check is a different one).
TEST(StateTrustTest, GcSparesSymlinkOutOfWorkRoot) {
  Sandbox sandbox;
  StateStore store(sandbox.state_dir());
  const std::string id = "linked-000002";
  const std::string victim = sandbox.root() + "/elsewhere";
  ASSERT_TRUE(MakeDirectories(victim).ok());
  ASSERT_TRUE(EnsurePrivateDirectory(sandbox.work_root()).ok());
  Touch(victim + "/data");
  std::ofstream(victim + "/" + kWorkDirMarker) << store.PathFor(id);
  fs::create_directory_symlink(victim, sandbox.work_root() + "/" + id);
  ASSERT_TRUE(store.Save(DeadOwnerState(id, sandbox.work_root() + "/" + id)).ok());
  GcReport report = CollectGarbage(store, OsProcessLauncher(), sandbox.work_root());
  EXPECT_TRUE(fs::exists(victim + "/data"));
  EXPECT_FALSE(report.errors.empty());
}

// Before: any directory named after the id was removed; now only one carrying bakeoff's marker.
TEST(StateTrustTest, TearDownNeedsTheMarkerBakeoffWrote) {
  Sandbox sandbox;
  StateStore store(sandbox.state_dir());
  const std::string id = "nomarker-000003";
  const std::string dir = sandbox.work_root() + "/" + id;
  ASSERT_TRUE(MakeDirectories(dir).ok());
  Touch(dir + "/data");
  EnvState s = DeadOwnerState(id, dir);
  ASSERT_TRUE(store.Save(s).ok());
  EXPECT_FALSE(TearDownEnvironment(s, store, OsProcessLauncher(), sandbox.work_root()).ok());
  EXPECT_TRUE(fs::exists(dir + "/data"));
  // With the marker naming this state file it goes.
  std::ofstream(dir + "/" + kWorkDirMarker) << store.PathFor(id);
  EXPECT_TRUE(TearDownEnvironment(s, store, OsProcessLauncher(), sandbox.work_root()).ok());
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(fs::exists(store.PathFor(id)));
}

// Before: a state file recording id "../escape" made gc write <state_dir>/../escape.json.
TEST(StateTrustTest, ForgedIdNeverBuildsAPathOutsideTheStateDir) {
  Sandbox sandbox;
  StateStore store(sandbox.state_dir());
  ASSERT_TRUE(EnsurePrivateDirectory(sandbox.state_dir()).ok());
  EnvState s = DeadOwnerState("placeholder", sandbox.work_root() + "/x");
  std::string text = EnvStateToJson(s);
  text.replace(text.find("\"placeholder\""), 13, "\"../escape\"");
  std::ofstream(sandbox.state_dir() + "/evil.json") << text;
  Result<EnvState> loaded = store.Load("evil");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("invalid environment id"), std::string::npos)
      << loaded.status().message();
  (void)CollectGarbage(store, OsProcessLauncher(), sandbox.work_root());
  EXPECT_FALSE(fs::exists(sandbox.root() + "/escape.json"));
  EXPECT_FALSE(store.Load("../evil").ok());
  // A copied file whose id is valid but not its own name is refused too.
  ASSERT_TRUE(store.Save(DeadOwnerState("real-000004", sandbox.work_root() + "/real-000004")).ok());
  fs::copy_file(store.PathFor("real-000004"), store.PathFor("other-000005"));
  Result<EnvState> copied = store.Load("other-000005");
  ASSERT_FALSE(copied.ok());
  EXPECT_NE(copied.status().message().find("not `other-000005`"), std::string::npos);
}

// Before: roots were created with the umask's mode and used whoever owned them.
TEST(StateTrustTest, RootsArePrivateAndForeignOnesRefused) {
  Sandbox sandbox;
  StateStore store(sandbox.state_dir());
  ASSERT_TRUE(store.Save(DeadOwnerState("mode-000006", sandbox.work_root() + "/mode-000006")).ok());
  struct stat info {};
  ASSERT_EQ(stat(sandbox.state_dir().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);

  ASSERT_EQ(chmod(sandbox.state_dir().c_str(), 0777), 0);
  EXPECT_FALSE(store.Save(DeadOwnerState("mode-000007", sandbox.work_root() + "/m")).ok());
  GcReport report = CollectGarbage(store, OsProcessLauncher(), sandbox.work_root());
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("writable by group or others"), std::string::npos) << report.errors[0];
  EXPECT_TRUE(fs::exists(store.PathFor("mode-000006")));  // nothing acted upon
  ASSERT_EQ(chmod(sandbox.state_dir().c_str(), 0700), 0);

  if (geteuid() == 0) {  // only root can give a directory away
    const std::string planted = sandbox.root() + "/planted";
    ASSERT_EQ(mkdir(planted.c_str(), 0700), 0);
    ASSERT_EQ(chown(planted.c_str(), 65534, 65534), 0);
    Status st = EnsurePrivateDirectory(planted);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("owned by uid 65534"), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace bakeoff
