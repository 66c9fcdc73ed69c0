import type { CacheMemoryFigures } from '../measure/cache-memory.ts';
import type { RoundTripFigures } from '../measure/round-trips.ts';
import type { Section, Target } from './format.ts';
import { count, mb } from './format.ts';

/** What a container keeps per school, and what a school's first delivery costs (the round-trip table has every case). */
export function schoolsSection(c: CacheMemoryFigures, trips: RoundTripFigures | undefined): Section {
  const perSchool = c.schoolCacheBytes / c.schools;
  const perProduct = c.mappingCacheBytes / (c.schools * c.productsPerSchool);
  return {
    title: 'Many schools in one container',
    lines: [
      `The webhook keeps, per container, each school it served (incarnation and token hashes, current and previous) and each product's mappings, keyed by school (lib/services/school-cache.ts, lib/services/mapping-cache.ts). ` +
        `Filled with ${count(c.schools)} schools of ${c.productsPerSchool} mapped products each (two targets, a price and a sales URL per product), in a child process with a full collection before each reading (bench/measure/cache-memory-child.ts):`,
      '',
      '| Cache | entries | heap | per entry | bound |',
      '|---|---|---|---|---|',
      `| schools | ${count(c.schools)} | ${mb(c.schoolCacheBytes)} | ${Math.round(perSchool)} B | ${count(c.schoolCacheMaxEntries)} entries (${mb(perSchool * c.schoolCacheMaxEntries)}) |`,
      `| mappings | ${count(c.schools * c.productsPerSchool)} | ${mb(c.mappingCacheBytes)} | ${Math.round(perProduct)} B | ${count(c.mappingCacheMaxEntries)} entries (${mb(perProduct * c.mappingCacheMaxEntries)}) |`,
      '',
      `Both caches are bounded by entry count, the least recently used (schools) or stored (mappings) going first, so a container that sees more schools than that re-reads the ones it evicted: at most ${mb(perSchool * c.schoolCacheMaxEntries + perProduct * c.mappingCacheMaxEntries)} of a 512 MB function.` +
        (trips ? ` A school's first delivery in a container costs ${trips.newCold.requests - trips.newWarm.requests} more DynamoDB round trips than a warm one (the registry, then the mapping: ${trips.newCold.requests} in all, against ${trips.newWarm.requests}); the round-trip table has every case.` : ''),
    ],
  };
}

export function schoolsTarget(c: CacheMemoryFigures): Target {
  const total = c.schoolCacheBytes + c.mappingCacheBytes;
  return {
    target: `${count(c.schools)} schools' cache entries fit a container comfortably (under 64 MB)`,
    measured: `${mb(total)} for ${count(c.schools)} schools with ${c.productsPerSchool} products each`,
    holds: total < 64 * 1024 * 1024,
  };
}
