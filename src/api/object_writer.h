// ObjectWriter: one JSON response object written member by member over JsonText (json_text.h).
//
// Shared by the record writers (json_mapping.cc) and the report writers (report_json.cc), so that
// every response spells dates, instants, nullable values and nested records the same way: empty
// optionals are written as null, dates as "YYYY-MM-DD", instants as ISO 8601 UTC, doubles with a
// decimal point. Nested records and arrays of them are written by their own WriteJson overload
// (found by argument-dependent lookup in namespace pipedeck).
//
// Thread-safety: used by one thread; it borrows the JsonText it writes to.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_text.h"
#include "core/model.h"
#include "core/time.h"

namespace pipedeck {

// What response values depend on besides the record: what time it is (for `overdue`).
struct JsonOut {
  Timestamp now;
};

// The constructor opens the object, Done() closes it.
class ObjectWriter {
 public:
  ObjectWriter(const JsonOut& out, JsonText& w) : out_(out), w_(w) { w_.BeginObject(); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;
  ~ObjectWriter() { assert(done_ && "ObjectWriter::Done() not called"); }

  ObjectWriter& Int(std::string_view k, int64_t v) {
    w_.Key(k).Int(v);
    return *this;
  }
  ObjectWriter& Int(std::string_view k, const std::optional<int64_t>& v) {
    return v ? Int(k, *v) : Null(k);
  }
  ObjectWriter& Int(std::string_view k, const std::optional<int32_t>& v) {
    return v ? Int(k, *v) : Null(k);
  }
  ObjectWriter& Num(std::string_view k, double v) {
    w_.Key(k).Double(v);
    return *this;
  }
  // A figure that may be undefined (core/metrics.h Figure): null when it is.
  ObjectWriter& Num(std::string_view k, const std::optional<double>& v) {
    return v ? Num(k, *v) : Null(k);
  }
  ObjectWriter& Bool(std::string_view k, bool v) {
    w_.Key(k).Bool(v);
    return *this;
  }
  ObjectWriter& Str(std::string_view k, std::string_view v) {
    w_.Key(k).String(v);
    return *this;
  }
  ObjectWriter& OptionalStr(std::string_view k, const std::optional<std::string_view>& v) {
    return v ? Str(k, *v) : Null(k);
  }
  // Empty text is sent as null (fields whose emptiness means "none", like lost_reason).
  ObjectWriter& StrOrNull(std::string_view k, std::string_view v) {
    return v.empty() ? Null(k) : Str(k, v);
  }
  // Dates, times and instants are formatted straight into the output; they need no escaping.
  ObjectWriter& Date(std::string_view k, pipedeck::Date v) {
    w_.Key(k).PlainString([v](std::string& s) { AppendDate(v, s); });
    return *this;
  }
  ObjectWriter& Date(std::string_view k, const std::optional<pipedeck::Date>& v) {
    return v ? Date(k, *v) : Null(k);
  }
  ObjectWriter& Time(std::string_view k, const std::optional<TimeOfDay>& v) {
    if (!v) return Null(k);
    w_.Key(k).PlainString([t = *v](std::string& s) { AppendTimeOfDay(t, s); });
    return *this;
  }
  ObjectWriter& Instant(std::string_view k, Timestamp v) {
    w_.Key(k).PlainString([v](std::string& s) { AppendTimestamp(v, s); });
    return *this;
  }
  ObjectWriter& Instant(std::string_view k, const std::optional<Timestamp>& v) {
    return v ? Instant(k, *v) : Null(k);
  }
  ObjectWriter& Null(std::string_view k) {
    w_.Key(k).Null();
    return *this;
  }
  // version, created_at, updated_at: the tail of every stored record.
  ObjectWriter& Meta(int64_t version, Timestamp created_at, Timestamp updated_at) {
    return Int("version", version)
        .Instant("created_at", created_at)
        .Instant("updated_at", updated_at);
  }
  // A nested record, written by its own WriteJson.
  template <typename T>
  ObjectWriter& Record(std::string_view k, const T& record) {
    w_.Key(k);
    WriteJson(record, out_, w_);
    return *this;
  }
  template <typename T>
  ObjectWriter& Record(std::string_view k, const std::optional<T>& record) {
    return record ? Record(k, *record) : Null(k);
  }
  template <typename T>
  ObjectWriter& Array(std::string_view k, const std::vector<T>& items) {
    w_.Key(k).BeginArray();
    for (const T& item : items) WriteJson(item, out_, w_);
    w_.EndArray();
    return *this;
  }
  ObjectWriter& Ids(std::string_view k, const std::vector<Id>& ids) {
    w_.Key(k).BeginArray();
    for (Id id : ids) w_.Int(id);
    w_.EndArray();
    return *this;
  }
  ObjectWriter& Strs(std::string_view k, const std::vector<std::string>& items) {
    w_.Key(k).BeginArray();
    for (const std::string& s : items) w_.String(s);
    w_.EndArray();
    return *this;
  }

  void Done() {
    w_.EndObject();
#ifndef NDEBUG
    done_ = true;
#endif
  }

 private:
  const JsonOut& out_;
  JsonText& w_;
#ifndef NDEBUG
  bool done_ = false;
#endif
};

}  // namespace pipedeck
