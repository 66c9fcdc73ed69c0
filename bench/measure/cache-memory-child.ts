/**
 * The webhook's per-container caches filled with SCHOOLS schools, in a fresh process with
 * --expose-gc so the heap difference is theirs alone: the school cache (incarnation and the token
 * hashes, current and previous) and the mapping cache (PRODUCTS_PER_SCHOOL products each, a
 * realistic mapping with two targets, a price and a sales URL). Prints the figures as JSON.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_POLICY } from '#lib/domain/mapping.ts';
import type { ProductMappings } from '#lib/domain/mapping.ts';
import type { School } from '#lib/domain/school.ts';
import { createMappingCache } from '#lib/services/mapping-cache.ts';
import { createSchoolCache } from '#lib/services/school-cache.ts';

const SCHOOLS = Number(process.env.BENCH_SCHOOLS ?? 5000);
const PRODUCTS_PER_SCHOOL = Number(process.env.BENCH_PRODUCTS_PER_SCHOOL ?? 4);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => { throw new Error('run with --expose-gc'); })();
const heap = async () => {
  // Let pending promise jobs and their garbage settle, then collect fully.
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return process.memoryUsage().heapUsed;
};

const hex = () => randomBytes(32).toString('hex');
const idOf = (i: number) => `escola-${String(i).padStart(5, '0')}-cursos`;
const school = (schoolId: string): School => ({
  schoolId,
  name: `Escola ${schoolId}`,
  createdAt: Date.now(),
  updatedAt: Date.now(),
  incarnation: randomBytes(8).toString('hex').slice(0, 10),
  state: 'active',
  tokens: { current: hex(), previous: hex(), updatedAt: Date.now() },
} as School);
const mappings = (productId: string): ProductMappings => ({
  product: {
    productId,
    targets: [{ type: 'course', id: `curso-${productId}` }, { type: 'class', id: `turma-2026-${productId}` }],
    price: { value: 497, currency: 'BRL' },
    salesUrl: `https://escola.example.com.br/cursos/${productId}`,
    policy: DEFAULT_POLICY,
    version: 3,
    createdAt: Date.now(),
    updatedAt: Date.now(),
  },
  offers: [],
});

// Every value built before the first heap reading: what is measured is what the caches hold.
const schools = new Map(Array.from({ length: SCHOOLS }, (_, i) => [idOf(i), school(idOf(i))]));
const products = Array.from({ length: SCHOOLS * PRODUCTS_PER_SCHOOL }, (_, i) => String(3_400_000 + i));

const before = await heap();
const schoolCache = createSchoolCache({ get: async (id) => structuredClone(schools.get(id)) }, { ttlMs: 60_000 });
for (const id of schools.keys()) await schoolCache.get(id);
const withSchools = await heap();
const loaded = products.map(mappings);
const mappingCache = createMappingCache(async (_scope, productId) => loaded[Number(productId) - 3_400_000]!);
let p = 0;
for (const [id, s] of schools) {
  const lookup = mappingCache.forScope(`${id}#${s.incarnation}`);
  for (let k = 0; k < PRODUCTS_PER_SCHOOL; k++) await lookup.get(products[p++]!);
}
const withMappings = await heap();
// Still held: the readings above are of live caches (a second read hits, no load).
if (schoolCache.size() !== SCHOOLS) throw new Error(`the school cache kept ${schoolCache.size()} of ${SCHOOLS}`);
process.stdout.write(JSON.stringify({ schools: SCHOOLS, productsPerSchool: PRODUCTS_PER_SCHOOL, schoolCacheBytes: withSchools - before, mappingCacheBytes: withMappings - withSchools }));
