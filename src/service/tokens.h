// API token secrets: how they are made and how they are kept.
//
// A secret is "pd_" followed by 48 lowercase hex characters (24 random bytes from libsodium's
// CSPRNG, 192 bits). Only its SHA-256 is stored, so a leaked database does not leak usable
// tokens; the first kTokenPrefixLength characters are kept in clear to recognise a token in a
// list. Thread-safe.
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

}  // namespace pipedeck
