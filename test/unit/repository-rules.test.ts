import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : /\.(ts|md)$/.test(name) ? [path] : [];
  });
}
const sources = [...files('lib'), ...files('functions'), ...files('scripts'), ...files('test/fixtures'), 'README.md', 'RELIABILITY.md'];

describe('the Hotmart facts the code cites are in the repository', () => {
  it('cites sections of docs/hotmart.md that exist', () => {
    const sections = new Set([...read('docs/hotmart.md').matchAll(/^## (.+)$/gm)].map((m) => m[1]));
    const cited = sources.flatMap((path) => [...read(path).matchAll(/docs\/hotmart\.md, "([^"]+)"/g)].map((m) => ({ path, section: m[1]! })));
    assert.ok(cited.length >= 10, `only ${cited.length} citations`);
    for (const { path, section } of cited) assert.ok(sections.has(section), `${path} cites "${section}", not a section of docs/hotmart.md`);
    assert.match(read('README.md'), /\]\(docs\/hotmart\.md\)/, 'the README links it');
  });

  it('cites no document outside the repository (SPEC §…) outside lib/domain', () => {
    const stale = sources.filter((path) => !path.startsWith('lib/domain/') && /SPEC(\.md| §)/.test(read(path)));
    assert.deepEqual(stale, []);
  });
});

describe('the shape of the code', () => {
  it('keeps every handler wiring only: at most 25 lines', () => {
    const handlers = readdirSync(join(ROOT, 'functions')).map((name) => `functions/${name}/handler.ts`);
    const long = handlers.map((path) => ({ path, lines: read(path).trimEnd().split('\n').length })).filter((h) => h.lines > 25);
    assert.deepEqual(long, []);
  });
});
