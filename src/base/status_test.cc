#include "base/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace bakeoff {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument(std::to_string(n) + " is odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  BAKEOFF_ASSIGN_OR_RETURN(const int half, Half(n));
  BAKEOFF_ASSIGN_OR_RETURN(const int quarter, Half(half));
  return quarter;
}

Status CheckEven(int n) {
  BAKEOFF_RETURN_IF_ERROR(Half(n).status());
  return Status::Ok();
}

TEST(StatusTest, ToStringNamesTheCode) {
  EXPECT_EQ(Status::Ok().ToString(), "ok");
  EXPECT_EQ(Unavailable("broker down").ToString(), "unavailable: broker down");
  EXPECT_TRUE(IsRetriable(StatusCode::kTimeout));
  EXPECT_FALSE(IsRetriable(StatusCode::kInvalidArgument));
}

TEST(ResultTest, AssignOrReturnForwardsTheFirstError) {
  EXPECT_EQ(*Quarter(12), 3);
  const Result<int> odd_half = Quarter(6);  // 6 -> 3 -> odd
  ASSERT_FALSE(odd_half.ok());
  EXPECT_EQ(odd_half.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(odd_half.status().message(), "3 is odd");
  EXPECT_FALSE(CheckEven(7).ok());
  EXPECT_TRUE(CheckEven(8).ok());
}

TEST(ResultTest, AnOkStatusIsNeverAValue) {
  const Result<int> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

TEST(ResultDeathTest, ValueOfAnErrorAbortsWithItsText) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Result<int> r = NotFound("no such result");
  EXPECT_DEATH((void)r.value(), "value\\(\\) of an error result: not found: no such result");
}

}  // namespace
}  // namespace bakeoff
