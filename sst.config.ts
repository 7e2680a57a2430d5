/// <reference path="./.sst/platform/config.d.ts" />

/**
 * tickerfleet on AWS. Every resource comes from stacks/topology (plain data,
 * shared with the local runtime); the modules in stacks/sst declare them, one
 * per concern. `prod` and `production` are production stages: `sst remove`
 * (or dropping a table from the topology) keeps their DynamoDB tables, the
 * scan history; every other stage is removed whole.
 */
export default $config({
  app(input) {
    const production = input?.stage === "prod" || input?.stage === "production";
    return {
      name: "tickerfleet",
      home: "aws",
      removal: production ? "retain" : "remove",
    };
  },
  async run() {
    const { topology, topologyProblems } = await import("./stacks/topology/index.ts");
    const problems = topologyProblems(topology);
    if (problems.length > 0) {
      throw new Error(`stacks/topology is not deployable:\n- ${problems.join("\n- ")}`);
    }
    await import("./stacks/sst/secrets.ts");
    await import("./stacks/sst/tables.ts");
    await import("./stacks/sst/queues.ts");
    await import("./stacks/sst/buckets.ts");
    await import("./stacks/sst/report-signer.ts");
    await import("./stacks/sst/topics.ts");
    await import("./stacks/sst/functions.ts");
    await import("./stacks/sst/schedule.ts");
    await import("./stacks/sst/alarms.ts");
    await import("./stacks/sst/dashboard.ts");
    const { outputs } = await import("./stacks/sst/outputs.ts");
    return outputs;
  },
});
