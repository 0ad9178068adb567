// Secrets: how API tokens, session cookies, reset codes and passwords are made and kept.
//
// A token secret is "pd_" followed by 48 lowercase hex characters (24 random bytes from
// libsodium's CSPRNG, 192 bits); session secrets, CSRF tokens and reset codes are 32 random bytes
// in hex. Only a SHA-256 of a random secret is stored, so a leaked database does not leak usable
// credentials; the first kTokenPrefixLength characters of a token are kept in clear to recognise
// it in a list. Passwords, which people choose and so can be guessed, are kept as argon2id
// strings (libsodium's crypto_pwhash_str at its interactive limits: 64 MiB and about a tenth of a
// second per hash), salted, with their parameters inside. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace pipedeck {

constexpr std::string_view kTokenSecretPrefix = "pd_";
constexpr size_t kTokenPrefixLength = 10;

// A fresh random secret. Aborts the process if libsodium cannot be initialised (no entropy
// source): issuing predictable tokens would be worse.
std::string GenerateTokenSecret();

// Lowercase hex SHA-256 of the secret: the value stored and looked up.
std::string HashTokenSecret(std::string_view secret);

// The part of a secret shown in token lists: its first kTokenPrefixLength characters.
std::string TokenPrefix(std::string_view secret);

// 32 random bytes as 64 lowercase hex characters: session secrets, CSRF tokens, reset codes.
std::string GenerateRandomHex();

// The argon2id string of `password`. Aborts the process when the machine lacks the 64 MiB.
std::string HashPassword(std::string_view password);
// Whether `password` matches `hash`; false for a hash that is not an argon2id string.
bool VerifyPassword(std::string_view password, const std::string& hash);
// Whether `hash` was made with weaker limits than HashPassword uses now (rehash at sign-in).
bool PasswordNeedsRehash(const std::string& hash);

// Compares two secrets in time that depends on their lengths only.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace pipedeck
