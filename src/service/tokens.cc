#include "service/tokens.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <sodium.h>

namespace pipedeck {
namespace {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      std::fputs("fatal: libsodium could not be initialised\n", stderr);
      std::abort();
    }
  });
}

std::string ToHex(const unsigned char* bytes, size_t n) {
  std::string hex(2 * n + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.pop_back();  // sodium_bin2hex writes a terminating NUL
  return hex;
}

}  // namespace

std::string GenerateTokenSecret() {
  EnsureSodium();
  unsigned char bytes[24];
  randombytes_buf(bytes, sizeof bytes);
  return std::string(kTokenSecretPrefix) + ToHex(bytes, sizeof bytes);
}

std::string HashTokenSecret(std::string_view secret) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  return ToHex(digest, sizeof digest);
}

std::string TokenPrefix(std::string_view secret) {
  return std::string(secret.substr(0, kTokenPrefixLength));
}

}  // namespace pipedeck
