#include "service/visibility.h"

#include <algorithm>
#include <set>
#include <string>

namespace pipedeck {
namespace {

bool Contains(const std::vector<Id>& ids, Id id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Every record of a paged list (the lists here are users, teams and pipelines: tens to hundreds).
template <typename T, typename List>
Result<std::vector<T>> All(ListQuery q, List list) {
  q.limit = 500;
  std::vector<T> all;
  for (;;) {
    PD_ASSIGN_OR_RETURN(Page<T> page, list(q));
    all.insert(all.end(), page.items.begin(), page.items.end());
    if (page.next_cursor.empty()) return all;
    q.cursor = page.next_cursor;
  }
}

Result<std::vector<Id>> MembersOf(StoreTx& tx, Id team_id) {
  ListQuery q;
  q.team_id = team_id;
  PD_ASSIGN_OR_RETURN(std::vector<User> members,
                      All<User>(q, [&](const ListQuery& page) { return tx.ListUsers(page); }));
  std::vector<Id> ids;
  for (const User& u : members) ids.push_back(u.id);
  return ids;
}

Status NotFound(const char* noun, Id id) {
  return Status::NotFound(std::string("no ") + noun + " with id " + std::to_string(id));
}

}  // namespace

Result<std::optional<VisibleScope>> VisibleScopeOf(StoreTx& tx, const User& user) {
  if (user.role == Role::kAdmin) return std::optional<VisibleScope>();
  VisibleScope scope;
  std::set<Id> owners = {user.id};
  if (user.team_id) {
    PD_ASSIGN_OR_RETURN(scope.team_member_ids, MembersOf(tx, *user.team_id));
  }
  if (user.role == Role::kManager) {
    owners.insert(scope.team_member_ids.begin(), scope.team_member_ids.end());
    PD_ASSIGN_OR_RETURN(std::vector<Team> teams,
                        All<Team>(ListQuery{}, [&](const ListQuery& q) { return tx.ListTeams(q); }));
    for (const Team& team : teams) {
      if (team.manager_id != user.id) continue;
      PD_ASSIGN_OR_RETURN(std::vector<Id> members, MembersOf(tx, team.id));
      owners.insert(members.begin(), members.end());
    }
  }
  scope.owner_ids.assign(owners.begin(), owners.end());
  PD_ASSIGN_OR_RETURN(
      std::vector<Pipeline> pipelines,
      All<Pipeline>(ListQuery{}, [&](const ListQuery& q) { return tx.ListPipelines(q); }));
  for (const Pipeline& p : pipelines) {
    if (p.visibility == PipelineVisibility::kEveryone) scope.everyone_pipelines.push_back(p.id);
    if (p.visibility == PipelineVisibility::kTeam) scope.team_pipelines.push_back(p.id);
  }
  return std::optional<VisibleScope>(std::move(scope));
}

bool DealVisible(const VisibleScope& scope, const Deal& d) {
  return Contains(scope.owner_ids, d.owner_id) || Contains(scope.everyone_pipelines, d.pipeline_id) ||
         (Contains(scope.team_pipelines, d.pipeline_id) &&
          Contains(scope.team_member_ids, d.owner_id));
}

bool ScopedStoreTx::Owns(Id owner_id) const { return Contains(scope_.owner_ids, owner_id); }

Result<Deal> ScopedStoreTx::GetDeal(Id id) {
  PD_ASSIGN_OR_RETURN(Deal d, inner_.GetDeal(id));
  if (!DealVisible(scope_, d)) return NotFound("deal", id);
  return d;
}

// A deal of theirs links the person or organization: any visible deal that names it.
bool ScopedStoreTx::PersonVisible(const Person& p) {
  if (Owns(p.owner_id)) return true;
  ListQuery q;
  q.person_id = p.id;
  q.limit = 1;
  Result<Page<Deal>> deals = ListDeals(q);
  return deals.ok() && !deals->items.empty();
}

bool ScopedStoreTx::OrganizationVisible(const Organization& o) {
  if (Owns(o.owner_id)) return true;
  ListQuery q;
  q.org_id = o.id;
  q.limit = 1;
  Result<Page<Deal>> deals = ListDeals(q);
  return deals.ok() && !deals->items.empty();
}

Result<Person> ScopedStoreTx::GetPerson(Id id) {
  PD_ASSIGN_OR_RETURN(Person p, inner_.GetPerson(id));
  if (!PersonVisible(p)) return NotFound("person", id);
  return p;
}

Result<Organization> ScopedStoreTx::GetOrganization(Id id) {
  PD_ASSIGN_OR_RETURN(Organization o, inner_.GetOrganization(id));
  if (!OrganizationVisible(o)) return NotFound("organization", id);
  return o;
}

Result<Activity> ScopedStoreTx::GetActivity(Id id) {
  PD_ASSIGN_OR_RETURN(Activity a, inner_.GetActivity(id));
  if (Owns(a.owner_id) || (a.deal_id && GetDeal(*a.deal_id).ok())) return a;
  return NotFound("activity", id);
}

Result<Note> ScopedStoreTx::GetNote(Id id) {
  PD_ASSIGN_OR_RETURN(Note n, inner_.GetNote(id));
  if (Owns(n.user_id) || (n.deal_id && GetDeal(*n.deal_id).ok())) return n;
  if (n.person_id) {
    Result<Person> p = inner_.GetPerson(*n.person_id);
    if (p.ok() && Owns(p->owner_id)) return n;
  }
  if (n.org_id) {
    Result<Organization> o = inner_.GetOrganization(*n.org_id);
    if (o.ok() && Owns(o->owner_id)) return n;
  }
  return NotFound("note", id);
}

Result<Page<Deal>> ScopedStoreTx::ListDeals(const ListQuery& q) {
  return Scoped(&StoreTx::ListDeals, q);
}

Result<Page<Activity>> ScopedStoreTx::ListActivities(const ListQuery& q) {
  return Scoped(&StoreTx::ListActivities, q);
}

Result<Page<Note>> ScopedStoreTx::ListNotes(const ListQuery& q) {
  return Scoped(&StoreTx::ListNotes, q);
}

Result<Page<Person>> ScopedStoreTx::ListPersons(const ListQuery& q) {
  return Scoped(&StoreTx::ListPersons, q);
}

Result<Page<Organization>> ScopedStoreTx::ListOrganizations(const ListQuery& q) {
  return Scoped(&StoreTx::ListOrganizations, q);
}

// Of one pipeline a user sees every deal (shared with everyone) or the deals of some owners.
Result<std::vector<BoardColumn>> ScopedStoreTx::Board(const BoardQuery& q) {
  BoardQuery scoped = q;
  if (!Contains(scope_.everyone_pipelines, q.pipeline_id)) {
    std::vector<Id> owners = scope_.owner_ids;
    if (Contains(scope_.team_pipelines, q.pipeline_id)) {
      owners.insert(owners.end(), scope_.team_member_ids.begin(), scope_.team_member_ids.end());
    }
    scoped.visible_owners = std::move(owners);
  }
  return inner_.Board(scoped);
}

}  // namespace pipedeck
