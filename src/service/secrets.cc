#include "service/secrets.h"

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

std::string GenerateRandomHex() {
  EnsureSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return ToHex(bytes, sizeof bytes);
}

std::string HashPassword(std::string_view password) {
  EnsureSodium();
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    std::fputs("fatal: out of memory hashing a password\n", stderr);
    std::abort();
  }
  return hash;
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  EnsureSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(const std::string& hash) {
  EnsureSodium();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  EnsureSodium();
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace pipedeck
