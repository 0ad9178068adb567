// Pipeline templates from the sales literature (DESIGN.md §2.1): 4, 5, 6 and 7 stages, each stage
// with a default win probability, a rotting limit and a short playbook.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipedeck {

struct StageTemplateStage {
  std::string name;
  int probability;
  std::optional<int> rotting_days;
  std::string playbook;
};

struct StageTemplate {
  std::string key;    // "4-stage", "5-stage", "6-stage", "7-stage"
  std::string title;  // "Four-stage sales process"
  std::vector<StageTemplateStage> stages;
};

const std::vector<StageTemplate>& StageTemplates();
const StageTemplate* FindStageTemplate(std::string_view key);

}  // namespace pipedeck
