/**
 * Recording stand-ins for the globals SST gives sst.config.ts and its modules
 * (`$config`, `$app`, `sst.*`, `aws.*`, `$interpolate`, `$jsonStringify`). Each
 * constructor records its name and arguments (and resource options, when
 * given), as the real components receive them, and exposes the few properties
 * the modules read (`arn`, `url`, `name`, `nodes`, `id`, `secret`). Outputs are
 * plain values here: `apply(f)` calls `f` at once, `$interpolate` joins strings.
 *
 * Only what tickerfleet's modules use is provided: a module that reaches for
 * another global fails the test with a ReferenceError.
 */

export interface Declared {
  /** e.g. "sst.aws.Queue", "aws.cloudwatch.MetricAlarm". */
  type: string;
  name: string;
  args: Record<string, unknown>;
  /** Pulumi resource options (the third constructor argument), when given. */
  opts?: Record<string, unknown>;
  resource: object;
}

export interface Subscription {
  /** The subscribed queue's component name. */
  queue: string;
  /** The subscriber function's arguments (SST creates the function from them). */
  fnArgs: Record<string, unknown>;
  args: Record<string, unknown>;
  /** The function SST creates for the subscriber (what `subscriber.nodes.function` resolves to). */
  fn: SubscriberFunction;
}

export class SubscriberFunction {
  constructor(readonly queue: string) {}
  get name(): string {
    return `subscriber-of-${this.queue}`;
  }
}

export interface Recorded {
  declared: Declared[];
  subscriptions: Subscription[];
  /** Declarations of one type, in order. */
  ofType(type: string): Declared[];
  /** The declaration of a component by type and name; throws when absent or repeated. */
  one(type: string, name: string): Declared;
}

const GLOBALS = ["$config", "$app", "sst", "aws", "$interpolate", "$jsonStringify"] as const;

/** Installs the stand-ins on globalThis and returns what they record. */
export function installSstGlobals(): Recorded {
  const declared: Declared[] = [];
  const subscriptions: Subscription[] = [];

  function record(type: string, resource: object, name: string, args: unknown, opts?: unknown): void {
    declared.push({
      type,
      name,
      args: (args ?? {}) as Record<string, unknown>,
      ...(opts === undefined ? {} : { opts: opts as Record<string, unknown> }),
      resource,
    });
  }

  class Queue {
    readonly arn: string;
    readonly url: string;
    readonly nodes: { queue: { name: string } };
    constructor(
      readonly componentName: string,
      args?: unknown,
    ) {
      record("sst.aws.Queue", this, componentName, args);
      this.arn = `arn:aws:sqs:us-east-1:123456789012:${componentName}`;
      this.url = `https://sqs.us-east-1.amazonaws.com/123456789012/${componentName}`;
      this.nodes = { queue: { name: `physical-${componentName}` } };
    }
    subscribe(fnArgs: Record<string, unknown>, args: Record<string, unknown> = {}) {
      const fn = new SubscriberFunction(this.componentName);
      subscriptions.push({ queue: this.componentName, fnArgs, args, fn });
      const subscriber = { nodes: { function: fn } };
      return { apply: <T>(f: (s: typeof subscriber) => T): T => f(subscriber) };
    }
  }

  class LambdaFunction {
    readonly arn: string;
    constructor(
      readonly componentName: string,
      args: unknown,
    ) {
      record("sst.aws.Function", this, componentName, args);
      this.arn = `arn:aws:lambda:us-east-1:123456789012:function:${componentName}`;
    }
  }

  class Dynamo {
    readonly name: string;
    constructor(componentName: string, args: unknown) {
      record("sst.aws.Dynamo", this, componentName, args);
      this.name = `physical-${componentName}`;
    }
  }

  class Bucket {
    readonly name: string;
    readonly arn: string;
    constructor(componentName: string, args: unknown) {
      record("sst.aws.Bucket", this, componentName, args);
      this.name = `physical-${componentName.toLowerCase()}`;
      this.arn = `arn:aws:s3:::${this.name}`;
    }
  }

  class SnsTopic {
    readonly arn: string;
    constructor(componentName: string, args: unknown) {
      record("sst.aws.SnsTopic", this, componentName, args);
      this.arn = `arn:aws:sns:us-east-1:123456789012:physical-${componentName}`;
    }
  }

  class CronV2 {
    constructor(componentName: string, args: unknown) {
      record("sst.aws.CronV2", this, componentName, args);
    }
  }

  class Secret {
    constructor(
      readonly componentName: string,
      placeholder?: string,
    ) {
      record("sst.Secret", this, componentName, { placeholder });
    }
  }

  class MetricAlarm {
    constructor(componentName: string, args: unknown) {
      record("aws.cloudwatch.MetricAlarm", this, componentName, args);
    }
  }

  class Dashboard {
    constructor(componentName: string, args: unknown) {
      record("aws.cloudwatch.Dashboard", this, componentName, args);
    }
  }

  /** Pulumi's region lookup, as an output whose value is known. */
  const getRegionOutput = () => ({ name: { apply: <T>(f: (region: string) => T): T => f("us-east-1") } });

  class Topic {
    readonly arn: string;
    constructor(componentName: string, args: unknown) {
      record("aws.sns.Topic", this, componentName, args);
      this.arn = `arn:aws:sns:us-east-1:123456789012:${componentName}`;
    }
  }

  class TopicSubscription {
    constructor(componentName: string, args: unknown) {
      record("aws.sns.TopicSubscription", this, componentName, args);
    }
  }

  class Linkable {
    constructor(
      readonly componentName: string,
      definition: unknown,
    ) {
      record("sst.Linkable", this, componentName, definition);
    }
  }

  class User {
    readonly name: string;
    readonly arn: string;
    constructor(componentName: string, args: { name?: string }, opts?: unknown) {
      record("aws.iam.User", this, componentName, args, opts);
      this.name = args.name ?? `physical-${componentName}`;
      this.arn = `arn:aws:iam::123456789012:user/${this.name}`;
    }
  }

  class UserPolicy {
    constructor(componentName: string, args: unknown, opts?: unknown) {
      record("aws.iam.UserPolicy", this, componentName, args, opts);
    }
  }

  class AccessKey {
    readonly id: string;
    readonly secret: string;
    constructor(componentName: string, args: unknown, opts?: unknown) {
      record("aws.iam.AccessKey", this, componentName, args, opts);
      this.id = `AKIA-${componentName}`;
      this.secret = `secret-of-${componentName}`;
    }
  }

  const g = globalThis as Record<string, unknown>;
  g.$config = <T>(config: T): T => config;
  g.$interpolate = (strings: TemplateStringsArray, ...values: unknown[]): string =>
    strings.reduce((joined, part, i) => joined + part + (i < values.length ? String(values[i]) : ""), "");
  g.$jsonStringify = (value: unknown): string => JSON.stringify(value);
  g.sst = { aws: { Queue, Function: LambdaFunction, Dynamo, Bucket, SnsTopic, CronV2 }, Secret, Linkable };
  g.aws = {
    cloudwatch: { MetricAlarm, Dashboard },
    sns: { Topic, TopicSubscription },
    iam: { User, UserPolicy, AccessKey },
    getRegionOutput,
  };

  return {
    declared,
    subscriptions,
    ofType: (type) => declared.filter((d) => d.type === type),
    one(type, name) {
      const found = declared.filter((d) => d.type === type && d.name === name);
      if (found.length !== 1) throw new Error(`${found.length} ${type} named ${name} declared, expected 1`);
      return found[0]!;
    },
  };
}

/** Sets `$app` as SST does once app() has answered. */
export function setApp(app: { name: string; stage: string; removal: string }): void {
  (globalThis as Record<string, unknown>).$app = app;
}

export function removeSstGlobals(): void {
  for (const name of GLOBALS) delete (globalThis as Record<string, unknown>)[name];
}
