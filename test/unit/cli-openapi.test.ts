import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { pathOf } from '../../cli/client.ts';
import { buildProgram } from '../../cli/main.ts';
import { documentedRoutes } from '../../scripts/openapi.ts';

/**
 * The CLI's help and the API description agree (issue 14 §2): every route of docs/openapi.json is
 * called by some command, every route a command calls or its help names is in the document. Each
 * cli/commands/<file>.ts exports `ROUTES` (name → `METHOD /path`) and builds its requests only
 * from it (client.ts call/pathOf), so the table is what the commands really call.
 */
const root = join(import.meta.dirname, '../..');
const COMMANDS = join(root, 'cli/commands');
const documented = documentedRoutes(JSON.parse(readFileSync(join(root, 'docs/openapi.json'), 'utf8')));

/**
 * Routes whose commands live in a file not written yet (the feed and audit command groups are
 * built on another branch): excused only while that file is absent, and reported.
 */
const KNOWN_GAPS: Record<string, string[]> = {};

const files = readdirSync(COMMANDS).filter((name) => name.endsWith('.ts')).sort();
const sourceOf = (file: string) => readFileSync(join(COMMANDS, file), 'utf8');
/** A file's source without its ROUTES table. */
const withoutTable = (source: string) => source.replace(/export const ROUTES = \{[\s\S]*?\}(?: as const)?(?: satisfies [^;]+)?;/, '');
const callsApi = (source: string) => /\b(call|pathOf|readAllPages|fetch)\(/.test(source);

async function routesOf(file: string): Promise<Record<string, string> | undefined> {
  const module = (await import(join(COMMANDS, file))) as { ROUTES?: Record<string, string> };
  return module.ROUTES;
}

async function cliRoutes(): Promise<Set<string>> {
  const routes = new Set<string>();
  for (const file of files) for (const route of Object.values((await routesOf(file)) ?? {})) routes.add(route);
  return routes;
}

function descriptions(command: Command): string[] {
  return [command.description(), ...command.options.map((option) => option.description), ...command.commands.flatMap(descriptions)];
}

describe('the CLI and docs/openapi.json', () => {
  it('every route of the document is called by a CLI command (routes of command files not written yet are reported as known gaps)', async (t) => {
    const called = await cliRoutes();
    const gaps = Object.entries(KNOWN_GAPS).filter(([file]) => !existsSync(join(COMMANDS, file)));
    for (const [file, routes] of gaps) t.diagnostic(`known gap: cli/commands/${file} is absent, so no command calls ${routes.join(', ')}`);
    const excused = new Set(gaps.flatMap(([, routes]) => routes));
    assert.deepEqual(documented.filter((route) => !called.has(route) && !excused.has(route)), [], 'documented routes no CLI command calls');
    for (const route of excused) assert.ok(documented.includes(route), `known gap ${route} is not even in the document`);
  });

  it('every route a CLI command calls, and every route its help names, is in the document', async () => {
    const called = [...(await cliRoutes())];
    assert.ok(called.length >= 30, `the commands call ${called.length} routes`);
    assert.deepEqual(called.filter((route) => !documented.includes(route)), [], 'routes the CLI calls that docs/openapi.json lacks');
    const named = descriptions(buildProgram({ stdout: process.stdout, stderr: process.stderr, env: {} })).flatMap((text) =>
      [...(text ?? '').matchAll(/\b(GET|PUT|POST|DELETE) (\/[^\s)?,;]*)/g)].map((match) => `${match[1]} ${match[2]}`),
    );
    assert.ok(named.length >= 10, `the help names ${named.length} routes`);
    assert.deepEqual(named.filter((route) => !documented.includes(route)), [], 'routes the help names that docs/openapi.json lacks');
  });

  it('each command file builds its requests only from its ROUTES table, and every entry of the table is used', async () => {
    for (const file of files) {
      const source = sourceOf(file);
      const rest = withoutTable(source);
      const routes = await routesOf(file);
      assert.ok(!/\.request\(/.test(rest), `cli/commands/${file} calls api.request directly: call a route of its ROUTES through call()/pathOf()`);
      assert.ok(!/[`'"]\/schools\b/.test(rest), `cli/commands/${file} writes a /schools path by hand: name the route in its ROUTES`);
      if (!routes) {
        assert.ok(!callsApi(rest), `cli/commands/${file} calls the API but exports no ROUTES`);
        continue;
      }
      for (const name of Object.keys(routes)) assert.match(rest, new RegExp(`\\bROUTES\\.${name}\\b`), `cli/commands/${file}: ROUTES.${name} is listed but no command uses it`);
    }
  });

  it('pathOf fills each parameter of a route, escaped, and refuses a route with one missing', () => {
    assert.equal(pathOf('DELETE /schools/{schoolId}/students/{email}', { schoolId: 'escola', email: 'a+b@example.com' }), '/schools/escola/students/a%2Bb%40example.com');
    assert.equal(pathOf('GET /schools'), '/schools');
    assert.throws(() => pathOf('GET /schools/{schoolId}/events/{eventId}', { schoolId: 'escola' }), /no value for \{eventId\}/);
  });
});
