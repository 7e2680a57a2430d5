/**
 * The DynamoDB tables, one per topology table: on-demand (SST's default),
 * keys, global indexes with their projection, and the TTL attribute.
 */
import { type TableId, type TableSpec, topology } from "../topology/index.ts";
import { physicalName } from "./naming.ts";

type GlobalIndexArgs = $util.Unwrap<NonNullable<sst.aws.DynamoArgs["globalIndexes"]>>[string];

function globalIndex(index: TableSpec["globalIndexes"][string]) {
  return {
    hashKey: index.hashKey,
    rangeKey: index.rangeKey,
    projection: typeof index.projection === "string" ? index.projection : [...index.projection],
  } satisfies GlobalIndexArgs;
}

function declareTable(id: TableId): sst.aws.Dynamo {
  const spec = topology.tables[id];
  return new sst.aws.Dynamo(spec.name, {
    fields: spec.fields,
    primaryIndex: spec.primaryIndex,
    globalIndexes: Object.fromEntries(
      Object.entries(spec.globalIndexes).map(([name, index]) => [name, globalIndex(index)]),
    ),
    ttl: spec.ttl,
    transform: { table: { name: physicalName($app.stage, spec.name) } },
  });
}

export const tables: Record<TableId, sst.aws.Dynamo> = {
  scans: declareTable("scans"),
  results: declareTable("results"),
  bars: declareTable("bars"),
};
