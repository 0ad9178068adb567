#include "core/money.h"

#include <algorithm>
#include <array>
#include <cassert>

namespace pipedeck {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int minor_digits;
};

// ISO 4217 list one: the active alphabetic codes and their minor units, sorted by code for binary
// search. Taken from the ISO 4217 maintenance agency's list (amendments through 2025: XCG and
// ZWG added; HRK withdrawn when Croatia adopted the euro). ANG, SLL and ZWL are kept while their
// successors phase in, so records created before the switch stay valid. Codes whose minor unit is
// "N.A." (precious metals XAU/XAG/XPD/XPT, bond units XBA..XBD, XDR, XSU, XUA, and the test and
// no-currency codes XTS/XXX) are left out: they are not a price a deal can be worth.
constexpr std::array<CurrencyInfo, 169> kCurrencies = {{
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2},
    {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2},
    {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2},
    {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0},
    {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2},
    {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2},
    {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
    {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2},
    {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2},
    {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2},
    {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2},
    {"SLE", 2}, {"SLL", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2},
    {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2},
    {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0},
    {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
    {"ZWL", 2},
}};

const CurrencyInfo* FindCurrency(std::string_view code) {
  const auto it =
      std::lower_bound(kCurrencies.begin(), kCurrencies.end(), code,
                       [](const CurrencyInfo& c, std::string_view key) { return c.code < key; });
  return it != kCurrencies.end() && it->code == code ? &*it : nullptr;
}

}  // namespace

bool IsCurrencyCode(std::string_view code) { return FindCurrency(code) != nullptr; }

std::optional<int> MinorUnitDigits(std::string_view code) {
  const CurrencyInfo* c = FindCurrency(code);
  if (c == nullptr) return std::nullopt;
  return c->minor_digits;
}

Status ValidateMoney(const Money& money, std::string_view amount_field,
                     std::string_view currency_field) {
  if (money.amount_minor < 0)
    return Status::Invalid(std::string(amount_field), "must not be negative");
  if (money.amount_minor > kMaxAmountMinor) {
    return Status::Invalid(std::string(amount_field),
                           "must be at most " + std::to_string(kMaxAmountMinor));
  }
  if (!IsCurrencyCode(money.currency)) {
    return Status::Invalid(std::string(currency_field),
                           "\"" + money.currency +
                               "\" is not an ISO 4217 currency code (three upper-case letters, "
                               "e.g. \"USD\")");
  }
  return Status::Ok();
}

int64_t ApplyPercent(int64_t amount_minor, int percent) {
  assert(percent >= 0 && percent <= 100);
  // amount = 100·q + r, so amount·p/100 = q·p + r·p/100 exactly; only the last term needs
  // rounding, and neither product can overflow for any int64 amount. q and r share the amount's
  // sign, so rounding r·p/100 away from zero rounds the whole result away from zero.
  const int64_t q = amount_minor / 100;
  const int64_t r = amount_minor % 100;
  const int64_t rest = r * percent;  // |rest| < 10'000
  const int64_t rounded = (rest >= 0 ? rest + 50 : rest - 50) / 100;
  return q * percent + rounded;
}

}  // namespace pipedeck
