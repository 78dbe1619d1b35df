// kafka-broker-api-versions.sh: asks every broker for its ApiVersions and prints them as Kafka's NodeApiVersions
// does: "host:port (id: 0 rack: null) -> (\n\tProduce(0): 0 to 11 [usable: 11],\n\t...\n)".
import { type CommandSpec, UsageError } from '../lib/args.js';
import { runCommand } from '../lib/command.js';
import { clientProps, withAdmin } from '../lib/connect.js';
import type { ApiVersionRange, BrokerNode } from '../lib/cluster.js';
import { API_VERSIONS, apiName } from '../../protocol/generated/api-keys.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Print the API versions every broker supports (kafka-broker-api-versions.sh).';

export const spec: CommandSpec = {
  name: 'broker-api-versions',
  description: 'This tool helps to retrieve broker version information.',
  options: [
    { name: 'bootstrap-server', arg: 'required', argName: 'String: server(s) to use for bootstrapping', description: 'REQUIRED: The server to connect to.' },
    { name: 'command-config', arg: 'required', argName: 'String: command config property file', description: 'A property file containing configs to be passed to Admin Client.' },
  ],
};

export function nodeString(b: BrokerNode): string {
  return `${b.host}:${b.port} (id: ${b.id} rack: ${b.rack ?? 'null'})`;
}

/** One API's text, with the version this client would use ("usable"), as NodeApiVersions.apiVersionToText. */
function apiText(v: ApiVersionRange): string {
  const name = apiName(v.apiKey);
  const range = v.minVersion === v.maxVersion ? `${v.minVersion}` : `${v.minVersion} to ${v.maxVersion}`;
  if (!name) return `UNKNOWN(${v.apiKey}): ${range}`;
  const ours = API_VERSIONS.find((a) => a.apiKey === v.apiKey)!;
  let usable: string;
  if (ours.maxVersion < v.minVersion) usable = ' [unusable: node too new]';
  else if (v.maxVersion < ours.minVersion) usable = ' [unusable: node too old]';
  else usable = ` [usable: ${Math.min(ours.maxVersion, v.maxVersion)}]`;
  return `${name}(${v.apiKey}): ${range}${usable}`;
}

export function formatApiVersions(versions: ApiVersionRange[]): string {
  const byKey = new Map<number, string>();
  for (const v of versions) byKey.set(v.apiKey, apiText(v));
  // APIs a client may call that the broker does not offer are listed as UNSUPPORTED.
  for (const a of API_VERSIONS) if (a.listeners.includes('broker') && !byKey.has(a.apiKey)) byKey.set(a.apiKey, `${a.name}(${a.apiKey}): UNSUPPORTED`);
  const texts = [...byKey].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
  return `(\n\t${texts.join(',\n\t')}\n)`;
}

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx) => {
    if (!ctx.args.has('bootstrap-server')) throw new UsageError('Missing required argument "[bootstrap-server]"');
    const props = clientProps(ctx.args, { fileOption: 'command-config', bootstrap: ctx.args.value('bootstrap-server') });
    let failed = false;
    await withAdmin(props, async (admin) => {
      for (const r of await admin.brokerApiVersions()) {
        if (r.versions) await ctx.out(`${nodeString(r.broker)} -> ${formatApiVersions(r.versions)}`);
        else {
          failed = true;
          await ctx.out(`${nodeString(r.broker)} -> ERROR: ${r.error ?? 'unknown error'}`);
        }
      }
    });
    return failed ? 1 : 0;
  });
}
