#include "core/csv.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

struct Read {
  std::vector<std::vector<std::string>> records;
  std::vector<int64_t> lines;
  Status status;
};

// Reads `input` fed in pieces of `piece` bytes (0: all at once).
Read ReadAll(std::string_view input, size_t piece = 0) {
  Read out;
  CsvReader reader;
  auto on_record = [&](const CsvRecord& r) -> Status {
    EXPECT_EQ(r.number, static_cast<int64_t>(out.records.size()) + 1);
    out.records.emplace_back(r.fields.begin(), r.fields.end());
    out.lines.push_back(r.line);
    return Status::Ok();
  };
  if (piece == 0) piece = input.size() + 1;
  for (size_t at = 0; at < input.size(); at += piece) {
    out.status = reader.Feed(input.substr(at, piece), on_record);
    if (!out.status.ok()) return out;
  }
  out.status = reader.Finish(on_record);
  return out;
}

using Records = std::vector<std::vector<std::string>>;

TEST(CsvTest, ReadsWhatSpreadsheetsAndCrmsWrite) {
  const std::string input =
      "\xEF\xBB\xBF"  // Excel's byte order mark
      "Title,Value,Notes\r\n"
      "Acme,\"1,500\",\"Said \"\"yes\"\"\r\non a call\"\r\n"
      "\r\n"  // a blank line
      "Globex,,\n"
      "\"\",5\" disk,x\r"
      "Last,1,no newline";
  const Records expected = {{"Title", "Value", "Notes"},
                            {"Acme", "1,500", "Said \"yes\"\r\non a call"},
                            {"Globex", "", ""},
                            {"", "5\" disk", "x"},
                            {"Last", "1", "no newline"}};
  // Fed whole, byte by byte and in odd pieces: the same records (a piece may end inside a mark,
  // a quote pair or a CRLF).
  for (size_t piece : {0, 1, 2, 3, 7}) {
    SCOPED_TRACE("piece " + std::to_string(piece));
    Read r = ReadAll(input, piece);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(r.records, expected);
    EXPECT_EQ(r.lines, (std::vector<int64_t>{1, 2, 5, 6, 7}));
  }
}

TEST(CsvTest, EmptyInputsAndTrailingSeparators) {
  EXPECT_TRUE(ReadAll("").records.empty());
  EXPECT_TRUE(ReadAll("\xEF\xBB\xBF").records.empty());
  EXPECT_TRUE(ReadAll("\n\r\n\n").records.empty());
  EXPECT_EQ(ReadAll("a,").records, (Records{{"a", ""}}));
  EXPECT_EQ(ReadAll("a,\n").records, (Records{{"a", ""}}));
  EXPECT_EQ(ReadAll(",").records, (Records{{"", ""}}));
  EXPECT_EQ(ReadAll("\"\"").records, (Records{{""}}));
  // Not a byte order mark: kept as data.
  EXPECT_EQ(ReadAll("\xEF\xBBx").records, (Records{{"\xEF\xBBx"}}));
}

TEST(CsvTest, ErrorsNameTheLine) {
  Read r = ReadAll("a,b\n\"x\"y,z\n");
  EXPECT_EQ(r.status.code(), ErrorCode::kInvalid);
  EXPECT_EQ(r.status.field(), "csv");
  EXPECT_NE(r.status.message().find("line 2"), std::string::npos) << r.status.message();

  r = ReadAll("a,b\nc,\"open\nstill open");
  EXPECT_EQ(r.status.code(), ErrorCode::kInvalid);
  EXPECT_NE(r.status.message().find("line 2: a quoted field is not closed"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(r.records, (Records{{"a", "b"}}));  // the good records before it were read
}

TEST(CsvTest, ACallbackErrorStopsTheReading) {
  CsvReader reader;
  int seen = 0;
  Status s = reader.Feed("a\nb\nc\n", [&](const CsvRecord&) {
    return ++seen == 2 ? Status::Invalid("x", "stop") : Status::Ok();
  });
  EXPECT_EQ(s.field(), "x");
  EXPECT_EQ(seen, 2);
}

TEST(CsvTest, WrittenFieldsReadBackUnchanged) {
  std::mt19937 random(11);
  const std::string alphabet = "ab ,\"\r\n\xC3\xA9x";  // separators, quotes, breaks, UTF-8
  Records written;
  std::string text;
  for (int r = 0; r < 300; ++r) {
    std::vector<std::string> fields(1 + random() % 5);
    for (std::string& f : fields) {
      const size_t n = random() % 8;
      for (size_t i = 0; i < n; ++i) f += alphabet[random() % alphabet.size()];
    }
    if (fields.size() == 1 && fields[0].empty()) fields[0] = "x";  // a blank line reads as none
    AppendCsvRecord(std::span<const std::string>(fields), text);
    written.push_back(fields);
  }
  Read r = ReadAll(text, 5);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.records, written);
}

TEST(CsvTest, FieldsAreQuotedOnlyWhenTheyMustBe) {
  std::string out;
  const std::vector<std::string_view> fields = {"plain",      "a,b",     "say \"hi\"",
                                                "two\nlines", " padded", ""};
  AppendCsvRecord(std::span<const std::string_view>(fields), out);
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\",\r\n");
}

}  // namespace
}  // namespace pipedeck
