// Money: an integer amount of a currency's minor unit plus an ISO 4217 code.
//
// Amounts never pass through floating point. Sums of different currencies are never mixed; code
// that totals money keeps one total per currency (see MoneyTotals).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pipedeck {

struct Money {
  int64_t amount_minor = 0;  // e.g. cents; 125000 USD = $1,250.00
  std::string currency;      // ISO 4217 alphabetic code, upper case ("USD")
  bool operator==(const Money&) const = default;
};

// True when `code` is an active ISO 4217 alphabetic code (upper case, three letters).
bool IsCurrencyCode(std::string_view code);
// Number of minor-unit digits of an active currency (USD 2, JPY 0, KWD 3); std::nullopt if unknown.
std::optional<int> MinorUnitDigits(std::string_view code);

// Largest amount Pipedeck accepts for one deal: 10^15 minor units, so that sums of a million deals
// and products with a probability (≤ 100) of one deal stay far inside int64; totals over many
// deals are summed in 128 bits by the store.
constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;

// Checks one amount for a record field: non-negative, at most kMaxAmountMinor, known currency.
// `field_prefix` names the fields in the error ("value_minor", "currency").
Status ValidateMoney(const Money& money, std::string_view amount_field,
                     std::string_view currency_field);

// amount × percent / 100, rounded half away from zero. REQUIRES: 0 <= percent <= 100.
int64_t ApplyPercent(int64_t amount_minor, int percent);

// Per-currency totals; adding a currency not seen yet starts a new total.
class MoneyTotals {
 public:
  void Add(const Money& m) { totals_[m.currency] += m.amount_minor; }
  const std::map<std::string, int64_t>& by_currency() const { return totals_; }

 private:
  std::map<std::string, int64_t> totals_;
};

}  // namespace pipedeck
