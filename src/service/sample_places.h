// Office addresses for made-up organizations, shared by the demo seed and the workspace
// generator so both workspaces look alike. Organizations in the euro cities deal in EUR.
#pragma once

#include <array>

namespace pipedeck {

struct SamplePlace {
  const char* street;
  const char* city;
  bool euro;  // organizations here deal in EUR
};

// The first eight are in the US, the last four in the euro area.
inline constexpr std::array<SamplePlace, 12> kSamplePlaces = {{
    {"Market Street", "San Francisco, CA 94105", false},
    {"Congress Avenue", "Austin, TX 78701", false},
    {"Boylston Street", "Boston, MA 02116", false},
    {"Michigan Avenue", "Chicago, IL 60611", false},
    {"Pike Street", "Seattle, WA 98101", false},
    {"Peachtree Street", "Atlanta, GA 30303", false},
    {"Broadway", "New York, NY 10012", false},
    {"Larimer Street", "Denver, CO 80202", false},
    {"Friedrichstraße", "10117 Berlin, Germany", true},
    {"Keizersgracht", "1015 Amsterdam, Netherlands", true},
    {"Rue de Rivoli", "75004 Paris, France", true},
    {"Calle de Alcalá", "28014 Madrid, Spain", true},
}};

}  // namespace pipedeck
