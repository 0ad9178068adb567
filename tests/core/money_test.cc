#include "core/money.h"

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

TEST(MoneyTest, CurrencyCodes) {
  struct Row {
    const char* code;
    std::optional<int> digits;
  };
  const Row rows[] = {
      {"USD", 2},
      {"EUR", 2},
      {"GBP", 2},
      {"JPY", 0},
      {"KRW", 0},
      {"KWD", 3},
      {"BHD", 3},
      {"TND", 3},
      {"CLF", 4},
      {"UYW", 4},
      {"CHF", 2},
      {"XOF", 0},
      {"XCD", 2},
      {"ZWG", 2},
      {"usd", std::nullopt},
      {"Usd", std::nullopt},
      {"US", std::nullopt},
      {"USDD", std::nullopt},
      {"", std::nullopt},
      {"ABC", std::nullopt},
      {"XXX", std::nullopt},
      {"XAU", std::nullopt},
      {"HRK", std::nullopt},
      {"US$", std::nullopt},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.code);
    EXPECT_EQ(IsCurrencyCode(r.code), r.digits.has_value());
    EXPECT_EQ(MinorUnitDigits(r.code), r.digits);
  }
}

TEST(MoneyTest, TableCoversTheActiveCodes) {
  int known = 0;
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char b = 'A'; b <= 'Z'; ++b) {
      for (char c = 'A'; c <= 'Z'; ++c) {
        const std::string code{a, b, c};
        if (!IsCurrencyCode(code)) continue;
        ++known;
        const auto digits = MinorUnitDigits(code);
        ASSERT_TRUE(digits.has_value()) << code;
        EXPECT_GE(*digits, 0) << code;
        EXPECT_LE(*digits, 4) << code;
      }
    }
  }
  EXPECT_GT(known, 160);
}

TEST(MoneyTest, ValidateMoney) {
  struct Row {
    Money money;
    const char* field;  // nullptr when valid
    const char* message;
  };
  const Row rows[] = {
      {{0, "USD"}, nullptr, nullptr},
      {{125000, "USD"}, nullptr, nullptr},
      {{kMaxAmountMinor, "JPY"}, nullptr, nullptr},
      {{-1, "USD"}, "value_minor", "must not be negative"},
      {{kMaxAmountMinor + 1, "USD"}, "value_minor", "must be at most 1000000000000000"},
      {{100, "usd"}, "currency", nullptr},
      {{100, ""}, "currency", nullptr},
      {{100, "DOLLARS"}, "currency", nullptr},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(testing::Message() << r.money.amount_minor << " " << r.money.currency);
    const Status s = ValidateMoney(r.money, "value_minor", "currency");
    if (r.field == nullptr) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      continue;
    }
    EXPECT_EQ(s.code(), ErrorCode::kInvalid);
    EXPECT_EQ(s.field(), r.field);
    if (r.message != nullptr) {
      EXPECT_EQ(s.message(), r.message);
    }
  }
}

TEST(MoneyTest, CurrencyErrorNamesTheCodeAndTheStandard) {
  const Status s = ValidateMoney({100, "usd"}, "amount", "deal_currency");
  EXPECT_EQ(s.field(), "deal_currency");
  EXPECT_NE(s.message().find("\"usd\" is not an ISO 4217 currency code"), std::string::npos)
      << s.message();
}

TEST(MoneyTest, ApplyPercentRoundsHalfAwayFromZero) {
  struct Row {
    int64_t amount;
    int percent;
    int64_t expected;
  };
  const Row rows[] = {
      {0, 50, 0},
      {100, 0, 0},
      {100, 100, 100},
      {1000, 40, 400},
      {1, 50, 1},    // 0.5 → 1
      {1, 49, 0},    // 0.49 → 0
      {3, 50, 2},    // 1.5 → 2
      {5, 10, 1},    // 0.5 → 1
      {4, 10, 0},    // 0.4 → 0
      {15, 10, 2},   // 1.5 → 2
      {25, 10, 3},   // 2.5 → 3, not banker's 2
      {-1, 50, -1},  // −0.5 → −1
      {-3, 50, -2},
      {-25, 10, -3},
      {-24, 10, -2},
      {199, 33, 66},  // 65.67 → 66
      {kMaxAmountMinor, 100, kMaxAmountMinor},
      {kMaxAmountMinor, 33, 330'000'000'000'000},
      {kMaxAmountMinor - 1, 50, 500'000'000'000'000},  // 499999999999999.5 → up
      {INT64_MAX, 100, INT64_MAX},
      {INT64_MAX, 50, 4'611'686'018'427'387'904},  // 4611686018427387903.5 → up
      {INT64_MIN, 100, INT64_MIN},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(ApplyPercent(r.amount, r.percent), r.expected) << r.amount << " × " << r.percent;
  }
}

TEST(MoneyTest, TotalsAreKeptPerCurrency) {
  MoneyTotals totals;
  totals.Add({100, "USD"});
  totals.Add({50, "EUR"});
  totals.Add({25, "USD"});
  const std::map<std::string, int64_t> expected = {{"EUR", 50}, {"USD", 125}};
  EXPECT_EQ(totals.by_currency(), expected);
}

}  // namespace
}  // namespace pipedeck
