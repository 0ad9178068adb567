// The handlers of the Pipedrive-compatible API's routes (pipedrive_api.cc has the table): each
// reads the request, makes one workspace call and writes Pipedrive's shape. Internal to api/.
#pragma once

#include "api/pipedrive_wire.h"

namespace pipedeck::pipedrive {

// Users, pipelines, stages and deals (pipedrive_deals.cc).

Result<PdReply> GetMe(PdContext& c);
Result<PdReply> ListUsers(PdContext& c);
Result<PdReply> GetUser(PdContext& c);
Result<PdReply> ListPipelines(PdContext& c);
Result<PdReply> GetPipeline(PdContext& c);
Result<PdReply> AddPipeline(PdContext& c);
Result<PdReply> UpdatePipeline(PdContext& c);
Result<PdReply> DeletePipeline(PdContext& c);
Result<PdReply> ListStages(PdContext& c);
Result<PdReply> GetStage(PdContext& c);
Result<PdReply> AddStage(PdContext& c);
Result<PdReply> UpdateStage(PdContext& c);
Result<PdReply> DeleteStage(PdContext& c);
Result<PdReply> ListDeals(PdContext& c);
Result<PdReply> StageDeals(PdContext& c);
Result<PdReply> PipelineDeals(PdContext& c);
Result<PdReply> GetDeal(PdContext& c);
Result<PdReply> AddDeal(PdContext& c);
Result<PdReply> UpdateDeal(PdContext& c);
Result<PdReply> DeleteDeal(PdContext& c);
Result<PdReply> SearchDeals(PdContext& c);
Result<PdReply> DealsSummary(PdContext& c);

// Persons, organizations, activities and notes (pipedrive_contacts.cc).

Result<PdReply> ListPersons(PdContext& c);
Result<PdReply> GetPerson(PdContext& c);
Result<PdReply> AddPerson(PdContext& c);
Result<PdReply> UpdatePerson(PdContext& c);
Result<PdReply> DeletePerson(PdContext& c);
Result<PdReply> ListOrganizations(PdContext& c);
Result<PdReply> GetOrganization(PdContext& c);
Result<PdReply> AddOrganization(PdContext& c);
Result<PdReply> UpdateOrganization(PdContext& c);
Result<PdReply> DeleteOrganization(PdContext& c);
Result<PdReply> ListActivities(PdContext& c);
Result<PdReply> GetActivity(PdContext& c);
Result<PdReply> AddActivity(PdContext& c);
Result<PdReply> UpdateActivity(PdContext& c);
Result<PdReply> DeleteActivity(PdContext& c);
Result<PdReply> ListNotes(PdContext& c);
Result<PdReply> GetNote(PdContext& c);
Result<PdReply> AddNote(PdContext& c);
Result<PdReply> UpdateNote(PdContext& c);
Result<PdReply> DeleteNote(PdContext& c);

}  // namespace pipedeck::pipedrive
