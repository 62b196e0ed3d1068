#include <gtest/gtest.h>
TEST(LocalProviderTest, Placeholder) {
  SUCCEED();
}
