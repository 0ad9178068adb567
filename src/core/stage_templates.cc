#include "core/stage_templates.h"

namespace pipedeck {
namespace {

// Probabilities are starting points a team is expected to tune from its own history (the
// analytics report "historical stage probability" per stage). They rise through each process so
// that a weighted forecast never values a deal less for advancing. Rotting limits are shorter
// early on, where a lead goes cold within two weeks, and longer where buyers run internal
// approvals. Each playbook names the work expected in the stage and what must be true to leave it.

std::vector<StageTemplate> BuildTemplates() {
  return {
      {"4-stage",
       "Four-stage sales process",
       {
           {"Prospecting", 10, 14,
            "Do: research the account and the likely buyer; find a named contact and a reason to "
            "reach out now (a trigger event, a referral, an inbound signal).\n"
            "Exit when: you have a reachable decision maker or influencer and a first touch is "
            "booked."},
           {"Qualifying", 25, 14,
            "Do: hold a discovery call; confirm budget, authority, need and timeline (BANT); log "
            "the answers on the deal.\n"
            "Exit when: there is a real problem you can solve, money for it and a date it must be "
            "solved by. If not, mark the deal lost with the reason."},
           {"Connecting", 50, 21,
            "Do: run a tailored demo or meeting with everyone who will sign off; map the buying "
            "committee; send a written recap with agreed next steps.\n"
            "Exit when: the buyer has asked for pricing or a proposal and named who approves it."},
           {"Closing", 80, 30,
            "Do: send the proposal; handle objections; agree terms, start date and paperwork; "
            "keep a dated next activity at all times.\n"
            "Exit when: the contract is signed (won) or the buyer has said no (lost, with the "
            "reason)."},
       }},
      {"5-stage",
       "Five-stage sales process",
       {
           {"Prospecting", 10, 14,
            "Do: build a target list that matches the ideal customer profile; make the first "
            "call or email within two days of the lead arriving.\n"
            "Exit when: a contact has replied and agreed to talk."},
           {"Qualification", 25, 14,
            "Do: discovery call on pain, budget, authority and timeline; check the account is "
            "not already served by a colleague.\n"
            "Exit when: need, budget and decision maker are confirmed and logged."},
           {"Consideration", 50, 21,
            "Do: demo against the buyer's own use case; share references or a case study; "
            "answer technical and security questions.\n"
            "Exit when: the buyer has shortlisted you and asked for a proposal."},
           {"Purchase/decision", 70, 21,
            "Do: send the proposal; negotiate price and terms with the person who signs; agree a "
            "decision date and chase it.\n"
            "Exit when: the order or contract is signed."},
           {"Delivery", 90, 30,
            "Do: hand over to onboarding with the deal notes; confirm the kickoff date; invoice.\n"
            "Exit when: the customer has received what they bought and paid (mark won), or "
            "cancelled (mark lost)."},
       }},
      {"6-stage",
       "Six-stage sales process",
       {
           {"Contact", 10, 10,
            "Do: reach the lead by phone and email within a day; up to six touches over two "
            "weeks before giving up.\n"
            "Exit when: the lead has responded and a conversation is scheduled."},
           {"Qualification", 20, 14,
            "Do: confirm fit, budget, authority, need and timeline; note disqualifiers early.\n"
            "Exit when: the lead meets the qualification bar and agrees to a meeting."},
           {"Meeting", 40, 14,
            "Do: hold the needs meeting or demo with the decision makers; agree success "
            "criteria in writing.\n"
            "Exit when: the buyer confirms the problem, the scope and that they want a proposal."},
           {"Proposal", 60, 21,
            "Do: send a proposal built on the agreed success criteria; walk the buyer through it "
            "live rather than only by email.\n"
            "Exit when: the buyer has accepted the proposal in principle."},
           {"Closing", 80, 21,
            "Do: settle final terms, legal review and signatures; keep the close date current.\n"
            "Exit when: the contract is signed."},
           {"Retention", 90, 90,
            "Do: check in after go-live and each quarter; look for renewal and expansion; ask "
            "for a referral once the customer sees results.\n"
            "Exit when: the renewal or upsell is signed (won) or the customer churns (lost)."},
       }},
      {"7-stage",
       "Seven-stage sales process",
       {
           {"Prospecting", 10, 14,
            "Do: identify accounts that fit the ideal customer profile and the people in them; "
            "gather a trigger or reason to call.\n"
            "Exit when: a named contact and a first outreach are scheduled."},
           {"Qualification", 20, 14,
            "Do: short qualifying call or email exchange; check budget, authority, need and "
            "timeline.\n"
            "Exit when: the prospect fits and is willing to take a meeting; otherwise mark lost "
            "with the reason."},
           {"Initial contact", 30, 10,
            "Do: first real conversation; introduce the company and what it solves; learn how "
            "they buy.\n"
            "Exit when: a needs-assessment meeting is booked with the right people."},
           {"Needs assessment", 40, 14,
            "Do: discovery meeting; document current process, pain, impact in money and the "
            "decision process and criteria.\n"
            "Exit when: the buyer agrees with your written summary of their needs."},
           {"Proposal/quote", 60, 14,
            "Do: send a quote or proposal tied to the documented needs; review it with the buyer "
            "on a call; set a decision date.\n"
            "Exit when: the buyer has reviewed the proposal and raised their objections."},
           {"Negotiation", 80, 21,
            "Do: resolve objections; trade concessions for commitments (term, volume, start "
            "date); involve procurement and legal early.\n"
            "Exit when: price and terms are agreed verbally."},
           {"Closing", 90, 14,
            "Do: send the final contract; confirm signers and the signing date; prepare the "
            "handover to delivery.\n"
            "Exit when: the contract is signed (won) or the buyer walks away (lost, with the "
            "reason)."},
       }},
  };
}

}  // namespace

const std::vector<StageTemplate>& StageTemplates() {
  static const std::vector<StageTemplate>* const templates =
      new std::vector<StageTemplate>(BuildTemplates());
  return *templates;
}

const StageTemplate* FindStageTemplate(std::string_view key) {
  for (const StageTemplate& t : StageTemplates()) {
    if (t.key == key) return &t;
  }
  return nullptr;
}

}  // namespace pipedeck
