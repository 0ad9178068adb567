#include "core/text.h"

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

TEST(FoldCaseTest, LowersTheScriptsSalesTeamsType) {
  struct Case {
    const char* in;
    const char* want;
  };
  const Case cases[] = {
      {"ACME Corp", "acme corp"},
      {"Café ÜNÏCØDÉ", "café ünïcødé"},
      {"ŁÓDŹ ŚWIĘTY", "łódź święty"},
      {"ŸVES", "ÿves"},
      {"ΑΘΉΝΑ", "αθήνα"},
      {"МОСКВА Ёлка", "москва ёлка"},
      {"×÷ß", "×÷ß"},
      {"日本語", "日本語"},
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(FoldCase(c.in), c.want) << c.in;
}

TEST(FoldCaseTest, PassesBrokenUtf8Through) {
  const std::string broken = "A\xC3";
  EXPECT_EQ(FoldCase(broken), "a\xC3");
  const std::string overlong = "\xC1\x81";  // overlong 'A' is not decoded
  EXPECT_EQ(FoldCase(overlong), overlong);
}

}  // namespace
}  // namespace pipedeck
