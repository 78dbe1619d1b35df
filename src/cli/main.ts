// Entry point of the `gregor` command: `gregor <command> [args]`. Each command lives in src/cli/commands/<name>.ts
// and exports `run(argv: string[]): Promise<number>` (the exit code). Kafka's script names map onto them
// (bin/kafka-topics.sh -> `gregor topics`), see COMMAND_ALIASES.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CommandModule {
  run(argv: string[]): Promise<number>;
  /** One line for `gregor --help`. */
  summary?: string;
}

/** Kafka script names (without kafka- prefix and .sh suffix) that differ from the command file name. */
export const COMMAND_ALIASES: Record<string, string> = {
  'server-start': 'server',
};

function commandNames(): string[] {
  const dir = `${dirname(fileURLToPath(import.meta.url))}/commands`;
  try {
    return readdirSync(dir)
      .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map'))
      .map((f) => f.replace(/\.(js|ts)$/, ''))
      .sort();
  } catch {
    return [];
  }
}

export async function main(argv: string[]): Promise<number> {
  const [raw, ...rest] = argv;
  if (!raw || raw === '--help' || raw === '-h' || raw === 'help') {
    console.log('usage: gregor <command> [options]   (each command takes --help)\n\ncommands:');
    for (const name of commandNames()) {
      // The one-line summaries come from the modules themselves; a module that fails to load is still listed.
      const summary = await import(`./commands/${name}.js`).then((m: CommandModule) => m.summary ?? '', () => '');
      console.log(`  ${name.padEnd(22)}${summary}`);
    }
    return 0;
  }
  const name = COMMAND_ALIASES[raw.replace(/^kafka-/, '').replace(/\.sh$/, '')] ?? raw.replace(/^kafka-/, '').replace(/\.sh$/, '');
  if (!commandNames().includes(name)) {
    console.error(`gregor: unknown command '${raw}'. Run 'gregor --help' for the list.`);
    return 1;
  }
  const mod = (await import(`./commands/${name}.js`)) as CommandModule;
  return mod.run(rest);
}

// Run directly (`node --import tsx src/cli/main.ts topics --list ...`, as the tests do); bin/gregor.js imports
// main() from the compiled module instead.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
