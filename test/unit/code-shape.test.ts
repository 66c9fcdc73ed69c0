import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** The shape the house style asks for (STYLE.md): handlers are wiring, files stay readable. */
const HANDLER_MAX_LINES = 25;
const FILE_MAX_LINES = 250;

/**
 * Files allowed over the limits, each named with its reason; none today. A listed file back
 * within its limit fails the test, so the list only shrinks.
 */
const OVER_LIMIT_TODAY: Record<string, 'handler' | 'file'> = {};

const root = new URL('../..', import.meta.url).pathname;
const tsFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))
    .sort();
const lines = (file: string) => readFileSync(join(root, file), 'utf8').replace(/\n$/, '').split('\n').length;
const handlers = tsFiles('functions').filter((f) => /^functions\/[^/]+\/handler\.ts$/.test(f));

describe('code shape', () => {
  it('finds the handlers and the source files it checks', () => {
    assert.ok(handlers.includes('functions/webhook/handler.ts'), handlers.join(', '));
    assert.ok(tsFiles('lib').includes('lib/config.ts'));
  });

  it(`keeps every functions/*/handler.ts to wiring: at most ${HANDLER_MAX_LINES} lines`, () => {
    const over = handlers.filter((f) => lines(f) > HANDLER_MAX_LINES && OVER_LIMIT_TODAY[f] !== 'handler');
    assert.deepEqual(over.map((f) => `${f}: ${lines(f)} lines`), []);
  });

  it(`keeps every .ts file in lib/ and functions/ to at most ${FILE_MAX_LINES} lines`, () => {
    const over = [...tsFiles('lib'), ...tsFiles('functions')].filter((f) => lines(f) > FILE_MAX_LINES && OVER_LIMIT_TODAY[f] !== 'file');
    assert.deepEqual(over.map((f) => `${f}: ${lines(f)} lines`), []);
  });

  it('lists as exceptions only files that are still over their limit', () => {
    const stale = Object.entries(OVER_LIMIT_TODAY)
      .filter(([f, kind]) => {
        const limit = kind === 'handler' ? HANDLER_MAX_LINES : FILE_MAX_LINES;
        return !existsSync(join(root, f)) || lines(f) <= limit;
      })
      .map(([f]) => `${f} is within its limit (or gone): remove it from OVER_LIMIT_TODAY`);
    assert.deepEqual(stale, []);
  });
});
