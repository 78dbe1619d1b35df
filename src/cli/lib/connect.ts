// Building client configuration from the command line the way Kafka's tools do: a properties file
// (--command-config / --producer.config / --consumer.config), then individual properties, then the bootstrap list.
import { type ParsedArgs, parseKeyValues } from './args.js';
import { readPropertiesFile } from './command.js';
import { openAdmin } from './client-adapter.js';
import type { ClusterAdmin } from './cluster.js';

export const BOOTSTRAP_OPTION = {
  name: 'bootstrap-server',
  arg: 'required' as const,
  argName: 'String: server to connect to',
  description: 'REQUIRED: The Kafka server to connect to. Comma-separated host:port list.',
};

export const COMMAND_CONFIG_OPTION = {
  name: 'command-config',
  arg: 'required' as const,
  argName: 'String: command config property file',
  description: 'Property file containing configs to be passed to Admin Client.',
};

/** Client properties: file first, then repeated key=value options, then --bootstrap-server (highest precedence). */
export function clientProps(args: ParsedArgs, opts: { fileOption?: string; propertyOption?: string; bootstrap?: string }): Record<string, string> {
  const props: Record<string, string> = {};
  if (opts.fileOption && args.has(opts.fileOption)) {
    for (const [k, v] of readPropertiesFile(args.value(opts.fileOption)!)) props[k] = v;
  }
  if (opts.propertyOption) {
    for (const [k, v] of parseKeyValues(args.all(opts.propertyOption))) props[k] = v;
  }
  if (opts.bootstrap) props['bootstrap.servers'] = opts.bootstrap;
  return props;
}

type AdminFactory = (props: Record<string, string>) => Promise<ClusterAdmin>;
let adminFactory: AdminFactory = openAdmin;

/**
 * Replaces how commands obtain their admin client (tests use an in-memory cluster to check output formats
 * exactly); returns a function restoring the previous factory.
 */
export function setAdminFactory(factory: AdminFactory): () => void {
  const previous = adminFactory;
  adminFactory = factory;
  return () => {
    adminFactory = previous;
  };
}

/** Runs fn with an admin client and always closes it. */
export async function withAdmin<T>(props: Record<string, string>, fn: (admin: ClusterAdmin) => Promise<T>): Promise<T> {
  const admin = await adminFactory(props);
  try {
    return await fn(admin);
  } finally {
    await admin.close().catch(() => {});
  }
}

/**
 * Kafka's IncludeList as a RegExp: the --topic / --include value is a Java regex matched against the whole name;
 * commas are accepted as alternation, surrounding quotes are dropped. Null when the pattern is not a valid regex.
 */
export function includeRegExp(pattern: string): RegExp | null {
  const p = pattern.trim().replace(/^["']|["']$/g, '').split(',').map((s) => s.trim()).join('|');
  try {
    return new RegExp(`^(?:${p})$`);
  } catch {
    return null;
  }
}

/** IncludeList as a predicate; an invalid regex matches the name literally. */
export function includeList(pattern: string): (name: string) => boolean {
  const re = includeRegExp(pattern);
  return re ? (n) => re.test(n) : (n) => n === pattern;
}
