#include "service/importer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/csv.h"
#include "service/exporter.h"
#include "service/workspace.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace pipedeck {
namespace {

using test_support::Must;

// A source that hands `text` over in pieces of `piece` bytes.
ImportSource TextSource(const std::string& text, size_t piece = 7) {
  auto at = std::make_shared<size_t>(0);
  return [text, piece, at](char* buffer, size_t capacity) -> Result<size_t> {
    const size_t n = std::min({piece, capacity, text.size() - *at});
    std::copy_n(text.data() + *at, n, buffer);
    *at += n;
    return n;
  };
}

// The users, pipeline and stages every workspace of these tests starts with.
struct Seeded {
  User admin, rita;
  Id pipeline = 0;
  std::vector<Id> stages;
};

Seeded Seed(Workspace& ws) {
  Seeded out;
  NewToken boot = Must(ws.Bootstrap("Ada Admin", "ada@example.com", "USD"));
  out.admin = Must(ws.GetUser(boot.token.user_id));
  UserPatch rep;
  rep.name = "Rita Rep";
  rep.email = "rita@example.com";
  rep.role = Role::kRep;
  out.rita = Must(ws.CreateUser(out.admin, rep));
  PipelinePatch sales;
  sales.name = "Sales";
  out.pipeline = Must(ws.CreatePipeline(out.admin, sales, "")).id;
  for (const char* name : {"Lead", "Proposal", "Negotiation"}) {
    StagePatch s;
    s.name = name;
    out.stages.push_back(Must(ws.CreateStage(out.admin, out.pipeline, s)).id);
  }
  return out;
}

std::unique_ptr<Store> OpenStore(const std::string& path) {
  SqliteOptions options;
  options.path = path;
  return Must(OpenSqliteStore(options));
}

std::string Export(Store& store, ImportObject object) {
  std::string text;
  Must(ExportCsv(store, object, [&](std::string_view piece) {
    text += piece;
    return Status::Ok();
  }));
  return text;
}

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test_support::TempDbPath("importer_test");
    store_ = OpenStore(path_);
    ws_ = std::make_unique<Workspace>(*store_, clock_);
    Seeded seeded = Seed(*ws_);
    admin_ = seeded.admin;
    rita_ = seeded.rita;
    pipeline_ = seeded.pipeline;
    stages_ = seeded.stages;
  }
  void TearDown() override {
    ws_.reset();
    store_->Close();
    test_support::RemoveDb(path_);
  }

  Result<ImportReport> Import(ImportObject object, const std::string& csv, bool dry_run = false,
                              std::vector<ColumnMapping> mapping = {}) {
    ImportOptions options;
    options.object = object;
    options.dry_run = dry_run;
    options.mapping = std::move(mapping);
    options.rows_per_commit = 2;  // several batches even for small files
    return ImportCsv(*store_, clock_, admin_, options, TextSource(csv));
  }

  template <typename T, typename List>
  std::vector<T> All(List list) {
    ListQuery q;
    q.limit = 500;
    return Must(list(q)).items;
  }
  std::vector<Deal> Deals() {
    return All<Deal>([&](const ListQuery& q) { return ws_->ListDeals(q); });
  }
  std::vector<Person> Persons() {
    return All<Person>([&](const ListQuery& q) { return ws_->ListPersons(q); });
  }
  std::vector<Organization> Organizations() {
    return All<Organization>([&](const ListQuery& q) { return ws_->ListOrganizations(q); });
  }

  std::string path_;
  ManualClock clock_{*ParseTimestamp("2026-11-24T09:00:00Z")};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Workspace> ws_;
  User admin_, rita_;
  Id pipeline_ = 0;
  std::vector<Id> stages_;
};

// A Pipedrive deal export: good rows go in with their links, bad rows are reported with their row
// and column and leave nothing behind (not even the organization a bad row named).
TEST_F(ImporterTest, PipedriveDealsGoInAndBadRowsAreReported) {
  // Row 5's title is too long: the deal is refused after its organization and person were
  // created, and the row's savepoint takes them back.
  const std::string too_long(300, 'x');
  const std::string csv =
      "\xEF\xBB\xBF"
      "Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,Deal - Status,Deal - Lost reason,"
      "Organization - Name,Person - Name,Deal - Expected close date,Deal - Owner,Deal - Label\n"
      "Acme rollout,\"1,500.50\",USD,Proposal,open,,Acme,Jane Roe,2027-01-10,Rita Rep,hot\n"
      "Globex pilot,300,EUR,Negotiation,lost,Too pricey,Globex,,2026-12-01T00:00:00Z,,\n"
      "Ghost deal,abc,USD,Lead,open,,Ghost Inc,,,,\n" +
      too_long + ",1,USD,Lead,open,,Phantom Ltd,Casper,,,\n" +
      "Acme renewal,10,USD,Nope,open,,,,,,\n"
      "\"Acme, phase 2\",20,USD,,won,,ACME,jane roe,,,\n"
      "Lost without why,5,USD,Lead,lost,,,,,,\n";
  ImportReport r = Must(Import(ImportObject::kDeals, csv));
  EXPECT_EQ(r.detected, "pipedrive");
  EXPECT_EQ(r.ignored_columns, (std::vector<std::string>{"Deal - Label"}));
  EXPECT_EQ(r.rows, 7);
  EXPECT_EQ(r.created, 3);
  EXPECT_EQ(r.failed, 4);
  EXPECT_EQ(r.linked_created, 3);  // Acme, Jane Roe, Globex
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].row, 4);
  EXPECT_EQ(r.errors[0].column, "Deal - Value");
  EXPECT_EQ(r.errors[0].reason, "\"abc\" is not an amount");
  EXPECT_EQ(r.errors[1].row, 5);
  EXPECT_EQ(r.errors[1].column, "Deal - Title");
  EXPECT_EQ(r.errors[2].row, 6);
  EXPECT_EQ(r.errors[2].column, "Deal - Stage");
  EXPECT_EQ(r.errors[3].row, 8);
  EXPECT_EQ(r.errors[3].column, "Deal - Lost reason");

  std::vector<Deal> deals = Deals();
  ASSERT_EQ(deals.size(), 3u);
  const Deal& acme = deals[0];
  EXPECT_EQ(acme.title, "Acme rollout");
  EXPECT_EQ(acme.value.amount_minor, 150050);
  EXPECT_EQ(acme.stage_id, stages_[1]);
  EXPECT_EQ(acme.owner_id, rita_.id);
  EXPECT_EQ(acme.expected_close_date, ParseDate("2027-01-10"));
  const Deal& globex = deals[1];
  EXPECT_EQ(globex.status, DealStatus::kLost);
  EXPECT_EQ(globex.lost_reason, "Too pricey");
  EXPECT_EQ(globex.value.currency, "EUR");
  EXPECT_EQ(globex.owner_id, admin_.id);  // no owner: the importing user
  const Deal& phase2 = deals[2];
  EXPECT_EQ(phase2.title, "Acme, phase 2");
  EXPECT_EQ(phase2.status, DealStatus::kWon);
  EXPECT_EQ(phase2.org_id, acme.org_id);        // "ACME" is Acme
  EXPECT_EQ(phase2.person_id, acme.person_id);  // "jane roe" is Jane Roe
  EXPECT_EQ(Must(ws_->GetPerson(*acme.person_id)).org_id, acme.org_id);

  std::vector<Organization> orgs = Organizations();
  ASSERT_EQ(orgs.size(), 2u);  // Acme, Globex; not Ghost Inc nor Phantom Ltd
  EXPECT_EQ(orgs[0].name, "Acme");
  EXPECT_EQ(orgs[1].name, "Globex");
  EXPECT_EQ(Persons().size(), 1u);  // Jane Roe; not Casper
}

// Another system's ids are kept: importing the same export again updates the records it made,
// even when the rows changed their titles; a record deleted since is made again.
TEST_F(ImporterTest, ExternalIdsMakeASecondImportUpdate) {
  const std::string first =
      "Deal - ID,Deal - Title,Deal - Value\n"
      "101,Acme rollout,100\n"
      "102,Globex pilot,200\n";
  EXPECT_EQ(Must(Import(ImportObject::kDeals, first)).created, 2);
  const std::vector<Deal> made = Deals();
  Must(ws_->DeleteDeal(admin_, made[1].id, std::nullopt));
  const std::string second =
      "Deal - ID,Deal - Title,Deal - Value\n"
      "101,Acme rollout (renamed),150\n"
      "102,Globex pilot,200\n"
      "103,Initech,300\n";
  ImportReport r = Must(Import(ImportObject::kDeals, second));
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.created, 2);  // 102 again (its deal was deleted) and 103
  std::vector<Deal> now = Deals();
  ASSERT_EQ(now.size(), 3u);
  EXPECT_EQ(now[0].id, made[0].id);
  EXPECT_EQ(now[0].title, "Acme rollout (renamed)");
  EXPECT_EQ(now[0].value.amount_minor, 15000);
  // A third time: all three update.
  EXPECT_EQ(Must(Import(ImportObject::kDeals, second)).updated, 3);
  // Keys belong to their object: a person with external id 101 is another record.
  ImportReport persons =
      Must(Import(ImportObject::kPersons, "Person - ID,Person - Name\n101,Jane\n"));
  EXPECT_EQ(persons.created, 1);
  // A refused row keeps no key.
  ImportReport refused =
      Must(Import(ImportObject::kDeals, "Deal - ID,Deal - Title,Deal - Value\n104,Bad,lots\n"));
  EXPECT_EQ(refused.failed, 1);
  EXPECT_EQ(Must(Import(ImportObject::kDeals, "Deal - ID,Deal - Title\n104,Good\n")).created, 1);
}

// What a bulk load writes, row for row, board and history included, equals what an ordinary
// import of the same file writes into the same workspace: the same use cases made both.
TEST_F(ImporterTest, BulkLoadMakesWhatAnImportMakes) {
  const std::string csv =
      "\xEF\xBB\xBF"
      "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,Deal - Status,"
      "Deal - Lost reason,Organization - Name,Person - Name,Deal - Owner,"
      "Deal - Expected close date\n"
      "11,Acme rollout,\"1,500.50\",USD,Proposal,open,,Acme,Jane Roe,Rita Rep,2027-01-10\n"
      "12,Globex pilot,300,EUR,Negotiation,lost,Too pricey,Globex,,,2026-12-01\n"
      "13,Ghost deal,abc,USD,Lead,open,,Ghost Inc,,,\n"
      "19," +
      std::string(300, 'x') +
      ",1,USD,Lead,open,,Phantom Ltd,Casper,,\n"
      "14,\"Acme, phase 2\",20,USD,Lead,won,,ACME,jane roe,,\n"
      "15,Initech,40,USD,Lead,open,,Initech,,rita@example.com,\n"
      "16,Lost without why,5,USD,Lead,lost,,Umbrella,,,\n"
      "17,Hooli,60,USD,Lead,open,,,,,\n"
      "18,Stark,70,USD,Proposal,open,,Acme,,,\n";
  ImportReport live = Must(Import(ImportObject::kDeals, csv));

  const std::string bulk_path = test_support::TempDbPath("importer_bulk");
  std::unique_ptr<Store> bulk_store = OpenStore(bulk_path);
  Workspace bulk_ws(*bulk_store, clock_);
  Seed(bulk_ws);
  ImportOptions options;
  options.bulk_load = true;
  options.rows_per_commit = 3;
  ImportReport bulk = Must(ImportCsv(*bulk_store, clock_, admin_, options, TextSource(csv)));

  EXPECT_TRUE(bulk.bulk_load);
  EXPECT_FALSE(live.bulk_load);
  EXPECT_EQ(bulk.rows, 9);
  EXPECT_EQ(bulk.created, 6);
  EXPECT_EQ(bulk.failed, 3);
  // Acme, Jane Roe, Globex and Initech; not Ghost Inc, Phantom Ltd, Casper nor Umbrella, whose
  // rows were refused (Phantom Ltd and Casper after they were made: the row took them back).
  EXPECT_EQ(bulk.linked_created, 4);
  EXPECT_EQ(bulk.created, live.created);
  EXPECT_EQ(bulk.failed, live.failed);
  EXPECT_EQ(bulk.linked_created, live.linked_created);
  ASSERT_EQ(bulk.errors.size(), live.errors.size());
  for (size_t i = 0; i < bulk.errors.size(); ++i) {
    EXPECT_EQ(bulk.errors[i].row, live.errors[i].row);
    EXPECT_EQ(bulk.errors[i].column, live.errors[i].column);
    EXPECT_EQ(bulk.errors[i].reason, live.errors[i].reason);
  }
  // The same records with the same ids (a refused row keeps no id in either).
  for (ImportObject object :
       {ImportObject::kDeals, ImportObject::kOrganizations, ImportObject::kPersons}) {
    EXPECT_EQ(Export(*bulk_store, object), Export(*store_, object)) << ImportObjectName(object);
  }
  // The same history, the same board (card order, counts and totals rebuilt by the writer).
  for (const Deal& deal : Deals()) {
    std::vector<StageEvent> a = Must(ws_->DealHistory(deal.id));
    std::vector<StageEvent> b = Must(bulk_ws.DealHistory(deal.id));
    ASSERT_EQ(a.size(), b.size()) << deal.title;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].id, b[i].id);
      EXPECT_EQ(a[i].kind, b[i].kind);
      EXPECT_EQ(a[i].to_stage_id, b[i].to_stage_id);
      EXPECT_EQ(a[i].to_status, b[i].to_status);
      EXPECT_EQ(a[i].lost_reason, b[i].lost_reason);
    }
  }
  auto board_of = [&](Workspace& ws) {
    BoardQuery q;
    q.pipeline_id = pipeline_;
    std::string text;
    for (const BoardColumnView& column : Must(ws.Board(q)).columns) {
      text += column.stage.name + " " + std::to_string(column.deal_count) + ":";
      for (const CurrencyTotal& t : column.totals) {
        text += " " + t.currency + "=" + std::to_string(t.value_minor) + "/" +
                std::to_string(t.weighted_minor);
      }
      for (const BoardCard& card : column.cards) text += " #" + std::to_string(card.deal.id);
      text += "\n";
    }
    return text;
  };
  EXPECT_EQ(board_of(bulk_ws), board_of(*ws_));
  EXPECT_NE(board_of(bulk_ws).find("Lead 2: USD=10000/"), std::string::npos) << board_of(bulk_ws);

  // Indexes and triggers are back: a move changes the board's totals and version, a new deal
  // takes the next id.
  const std::vector<Deal> loaded =
      All<Deal>([&](const ListQuery& q) { return bulk_ws.ListDeals(q); });
  const int64_t version = Must(bulk_ws.BoardVersion(pipeline_));
  const Deal hooli =
      *std::find_if(loaded.begin(), loaded.end(), [](const Deal& d) { return d.title == "Hooli"; });
  Must(bulk_ws.MoveDeal(admin_, hooli.id, stages_[1], 0, std::nullopt));
  EXPECT_GT(Must(bulk_ws.BoardVersion(pipeline_)), version);
  EXPECT_NE(board_of(bulk_ws).find("Proposal 3: USD=163050/"), std::string::npos)
      << board_of(bulk_ws);
  DealPatch next;
  next.title = "After the load";
  EXPECT_EQ(Must(bulk_ws.CreateDeal(admin_, next)).id, loaded.back().id + 1);
  ListQuery by_rita;
  by_rita.owner_id = rita_.id;
  EXPECT_EQ(Must(bulk_ws.ListDeals(by_rita)).items.size(), 2u);

  bulk_store->Close();
  test_support::RemoveDb(bulk_path);
}

// A bulk load is for deals, into a workspace without deals; an external id that comes back is
// refused on its row.
TEST_F(ImporterTest, BulkLoadTakesDealsIntoAnEmptyWorkspaceOnce) {
  ImportOptions options;
  options.bulk_load = true;
  options.object = ImportObject::kPersons;
  Result<ImportReport> persons =
      ImportCsv(*store_, clock_, admin_, options, TextSource("Person - Name\nJane\n"));
  ASSERT_FALSE(persons.ok());
  EXPECT_EQ(persons.status().field(), "bulk_load");
  EXPECT_TRUE(Persons().empty());

  options.object = ImportObject::kDeals;
  ImportReport loaded =
      Must(ImportCsv(*store_, clock_, admin_, options,
                     TextSource("Deal - ID,Deal - Title\n7,Acme\n8,Globex\n7,Acme again\n")));
  EXPECT_EQ(loaded.created, 2);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].row, 4);
  EXPECT_EQ(loaded.errors[0].column, "Deal - ID");
  EXPECT_NE(loaded.errors[0].reason.find("earlier row"), std::string::npos);

  Result<ImportReport> again =
      ImportCsv(*store_, clock_, admin_, options, TextSource("Deal - Title\nInitech\n"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().field(), "bulk_load");
  EXPECT_EQ(Deals().size(), 2u);
  // An ordinary import updates by the keys the bulk load kept.
  ImportReport update =
      Must(Import(ImportObject::kDeals, "Deal - ID,Deal - Title\n7,Acme (renamed)\n"));
  EXPECT_EQ(update.updated, 1);
  EXPECT_EQ(Deals()[0].title, "Acme (renamed)");
}

TEST_F(ImporterTest, ADryRunReportsAndChangesNothing) {
  const std::string csv =
      "title,value,organization,stage\n"
      "One,10,Acme,Lead\n"
      "Two,20,Acme,Lead\n"
      "Three,x,,Lead\n";
  ImportReport r = Must(Import(ImportObject::kDeals, csv, /*dry_run=*/true));
  EXPECT_TRUE(r.dry_run);
  EXPECT_EQ(r.detected, "pipedeck");
  EXPECT_EQ(r.created, 2);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.linked_created, 1);  // Acme, once: the second row finds the first row's
  EXPECT_TRUE(Deals().empty());
  EXPECT_TRUE(Organizations().empty());
}

// Persons dedupe by email and organizations by name: importing again updates them.
TEST_F(ImporterTest, PersonsAndOrganizationsUpsertByEmailAndName) {
  ImportReport orgs = Must(Import(ImportObject::kOrganizations,
                                  "Company name,Street Address,Company owner\n"
                                  "Initech,1 Main St,Rita Rep\n"
                                  "Umbrella,,\n"));
  EXPECT_EQ(orgs.detected, "hubspot");
  EXPECT_EQ(orgs.created, 2);
  orgs = Must(Import(ImportObject::kOrganizations, "name,address\ninitech,2 Side St\n"));
  EXPECT_EQ(orgs.created, 0);
  EXPECT_EQ(orgs.updated, 1);
  std::vector<Organization> all = Organizations();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "initech");  // the name as the file has it now
  EXPECT_EQ(all[0].address, "2 Side St");
  EXPECT_EQ(all[0].owner_id, rita_.id);  // not named this time: kept

  ImportReport persons = Must(Import(ImportObject::kPersons,
                                     "First Name,Last Name,Email,Phone Number,Company Name\n"
                                     "Peter,Gibbons,peter@initech.example,555-0100,Initech\n"
                                     "Milton,,\"milton@initech.example; red@stapler.example\",,\n"
                                     ",,nobody@example.com,,\n"));
  EXPECT_EQ(persons.created, 2);
  EXPECT_EQ(persons.failed, 1);
  EXPECT_EQ(persons.errors[0].row, 4);
  EXPECT_EQ(persons.errors[0].column, "First Name");
  persons = Must(Import(ImportObject::kPersons,
                        "name,email,phone\nPeter J. Gibbons,PETER@initech.example,555-0199\n"));
  EXPECT_EQ(persons.updated, 1);
  std::vector<Person> people = Persons();
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people[0].name, "Peter J. Gibbons");
  EXPECT_EQ(people[0].phones.at(0).value, "555-0199");
  EXPECT_EQ(people[0].org_id, all[0].id);
  ASSERT_EQ(people[1].emails.size(), 2u);
  EXPECT_TRUE(people[1].emails[0].primary);
  EXPECT_EQ(people[1].emails[1].value, "red@stapler.example");
}

// Pipedeck's own ids update the records they name; a mapping names unclear columns.
TEST_F(ImporterTest, IdsUpdateAndAMappingNamesColumns) {
  Must(Import(ImportObject::kDeals, "title,value\nFirst,100\n"));
  const Id id = Deals().at(0).id;
  ImportReport r = Must(Import(
      ImportObject::kDeals,
      "Ref,Opportunity,Worth,Phase\n" + std::to_string(id) +
          ",First (renamed),250,Negotiation\n999,Missing,1,\n",
      false, {{"Ref", "id"}, {"Opportunity", "title"}, {"Worth", "value"}, {"Phase", "stage"}}));
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.errors.at(0).column, "Ref");
  EXPECT_EQ(r.errors.at(0).reason, "no deal with id 999");
  const Deal d = Must(ws_->GetDeal(id));
  EXPECT_EQ(d.title, "First (renamed)");
  EXPECT_EQ(d.value.amount_minor, 25000);
  EXPECT_EQ(d.stage_id, stages_[2]);
  EXPECT_EQ(Deals().size(), 1u);
}

TEST_F(ImporterTest, FilesThatCannotBeImportedChangeNothing) {
  Result<ImportReport> r =
      Import(ImportObject::kDeals, "Name,Amount\nX,1\n", false, {{"Amount", "value"}});
  EXPECT_EQ(r.status().field(), "columns");
  r = Import(ImportObject::kDeals, "");
  EXPECT_EQ(r.status().field(), "csv");
  // Not text: an image, a program.
  r = Import(ImportObject::kDeals, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
  EXPECT_EQ(r.status().field(), "csv");
  EXPECT_NE(r.status().message().find("not UTF-8 text"), std::string::npos);
  r = Import(ImportObject::kDeals, std::string("\x7f"
                                               "ELF\x02\x01\x01\x00\x00,title\n",
                                               15));
  EXPECT_EQ(r.status().field(), "csv");
  r = Import(ImportObject::kDeals, "title\nGood\n\"broken\"x\n");
  EXPECT_EQ(r.status().field(), "csv");
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos);
  r = Import(ImportObject::kDeals, "title\nGood\n\"broken\"x\n", /*dry_run=*/true);
  EXPECT_EQ(r.status().field(), "csv");
  // The error is met while the batch holding "Good" is read: nothing went in.
  EXPECT_TRUE(Deals().empty());
}

// The rows of a CSV text without the columns named in `drop`.
std::vector<std::vector<std::string>> RowsWithout(const std::string& csv,
                                                  const std::vector<std::string>& drop) {
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> keep;
  CsvReader reader;
  auto on_record = [&](const CsvRecord& r) {
    if (r.number == 1) {
      for (std::string_view f : r.fields) {
        keep.push_back(std::find(drop.begin(), drop.end(), f) == drop.end());
      }
    }
    std::vector<std::string> row;
    for (size_t i = 0; i < r.fields.size(); ++i) {
      if (keep[i]) row.emplace_back(r.fields[i]);
    }
    rows.push_back(std::move(row));
    return Status::Ok();
  };
  Must(reader.Feed(csv, on_record));
  Must(reader.Finish(on_record));
  return rows;
}

// An export imports back: into the same workspace it updates every record and changes no value;
// into another workspace with the same users and stages it makes the same records.
TEST_F(ImporterTest, ExportsReimportWithoutLoss) {
  Must(Import(ImportObject::kOrganizations,
              "name,address,owner\nInitech,\"1 Main St, Austin\",Rita Rep\n"));
  Must(Import(ImportObject::kPersons,
              "name,email,phone,organization\n"
              "Peter Gibbons,\"peter@initech.example; pg@home.example\",555-0100,Initech\n"
              "Milton,,,\n"));
  ImportReport deals = Must(
      Import(ImportObject::kDeals,
             "title,value,currency,stage,status,lost_reason,expected_close_date,probability,source,"
             "owner,organization,person\n"
             "\"TPS, reports\",1500.50,USD,Proposal,open,,2027-01-10,35,Referral,Rita Rep,Initech,"
             "peter@initech.example\n"
             "Stapler,99,EUR,Lead,lost,\"Red, not black\",,,,,,Milton\n"
             "Big one,1000000,JPY,Negotiation,won,,,,,,,\n"));
  ASSERT_EQ(deals.failed, 0) << deals.errors.at(0).reason;

  const std::vector<std::string> when = {"created_at", "updated_at", "closed_at"};
  std::map<ImportObject, std::string> exported;
  for (ImportObject o :
       {ImportObject::kOrganizations, ImportObject::kPersons, ImportObject::kDeals}) {
    exported[o] = Export(*store_, o);
  }
  // Into the same workspace: every row updates its record, and nothing but the times changes.
  for (ImportObject o :
       {ImportObject::kOrganizations, ImportObject::kPersons, ImportObject::kDeals}) {
    SCOPED_TRACE(ImportObjectName(o));
    ImportReport again = Must(Import(o, exported[o]));
    EXPECT_EQ(again.failed, 0) << (again.errors.empty() ? "" : again.errors[0].reason);
    EXPECT_EQ(again.created, 0);
    EXPECT_EQ(again.updated, again.rows);
    EXPECT_EQ(RowsWithout(Export(*store_, o), when), RowsWithout(exported[o], when));
  }

  // Into a second workspace with the same users and stages, ids left out.
  const std::string other_path = test_support::TempDbPath("importer_test_other");
  SqliteOptions options;
  options.path = other_path;
  std::unique_ptr<Store> other = Must(OpenSqliteStore(options));
  Workspace ws(*other, clock_);
  User admin =
      Must(ws.GetUser(Must(ws.Bootstrap("Ada Admin", "ada@example.com", "USD")).token.user_id));
  UserPatch rep;
  rep.name = "Rita Rep";
  rep.email = "rita@example.com";
  Must(ws.CreateUser(admin, rep).status());
  PipelinePatch sales;
  sales.name = "Sales";
  const Id pipeline = Must(ws.CreatePipeline(admin, sales, "")).id;
  for (const char* name : {"Lead", "Proposal", "Negotiation"}) {
    StagePatch stage;
    stage.name = name;
    Must(ws.CreateStage(admin, pipeline, stage).status());
  }
  for (ImportObject o :
       {ImportObject::kOrganizations, ImportObject::kPersons, ImportObject::kDeals}) {
    SCOPED_TRACE(ImportObjectName(o));
    ImportOptions import;
    import.object = o;
    import.mapping = {{ "id", "" }};
    ImportReport r = Must(ImportCsv(*other, clock_, admin, import, TextSource(exported[o])));
    EXPECT_EQ(r.failed, 0) << (r.errors.empty() ? "" : r.errors[0].reason);
    EXPECT_EQ(r.linked_created, 0);
    std::vector<std::string> drop = when;
    drop.push_back("id");
    EXPECT_EQ(RowsWithout(Export(*other, o), drop), RowsWithout(exported[o], drop));
  }
  other->Close();
  test_support::RemoveDb(other_path);
}

// Activities and notes link to deals by id or by a title only one deal has; they export and
// import back.
TEST_F(ImporterTest, ActivitiesAndNotesLinkToDealsAndRoundTrip) {
  Must(Import(ImportObject::kDeals,
              "title,organization,person\nAcme rollout,Acme,Jane Roe\nTwin,,\nTwin,,\n"));
  const Id acme = Deals().at(0).id;
  ImportReport activities =
      Must(Import(ImportObject::kActivities,
                  "Activity - Subject,Activity - Type,Activity - Due date,Activity - Due time,"
                  "Activity - Duration,Activity - Done,Deal - Title,Activity - Note\n"
                  "Discovery call,Call,2027-01-05,09:30,00:45,yes,Acme rollout,Went well\n"
                  "Send quote,task,2027-01-06,,30,no," +
                      std::to_string(acme) +
                      ",\n"
                      "Lunch,lunch,2027-01-07,,,,,\n"
                      "Which twin,call,2027-01-08,,,,Twin,\n"));
  EXPECT_EQ(activities.detected, "pipedrive");
  EXPECT_EQ(activities.created, 2);
  ASSERT_EQ(activities.errors.size(), 2u);
  EXPECT_EQ(activities.errors[0].column, "Activity - Type");
  EXPECT_EQ(activities.errors[1].column, "Deal - Title");
  EXPECT_NE(activities.errors[1].reason.find("several deals are titled \"Twin\""),
            std::string::npos);
  ListQuery q;
  q.limit = 10;
  std::vector<Activity> made = Must(ws_->ListActivities(q)).items;
  ASSERT_EQ(made.size(), 2u);
  EXPECT_EQ(made[0].type, ActivityType::kCall);
  EXPECT_EQ(made[0].due_time, ParseTimeOfDay("09:30"));
  EXPECT_EQ(made[0].duration_minutes, 45);
  EXPECT_TRUE(made[0].done);
  EXPECT_EQ(made[0].deal_id, acme);
  EXPECT_EQ(made[0].person_id, Deals().at(0).person_id);  // taken from the deal
  EXPECT_EQ(made[1].duration_minutes, 30);
  EXPECT_FALSE(made[1].done);

  ImportReport notes = Must(Import(ImportObject::kNotes,
                                   "content,deal,pinned,person\n"
                                   "\"Wants it by March,\nin writing\",Acme rollout,yes,\n"
                                   "About Jane,,,Jane Roe\n"
                                   "Nowhere,,,\n"));
  EXPECT_EQ(notes.created, 2);
  EXPECT_EQ(notes.failed, 1);
  std::vector<Note> written = Must(ws_->ListNotes(q)).items;
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].content, "Wants it by March,\nin writing");
  EXPECT_TRUE(written[0].pinned);
  EXPECT_EQ(written[0].deal_id, acme);

  const std::vector<std::string> when = {"created_at", "updated_at", "done_at"};
  for (ImportObject o : {ImportObject::kActivities, ImportObject::kNotes}) {
    SCOPED_TRACE(ImportObjectName(o));
    const std::string exported = Export(*store_, o);
    ImportReport again = Must(Import(o, exported));
    EXPECT_EQ(again.failed, 0) << (again.errors.empty() ? "" : again.errors[0].reason);
    EXPECT_EQ(again.updated, again.rows);
    EXPECT_EQ(RowsWithout(Export(*store_, o), when), RowsWithout(exported, when));
  }
}

}  // namespace
}  // namespace pipedeck
