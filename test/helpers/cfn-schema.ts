import { createRequire } from 'node:module';

type TypeSpec = { type: string; element?: TypeSpec; types?: TypeSpec[]; reference?: { $ref: string } };
type PropertySpec = { type: TypeSpec; required?: boolean };
type Spec = { properties: Record<string, PropertySpec>; attributes: Record<string, unknown> };
type Db = {
  lookup(kind: 'resource', key: 'cloudFormationType', op: 'equals', value: string): { only(): Spec } & Spec[];
  get(kind: 'typeDefinition', id: string): Spec;
};

/** Current CloudFormation resource schemas, from @aws-cdk/aws-service-spec. */
const db: Db = createRequire(import.meta.url)('@aws-cdk/aws-service-spec').loadAwsServiceSpecSync();

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>; Parameters?: Record<string, unknown> };

/**
 * Checks a template against the schemas: every resource type exists, every property is known
 * and of its type (nested definitions included), required properties are present, and every
 * Ref / Fn::GetAtt / ${…} in Fn::Sub names a resource (and attribute) that exists.
 */
export function validateTemplate(template: Template): string[] {
  const errors: string[] = [];
  const specs = new Map<string, Spec>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const found = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (found.length !== 1) errors.push(`${id}: unknown resource type ${resource.Type}`);
    else specs.set(id, found.only());
  }
  const refExists = (name: string) => name.startsWith('AWS::') || name in template.Resources || name in (template.Parameters ?? {});
  const getAttExists = (id: string, attribute: string) => specs.has(id) && attribute in specs.get(id)!.attributes;

  const checkIntrinsic = (value: Record<string, unknown>, path: string): boolean => {
    const [key] = Object.keys(value);
    if (Object.keys(value).length !== 1 || !key || !(key === 'Ref' || key.startsWith('Fn::'))) return false;
    const arg = value[key];
    if (key === 'Ref' && !refExists(String(arg))) errors.push(`${path}: Ref to unknown ${String(arg)}`);
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
      if (!getAttExists(String(id), String(attribute))) errors.push(`${path}: GetAtt ${String(id)}.${String(attribute)} does not exist`);
    }
    if (key === 'Fn::Sub') {
      const text = Array.isArray(arg) ? String(arg[0]) : String(arg);
      const locals = Array.isArray(arg) ? Object.keys((arg[1] as object) ?? {}) : [];
      for (const [, name] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const [id, attribute] = name!.split(/\.(.*)/);
        if (locals.includes(name!)) continue;
        if (attribute ? !getAttExists(id!, attribute) : !refExists(id!)) errors.push(`${path}: Fn::Sub names unknown \${${name}}`);
      }
    }
    return true;
  };

  /** Free-form JSON (policy documents, …): no schema, but references inside must still resolve. */
  const walkJson = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return;
    if (!Array.isArray(value) && checkIntrinsic(value as Record<string, unknown>, path)) return;
    for (const [key, inner] of Object.entries(value)) walkJson(inner, `${path}.${key}`);
  };

  const checkValue = (type: TypeSpec, value: unknown, path: string): string[] => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && checkIntrinsic(value as Record<string, unknown>, path)) return [];
    switch (type.type) {
      case 'json':
        walkJson(value, path);
        return [];
      case 'string':
      case 'date-time':
        return ['string', 'number', 'boolean'].includes(typeof value) ? [] : [`${path}: expected a string`];
      case 'number':
      case 'integer':
        return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) ? [] : [`${path}: expected a number`];
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : [`${path}: expected a boolean`];
      case 'array':
        return Array.isArray(value) ? value.flatMap((item, i) => checkValue(type.element!, item, `${path}[${i}]`)) : [`${path}: expected a list`];
      case 'map':
        return typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([k, v]) => checkValue(type.element!, v, `${path}.${k}`)) : [`${path}: expected a map`];
      case 'union': {
        const attempts = type.types!.map((option) => checkValue(option, value, path));
        return attempts.some((a) => a.length === 0) ? [] : attempts[0]!;
      }
      case 'ref':
        return checkObject(db.get('typeDefinition', type.reference!.$ref), value, path);
      default:
        return [];
    }
  };

  const checkObject = (spec: Spec, value: unknown, path: string): string[] => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object`];
    const problems: string[] = [];
    for (const [name, property] of Object.entries(spec.properties)) {
      if (property.required && !(name in value)) problems.push(`${path}.${name}: required`);
    }
    for (const [name, inner] of Object.entries(value)) {
      const property = spec.properties[name];
      if (!property) problems.push(`${path}.${name}: unknown property`);
      else problems.push(...checkValue(property.type, inner, `${path}.${name}`));
    }
    return problems;
  };

  for (const [id, resource] of Object.entries(template.Resources)) {
    const spec = specs.get(id);
    if (spec) errors.push(...checkObject(spec, resource.Properties ?? {}, id));
  }
  return errors;
}
