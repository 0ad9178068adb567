// Transactions that hand back a value: Reading and Writing run a function (StoreTx& → Result<T>)
// in one read or write transaction of the store and return its value once committed.
#pragma once

#include <optional>
#include <utility>

#include "core/status.h"
#include "store/store.h"

namespace pipedeck {

using TxMode = Status (Store::*)(const std::function<Status(StoreTx&)>&);

template <typename T, typename Fn>
Result<T> InTx(Store& store, TxMode mode, Fn&& fn) {
  std::optional<T> out;
  Status status = (store.*mode)([&](StoreTx& tx) -> Status {
    Result<T> result = fn(tx);
    if (!result.ok()) return result.status();
    out = std::move(result).value();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*out);
}

template <typename T, typename Fn>
Result<T> Reading(Store& store, Fn&& fn) {
  return InTx<T>(store, &Store::Read, std::forward<Fn>(fn));
}

template <typename T, typename Fn>
Result<T> Writing(Store& store, Fn&& fn) {
  return InTx<T>(store, &Store::Write, std::forward<Fn>(fn));
}

}  // namespace pipedeck
