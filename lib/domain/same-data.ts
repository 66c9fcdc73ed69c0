/**
 * Equal as data: the same values, whatever the order of object keys, with a property whose value
 * is undefined taken as absent — as JSON and DynamoDB keep it. A fact read back from DynamoDB
 * comes in its own key order, so every comparison of stored data goes through this one.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((value, i) => sameData(value, b[i]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const left = definedEntries(a);
  const right = new Map(definedEntries(b));
  return left.length === right.size && left.every(([key, value]) => right.has(key) && sameData(value, right.get(key)));
}

const definedEntries = (value: object): [string, unknown][] => Object.entries(value).filter(([, v]) => v !== undefined);
