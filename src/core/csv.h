// CSV as spreadsheets and CRMs (Pipedrive, HubSpot, Excel, Google Sheets) write it, RFC 4180:
// fields separated by commas, records by CRLF, LF or CR; a field may be quoted with '"', inside
// which commas and line breaks are kept and '""' stands for one quote. A UTF-8 byte order mark at
// the start is skipped. Blank lines are skipped.
//
// Lenient where exports are sloppy and strict where data would be lost: a quote inside an
// unquoted field is kept as a character ('5" disk'); text after a closing quote other than a
// separator (`"a"b`) and a quoted field still open at the end are errors naming the line.
//
// Reading is incremental, so a file of any size is read in pieces of any size (a record may span
// pieces): Feed() hands each complete record to a callback; Finish() ends the input.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace pipedeck {

struct CsvRecord {
  int64_t number = 0;  // 1-based among the non-blank records (the header row is 1)
  int64_t line = 0;    // 1-based line of the input the record starts on
  std::vector<std::string_view> fields;  // valid during the callback only
};

class CsvReader {
 public:
  // Called for each record; an error stops the reading and is returned by Feed/Finish.
  using OnRecord = std::function<Status(const CsvRecord&)>;

  // Reads `bytes`, the input's next piece. Errors: kInvalid "csv" naming the line; the
  // callback's.
  Status Feed(std::string_view bytes, const OnRecord& on_record);
  // Ends the input: hands over the last record when the input does not end with a line break.
  // Errors: kInvalid "csv" for a quoted field not closed.
  Status Finish(const OnRecord& on_record);

 private:
  enum class State {
    kFieldStart,     // at the start of a field
    kUnquoted,       // inside an unquoted field
    kQuoted,         // inside a quoted field
    kQuoteInQuoted,  // just after a '"' inside a quoted field: a closing quote or the first of ""
    kAfterCr,        // just after a CR that ended a record (an LF right after belongs to it)
  };

  void EndField();
  Status EndRecord(const OnRecord& on_record);
  Status Error(std::string_view what) const;

  State state_ = State::kFieldStart;
  bool at_input_start_ = true;  // a byte order mark may come first
  std::string bom_seen_;        // the part of a byte order mark read so far
  std::string text_;            // the current record's field contents, back to back
  std::vector<size_t> ends_;    // where each field of the current record ends in text_
  bool record_has_content_ = false;
  int64_t line_ = 1;         // the line being read
  int64_t record_line_ = 1;  // the line the current record started on
  int64_t records_ = 0;
};

// Appends `value` as one field: quoted when it holds a comma, a quote, a line break, or leading
// or trailing spaces (which readers might trim); otherwise as is.
void AppendCsvField(std::string_view value, std::string& out);
// Appends `fields` as one record, ended by CRLF.
void AppendCsvRecord(std::span<const std::string_view> fields, std::string& out);
void AppendCsvRecord(std::span<const std::string> fields, std::string& out);

}  // namespace pipedeck
