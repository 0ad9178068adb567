#include "core/import_columns.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

using enum ImportField;

// The field each column fills, "-" for none.
std::vector<std::string> FieldsOf(const ImportColumns& c) {
  std::vector<std::string> out;
  for (const auto& f : c.field_of_column) out.push_back(f ? ImportFieldName(*f) : "-");
  return out;
}

TEST(ImportColumnsTest, PipedriveDealExport) {
  const std::vector<std::string> header = {"Deal - ID",           "Deal - Title",
                                           "Deal - Value",        "Deal - Currency",
                                           "Deal - Owner",        "Deal - Stage",
                                           "Deal - Pipeline",     "Deal - Status",
                                           "Deal - Lost reason",  "Deal - Expected close date",
                                           "Organization - Name", "Person - Name",
                                           "Person - Email",      "Deal - Weighted value"};
  ImportColumns c = MatchColumns(ImportObject::kDeals, header, {}).value();
  EXPECT_EQ(FieldsOf(c),
            (std::vector<std::string>{"external_id", "title", "value", "currency", "owner", "stage",
                                      "pipeline", "status", "lost_reason", "expected_close_date",
                                      "organization", "person", "-", "-"}));
  EXPECT_EQ(c.detected, "pipedrive");
  EXPECT_EQ(c.ignored, (std::vector<std::string>{"Person - Email", "Deal - Weighted value"}));
  EXPECT_EQ(c.ColumnOf(kTitle), 1);
  EXPECT_EQ(c.ColumnOf(kProbability), -1);
}

TEST(ImportColumnsTest, HubSpotExportsAndPipedecksOwn) {
  ImportColumns deals = MatchColumns(ImportObject::kDeals,
                                     {"Record ID", "Deal Name", "Amount", "Deal Stage", "Pipeline",
                                      "Close Date", "Deal owner", "Associated Company"},
                                     {})
                            .value();
  EXPECT_EQ(deals.detected, "hubspot");
  EXPECT_EQ(FieldsOf(deals),
            (std::vector<std::string>{"external_id", "title", "value", "stage", "pipeline",
                                      "expected_close_date", "owner", "organization"}));
  ImportColumns persons =
      MatchColumns(
          ImportObject::kPersons,
          {"Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name"}, {})
          .value();
  EXPECT_EQ(persons.detected, "hubspot");
  EXPECT_EQ(FieldsOf(persons), (std::vector<std::string>{"external_id", "first_name", "last_name",
                                                         "email", "phone", "organization"}));
  ImportColumns own = MatchColumns(ImportObject::kOrganizations,
                                   {"id", "name", "address", "owner", "created_at"}, {})
                          .value();
  EXPECT_EQ(own.detected, "pipedeck");
  EXPECT_EQ(own.ignored, (std::vector<std::string>{"created_at"}));
}

TEST(ImportColumnsTest, AMappingOverridesTheGuess) {
  const std::vector<std::string> header = {"Opportunity", "Amount", "Company", "Notes"};
  // Without a mapping, nothing holds the title.
  Result<ImportColumns> guessed = MatchColumns(ImportObject::kDeals, header, {});
  EXPECT_EQ(guessed.status().field(), "columns");
  EXPECT_NE(guessed.status().message().find("title"), std::string::npos);

  ImportColumns c =
      MatchColumns(ImportObject::kDeals, header,
                   {{"Opportunity", "title"}, {"Company", "organization"}, {"Amount", ""}})
          .value();
  EXPECT_EQ(FieldsOf(c), (std::vector<std::string>{"title", "-", "organization", "-"}));
  EXPECT_EQ(c.ignored, (std::vector<std::string>{"Amount", "Notes"}));
}

TEST(ImportColumnsTest, ErrorsNameWhatIsWrong) {
  Result<ImportColumns> r = MatchColumns(ImportObject::kDeals, {"Title"}, {{"Price", "value"}});
  EXPECT_EQ(r.status().field(), "mapping");
  EXPECT_NE(r.status().message().find("no column \"Price\""), std::string::npos);

  r = MatchColumns(ImportObject::kDeals, {"Title", "Price"}, {{"Price", "price"}});
  EXPECT_EQ(r.status().field(), "mapping");
  EXPECT_NE(r.status().message().find("\"price\" is not a field of deals"), std::string::npos);
  EXPECT_NE(r.status().message().find("expected_close_date"), std::string::npos);

  r = MatchColumns(ImportObject::kDeals, {"Title", "Deal - Title"}, {});
  EXPECT_EQ(r.status().field(), "columns");
  EXPECT_NE(r.status().message().find("\"Title\" and \"Deal - Title\" both fill title"),
            std::string::npos);

  r = MatchColumns(ImportObject::kPersons, {"Email"}, {});
  EXPECT_NE(r.status().message().find("no column holds the name of the persons"),
            std::string::npos);
  r = MatchColumns(ImportObject::kNotes, {"Content"}, {});
  EXPECT_NE(r.status().message().find("deal, person or organization"), std::string::npos);
}

TEST(ImportColumnsTest, ObjectNames) {
  for (const char* name : {"deals", "persons", "organizations", "activities", "notes"}) {
    ASSERT_TRUE(ParseImportObject(name));
    EXPECT_STREQ(ImportObjectName(*ParseImportObject(name)), name);
  }
  EXPECT_FALSE(ParseImportObject("leads"));
}

}  // namespace
}  // namespace pipedeck
