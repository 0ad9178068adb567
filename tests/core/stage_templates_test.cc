#include "core/stage_templates.h"

#include <set>

#include <gtest/gtest.h>

#include "core/model.h"

namespace pipedeck {
namespace {

TEST(StageTemplatesTest, FourTemplatesWithTheLiteratureStageCounts) {
  struct Row {
    const char* key;
    size_t stages;
    const char* first;
    const char* last;
  };
  const Row rows[] = {
      {"4-stage", 4, "Prospecting", "Closing"},
      {"5-stage", 5, "Prospecting", "Delivery"},
      {"6-stage", 6, "Contact", "Retention"},
      {"7-stage", 7, "Prospecting", "Closing"},
  };
  ASSERT_EQ(StageTemplates().size(), 4u);
  for (const Row& r : rows) {
    SCOPED_TRACE(r.key);
    const StageTemplate* t = FindStageTemplate(r.key);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->key, r.key);
    EXPECT_FALSE(t->title.empty());
    ASSERT_EQ(t->stages.size(), r.stages);
    EXPECT_EQ(t->stages.front().name, r.first);
    EXPECT_EQ(t->stages.back().name, r.last);
  }
  EXPECT_EQ(FindStageTemplate("3-stage"), nullptr);
  EXPECT_EQ(FindStageTemplate(""), nullptr);
}

TEST(StageTemplatesTest, SevenStageNamesFollowTheBrief) {
  const StageTemplate* t = FindStageTemplate("7-stage");
  ASSERT_NE(t, nullptr);
  std::vector<std::string> names;
  for (const auto& s : t->stages) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Prospecting", "Qualification", "Initial contact",
                                             "Needs assessment", "Proposal/quote", "Negotiation",
                                             "Closing"}));
}

TEST(StageTemplatesTest, EveryStageIsUsableAsIs) {
  for (const StageTemplate& t : StageTemplates()) {
    SCOPED_TRACE(t.key);
    std::set<std::string> names;
    int previous = 0;
    for (const StageTemplateStage& s : t.stages) {
      SCOPED_TRACE(s.name);
      EXPECT_TRUE(names.insert(s.name).second) << "duplicate stage name";
      EXPECT_FALSE(s.name.empty());
      EXPECT_LE(s.name.size(), kMaxTitleLength);
      EXPECT_GE(s.probability, 0);
      EXPECT_LE(s.probability, 100);
      EXPECT_GE(s.probability, previous) << "probabilities must not fall along the process";
      previous = s.probability;
      if (s.rotting_days) {
        EXPECT_GE(*s.rotting_days, 1);
        EXPECT_LE(*s.rotting_days, kMaxRottingDays);
      }
      EXPECT_NE(s.playbook.find("Do:"), std::string::npos);
      EXPECT_NE(s.playbook.find("Exit when:"), std::string::npos);
      EXPECT_LE(s.playbook.size(), kMaxTextLength);
    }
  }
}

}  // namespace
}  // namespace pipedeck
