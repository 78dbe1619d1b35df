import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHelp, parseArgs, parseConfigList, parseKeyValues, UsageError, type CommandSpec } from '../../src/cli/lib/args.js';

const spec: CommandSpec = {
  name: 't',
  description: 'test',
  options: [
    { name: 'topic', arg: 'required', description: 'topic' },
    { name: 'list', description: 'flag' },
    { name: 'config', arg: 'required', description: 'repeatable' },
    { name: 'shift-by', arg: 'required', description: 'number' },
    { name: 'bootstrap-server', arg: 'required', description: 'bs', aliases: ['broker-list'] },
    { name: 'state', arg: 'optional', description: 'optional value' },
  ],
};

test('joptsimple forms: --flag value and --flag=value, repeats keep order, last wins', () => {
  const a = parseArgs(spec, ['--topic', 'a', '--config=x=1', '--config', 'y=2', '--topic=b', '--list']);
  assert.equal(a.value('topic'), 'b');
  assert.deepEqual(a.all('config'), ['x=1', 'y=2']);
  assert.ok(a.has('list'));
  assert.ok(!a.has('state'));
});

test('a required argument takes the next token even when it starts with a dash', () => {
  assert.equal(parseArgs(spec, ['--shift-by', '-2']).int('shift-by'), -2);
});

test('aliases map to the canonical option', () => {
  assert.equal(parseArgs(spec, ['--broker-list', 'h:1']).value('bootstrap-server'), 'h:1');
});

test('optional arguments do not swallow the next option', () => {
  const a = parseArgs(spec, ['--state', '--list']);
  assert.equal(a.value('state'), '');
  assert.ok(a.has('list'));
  assert.equal(parseArgs(spec, ['--state', 'stable']).value('state'), 'stable');
});

test('errors use joptsimple wording', () => {
  assert.throws(() => parseArgs(spec, ['--frombeginning']), (e: Error) => e instanceof UsageError && e.message === 'frombeginning is not a recognized option');
  assert.throws(() => parseArgs(spec, ['--topic']), /Option topic requires an argument/);
  assert.throws(() => parseArgs(spec, ['--list=x']), /does not take an argument/);
  assert.throws(() => parseArgs(spec, ['--shift-by', 'x']).int('shift-by'), /Cannot parse argument 'x' of option shift-by/);
});

test('no abbreviations (Kafka disables them)', () => {
  assert.throws(() => parseArgs(spec, ['--top', 'x']), /top is not a recognized option/);
});

test('key=value and kafka-configs lists with brackets', () => {
  assert.deepEqual([...parseKeyValues(['a=1', 'b=x=y', 'c'])], [['a', '1'], ['b', 'x=y'], ['c', '']]);
  assert.deepEqual([...parseConfigList('k1=v1,k2=[a,b,c],k3=v3')], [['k1', 'v1'], ['k2', 'a,b,c'], ['k3', 'v3']]);
  assert.throws(() => parseConfigList('novalue'), /must be in the format "key=val"/);
});

test('help lists every visible option with its argument', () => {
  const h = formatHelp(spec);
  assert.match(h, /^test\nOption\s+Description\n------\s+-----------\n/);
  assert.match(h, /--bootstrap-server, --broker-list <String>/);
  assert.match(h, /--state \[String\]/);
});
