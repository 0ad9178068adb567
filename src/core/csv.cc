#include "core/csv.h"

#include <algorithm>

namespace pipedeck {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

Status CsvReader::Error(std::string_view what) const {
  return Status::Invalid("csv", "line " + std::to_string(line_) + ": " + std::string(what));
}

void CsvReader::EndField() { ends_.push_back(text_.size()); }

Status CsvReader::EndRecord(const OnRecord& on_record) {
  EndField();
  // A blank line is one empty unquoted field: no record.
  const bool blank = !record_has_content_ && ends_.size() == 1 && text_.empty();
  Status status = Status::Ok();
  if (!blank) {
    CsvRecord record;
    record.number = ++records_;
    record.line = record_line_;
    record.fields.reserve(ends_.size());
    size_t begin = 0;
    for (size_t end : ends_) {
      record.fields.emplace_back(text_.data() + begin, end - begin);
      begin = end;
    }
    status = on_record(record);
  }
  text_.clear();
  ends_.clear();
  record_has_content_ = false;
  return status;
}

Status CsvReader::Feed(std::string_view bytes, const OnRecord& on_record) {
  // The byte order mark, possibly split over pieces.
  while (at_input_start_ && !bytes.empty()) {
    if (bytes.front() != kByteOrderMark[bom_seen_.size()]) {
      // Not a mark after all: what looked like its start is data.
      at_input_start_ = false;
      if (!bom_seen_.empty()) {
        std::string seen = std::move(bom_seen_);
        bom_seen_.clear();
        PD_RETURN_IF_ERROR(Feed(seen, on_record));
      }
      break;
    }
    bom_seen_ += bytes.front();
    bytes.remove_prefix(1);
    if (bom_seen_.size() == kByteOrderMark.size()) {
      at_input_start_ = false;
      bom_seen_.clear();
    }
  }

  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    const char c = *p;
    switch (state_) {
      case State::kAfterCr:
        state_ = State::kFieldStart;
        if (c == '\n') {
          ++p;  // CRLF: the record ended at the CR
          continue;
        }
        [[fallthrough]];
      case State::kFieldStart:
        if (ends_.empty() && text_.empty() && !record_has_content_) record_line_ = line_;
        if (c == '"') {
          state_ = State::kQuoted;
          record_has_content_ = true;
          ++p;
          continue;
        }
        state_ = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted: {
        // The run of plain characters up to the next separator, copied at once.
        const char* stop = p;
        while (stop < end && *stop != ',' && *stop != '\n' && *stop != '\r') ++stop;
        text_.append(p, stop);
        p = stop;
        if (p == end) continue;
        if (*p == ',') {
          record_has_content_ = true;
          EndField();
          state_ = State::kFieldStart;
          ++p;
          continue;
        }
        // A line break ends the record.
        const bool cr = *p == '\r';
        ++p;
        PD_RETURN_IF_ERROR(EndRecord(on_record));
        ++line_;
        state_ = cr ? State::kAfterCr : State::kFieldStart;
        continue;
      }
      case State::kQuoted: {
        const char* stop = p;
        while (stop < end && *stop != '"') {
          if (*stop == '\n') ++line_;
          ++stop;
        }
        text_.append(p, stop);
        p = stop;
        if (p == end) continue;
        state_ = State::kQuoteInQuoted;
        ++p;
        continue;
      }
      case State::kQuoteInQuoted:
        if (c == '"') {  // "" inside quotes: one quote
          text_ += '"';
          state_ = State::kQuoted;
          ++p;
          continue;
        }
        if (c == ',') {
          EndField();
          state_ = State::kFieldStart;
          ++p;
          continue;
        }
        if (c == '\n' || c == '\r') {
          ++p;
          PD_RETURN_IF_ERROR(EndRecord(on_record));
          ++line_;
          state_ = c == '\r' ? State::kAfterCr : State::kFieldStart;
          continue;
        }
        return Error("text after a closing quote; a quote inside a quoted field is written \"\"");
    }
  }
  return Status::Ok();
}

Status CsvReader::Finish(const OnRecord& on_record) {
  if (at_input_start_ && !bom_seen_.empty()) {
    at_input_start_ = false;
    std::string seen = std::move(bom_seen_);
    bom_seen_.clear();
    PD_RETURN_IF_ERROR(Feed(seen, on_record));
  }
  switch (state_) {
    case State::kQuoted:
      return Status::Invalid("csv", "line " + std::to_string(record_line_) +
                                        ": a quoted field is not closed before the end");
    case State::kUnquoted:
    case State::kQuoteInQuoted:
      return EndRecord(on_record);
    case State::kFieldStart:
      // After a separator the record has one more (empty) field; after a line break, nothing.
      if (record_has_content_ || !ends_.empty()) return EndRecord(on_record);
      return Status::Ok();
    case State::kAfterCr:
      return Status::Ok();
  }
  return Status::Ok();
}

void AppendCsvField(std::string_view value, std::string& out) {
  const bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!quote) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

namespace {

template <typename Field>
void AppendFields(std::span<const Field> fields, std::string& out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    AppendCsvField(fields[i], out);
  }
  out += "\r\n";
}

}  // namespace

void AppendCsvRecord(std::span<const std::string_view> fields, std::string& out) {
  AppendFields(fields, out);
}

void AppendCsvRecord(std::span<const std::string> fields, std::string& out) {
  AppendFields(fields, out);
}

}  // namespace pipedeck
