// GET /api/openapi.json: the OpenAPI 3.0.3 document, generated from the route table (routes.cc),
// the wire field tables (json_mapping.cc) and the query parameter descriptions
// (query_params.cc) that the server itself runs on.
#include <algorithm>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/json_mapping.h"
#include "api/query_params.h"
#include "api/routes.h"

namespace pipedeck {
namespace json = boost::json;
namespace {

constexpr std::string_view kListSuffix = "List";

std::string Ref(std::string_view schema) { return "#/components/schemas/" + std::string(schema); }

json::object RefTo(std::string_view schema) { return {{"$ref", Ref(schema)}}; }

json::array EnumValues(std::string_view values) {
  json::array a;
  while (!values.empty()) {
    size_t bar = values.find('|');
    a.emplace_back(values.substr(0, bar));
    if (bar == std::string_view::npos) break;
    values.remove_prefix(bar + 1);
  }
  return a;
}

// The schema of one value of type `type`; `detail` as in WireField.
json::object TypeSchema(WireType type, std::string_view detail) {
  switch (type) {
    case WireType::kString:
      return {{"type", "string"}};
    case WireType::kInt32:
      return {{"type", "integer"}, {"format", "int32"}};
    case WireType::kInt64:
      return {{"type", "integer"}, {"format", "int64"}};
    case WireType::kId:
      return {{"type", "integer"}, {"format", "int64"}, {"minimum", 1}};
    case WireType::kNumber:
      return {{"type", "number"}, {"format", "double"}};
    case WireType::kBool:
      return {{"type", "boolean"}};
    case WireType::kDate:
      return {{"type", "string"}, {"format", "date"}};
    case WireType::kTime:
      return {{"type", "string"}, {"pattern", "^([01][0-9]|2[0-3]):[0-5][0-9]$"}};
    case WireType::kInstant:
      return {{"type", "string"}, {"format", "date-time"}};
    case WireType::kEnum:
      return {{"type", "string"}, {"enum", EnumValues(detail)}};
    case WireType::kObject:
      if (detail.empty()) return {{"type", "object"}};
      return {{"allOf", json::array{RefTo(detail)}}};
    case WireType::kArray:
      if (detail.empty()) return {{"type", "array"}, {"items", {{"type", "object"}}}};
      return {{"type", "array"}, {"items", RefTo(detail)}};
    case WireType::kIdList:
      return {{"type", "array"}, {"items", TypeSchema(WireType::kId, "")}};
    case WireType::kStringList:
      return {{"type", "array"}, {"items", {{"type", "string"}}}};
    case WireType::kNameMap:
      return {{"type", "object"},
              {"description", "Record id → name."},
              {"additionalProperties", {{"type", "string"}}}};
  }
  return {};
}

json::object FieldSchema(const WireField& f) {
  json::object schema = TypeSchema(f.type, f.detail);
  if (f.flags & kReadOnly) schema["readOnly"] = true;
  if (f.flags & kWriteOnly) schema["writeOnly"] = true;
  if (f.flags & (kNullable | kNullEmpties)) schema["nullable"] = true;
  std::string note;
  if (f.flags & kRequired) note += "Required on create. ";
  if (f.flags & kCreateOnly) note += "Accepted on create only. ";
  if (f.flags & kNullEmpties) note += "null sets the empty value. ";
  if (!note.empty()) {
    note.pop_back();
    schema["description"] = note;
  }
  return schema;
}

json::object ObjectSchema(const SchemaDoc& doc) {
  json::object properties;
  for (const WireField& f : doc.fields) properties[f.name] = FieldSchema(f);
  json::object schema{{"type", "object"}, {"description", doc.description}};
  schema["properties"] = std::move(properties);
  schema["additionalProperties"] = false;
  return schema;
}

json::object ListSchema(std::string_view item) {
  json::object properties;
  properties["items"] = {{"type", "array"}, {"items", RefTo(item)}};
  properties["next_cursor"] = {{"type", "string"},
                               {"nullable", true},
                               {"description", "Cursor of the next page; null on the last page."}};
  json::object schema{{"type", "object"},
                      {"description", "A page of " + std::string(item) + " records."}};
  schema["properties"] = std::move(properties);
  return schema;
}

const SchemaDoc* FindSchema(std::string_view name) {
  for (const SchemaDoc& doc : WireSchemas()) {
    if (doc.name == name) return &doc;
  }
  return nullptr;
}

bool HasVersion(std::string_view schema) {
  const SchemaDoc* doc = FindSchema(schema);
  if (doc == nullptr) return false;
  for (const WireField& f : doc->fields) {
    if (f.name == "version") return true;
  }
  return false;
}

struct ErrorDoc {
  int status;
  std::string_view name;
  std::string_view description;
};

constexpr ErrorDoc kErrors[] = {
    {400, "Malformed", "malformed: the body is not a JSON object, or a header is malformed"},
    {401, "Unauthorized",
     "unauthorized: no token or session, unknown token, ended session or deactivated user"},
    {403, "Forbidden",
     "forbidden: the user's role may not do this, or a change made with the session cookie "
     "lacks its X-CSRF-Token or comes from another site"},
    {404, "NotFound", "not_found: no such route or record"},
    {409, "Conflict", "conflict: the record's state forbids it"},
    {412, "PreconditionFailed", "precondition_failed: If-Match names an old version"},
    {413, "TooLarge", "too_large: body over the limit"},
    {429, "RateLimited", "rate_limited: too many failed sign-ins; the message says when to retry"},
    {422, "Invalid", "invalid: a field or query parameter breaks a rule; `field` names it"},
    {500, "Internal", "internal: a bug or a failing disk"},
};

void AddError(json::object& responses, int status) {
  for (const ErrorDoc& e : kErrors) {
    if (e.status == status) {
      responses[std::to_string(status)] = {
          {"$ref", "#/components/responses/" + std::string(e.name)}};
    }
  }
}

json::object JsonContent(json::object schema) {
  json::object media;
  media["schema"] = std::move(schema);
  json::object content;
  content["application/json"] = std::move(media);
  return content;
}

// A CSV file: a request's upload or a download.
json::object CsvContent() {
  json::object content;
  content["text/csv"] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
  return content;
}

json::object Operation(const Route& route) {
  json::object op;
  op["operationId"] = route.operation_id;
  op["summary"] = route.summary;
  std::string_view rest = route.path.substr(5);  // after "/api/"
  op["tags"] = json::array{rest.substr(0, rest.find('/'))};

  json::array parameters;
  bool has_id = false;
  for (size_t open = route.path.find('{'); open != std::string_view::npos;
       open = route.path.find('{', open + 1)) {
    size_t close = route.path.find('}', open);
    has_id = true;
    parameters.push_back({{"name", route.path.substr(open + 1, close - open - 1)},
                          {"in", "path"},
                          {"required", true},
                          {"schema", TypeSchema(WireType::kId, "")}});
  }
  if (route.query != nullptr) {
    for (Param p : route.query->params) {
      ParamDoc doc = DescribeParam(p);
      json::object schema = TypeSchema(doc.type, doc.detail);
      if (doc.repeatable) schema = {{"type", "array"}, {"items", std::move(schema)}};
      if (p == Param::kSort) {
        json::array names;
        for (const SortOption& s : route.query->sorts) {
          names.emplace_back(s.name);
          names.emplace_back("-" + std::string(s.name));
        }
        schema["enum"] = std::move(names);
        schema["default"] = route.query->sorts.front().name;
      }
      const std::vector<Param>& required = route.query->required;
      parameters.push_back(
          {{"name", doc.name},
           {"in", "query"},
           {"required", std::find(required.begin(), required.end(), p) != required.end()},
           {"description", doc.description},
           {"schema", std::move(schema)}});
    }
  }
  bool writes = route.method != Method::kGet;
  if (writes && has_id) {
    parameters.push_back({{"name", "If-Match"},
                          {"in", "header"},
                          {"required", false},
                          {"description", "Only apply to this version: \"3\", W/\"3\", 3 or *."},
                          {"schema", {{"type", "string"}}}});
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);

  if (route.payload == Payload::kCsvUpload) {
    op["requestBody"] = {{"required", true}, {"content", CsvContent()}};
  } else if (!route.request_schema.empty()) {
    op["requestBody"] = {{"required", true}, {"content", JsonContent(RefTo(route.request_schema))}};
  }

  json::object success{{"description", "Success."}};
  json::object headers;
  if (route.payload != Payload::kDownload && HasVersion(route.response_schema)) {
    headers["ETag"] = {{"description", "The record's version, quoted."},
                       {"schema", {{"type", "string"}}}};
  }
  if (route.success_status == 201) {
    headers["Location"] = {{"description", "Path of the new record."},
                           {"schema", {{"type", "string"}}}};
  }
  if (route.payload == Payload::kDownload) {
    headers["Content-Disposition"] = {{"description", "attachment; filename=\"deals.csv\""},
                                      {"schema", {{"type", "string"}}}};
  }
  if (!headers.empty()) success["headers"] = std::move(headers);
  if (route.payload == Payload::kDownload) {
    json::object content = CsvContent();
    content["application/json"] = {
        {"schema", {{"type", "array"}, {"items", RefTo(route.response_schema)}}}};
    success["content"] = std::move(content);
  } else if (route.response_schema == kEventStreamSchema) {
    success["content"] = {{"text/event-stream", {{"schema", {{"type", "string"}}}}}};
  } else {
    success["content"] =
        JsonContent(route.response_schema.empty() ? json::object{{"type", "object"}}
                                                  : RefTo(route.response_schema));
  }
  json::object responses;
  responses[std::to_string(route.success_status)] = std::move(success);
  if (writes) {
    for (int status : {400, 409, 413}) AddError(responses, status);
  }
  if (route.needs_token || route.operation_id == "signIn") {
    AddError(responses, 401);
    AddError(responses, 403);
  }
  if (route.operation_id == "signIn") AddError(responses, 429);
  AddError(responses, 404);
  if (writes && has_id) AddError(responses, 412);
  if (writes || route.query != nullptr) AddError(responses, 422);
  AddError(responses, 500);
  op["responses"] = std::move(responses);

  if (!route.needs_token) op["security"] = json::array();
  return op;
}

json::object Components(const std::vector<Route>& routes) {
  json::object schemas;
  for (const SchemaDoc& doc : WireSchemas()) schemas[doc.name] = ObjectSchema(doc);
  for (const Route& route : routes) {
    std::string_view name = route.response_schema;
    if (name.size() > kListSuffix.size() && name.ends_with(kListSuffix)) {
      schemas[name] = ListSchema(name.substr(0, name.size() - kListSuffix.size()));
    }
  }
  json::object responses;
  for (const ErrorDoc& e : kErrors) {
    responses[e.name] = {{"description", e.description}, {"content", JsonContent(RefTo("Error"))}};
  }
  json::object security;
  security["bearerAuth"] = {{"type", "http"}, {"scheme", "bearer"}};
  security["apiToken"] = {{"type", "apiKey"}, {"in", "header"}, {"name", "x-api-token"}};
  // The web UI's: set by POST /api/auth/sign-in; changes need the session's X-CSRF-Token too.
  security["sessionCookie"] = {{"type", "apiKey"}, {"in", "cookie"}, {"name", "pipedeck_session"}};

  json::object components;
  components["schemas"] = std::move(schemas);
  components["responses"] = std::move(responses);
  components["securitySchemes"] = std::move(security);
  return components;
}

}  // namespace

std::string BuildOpenApi(const std::vector<Route>& routes) {
  json::object paths;
  for (const Route& route : routes) {
    json::value& item = paths[route.path];
    if (!item.is_object()) item.emplace_object();
    std::string method(MethodName(route.method));
    for (char& c : method) c = static_cast<char>(c - 'A' + 'a');
    item.as_object()[method] = Operation(route);
  }
  json::object doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {{"title", "Pipedeck API"},
                 {"version", PIPEDECK_VERSION},
                 {"description",
                  "The native REST API of Pipedeck, a self-hosted sales pipeline CRM. Money is "
                  "integer minor units plus an ISO 4217 code; instants are UTC ISO 8601."}};
  doc["paths"] = std::move(paths);
  doc["components"] = Components(routes);
  doc["security"] = json::array{json::object{{"bearerAuth", json::array()}},
                                json::object{{"apiToken", json::array()}},
                                json::object{{"sessionCookie", json::array()}}};
  return json::serialize(doc);
}

}  // namespace pipedeck
