#include "store/sqlite/schema.h"

namespace pipedeck {
namespace {

constexpr char kSqlDropIndex[] = "DROP INDEX IF EXISTS ";

}  // namespace

std::string CreateIndexesSql() {
  std::string sql;
  for (const SqliteIndex& index : kSqlIndexes) sql += std::string(index.create_sql) + ";\n";
  return sql;
}

std::string DropIndexesSql() {
  std::string sql;
  for (const SqliteIndex& index : kSqlIndexes)
    sql += kSqlDropIndex + std::string(index.name) + ";\n";
  return sql;
}

}  // namespace pipedeck
