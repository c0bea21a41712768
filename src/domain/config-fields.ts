import type { ZodTypeAny } from 'zod';

/** How the admin UI renders and reads one channel config key (GET /api/channel-kinds). */
export type ConfigFieldType = 'string' | 'secret' | 'list' | 'enum' | 'number';

export interface ConfigField {
  name: string;
  /** zh-CN first, with the platform's own term where admins look for it in the platform console. */
  label: string;
  type: ConfigFieldType;
  required: boolean;
  options?: string[];
  help?: string;
}

export interface FieldText {
  label: string;
  help?: string;
}

/**
 * Describes a config schema's keys for forms, so the names, types, options and required-ness come
 * from the schema that validates the config and cannot drift from it; only the texts are written
 * by hand (`texts` is keyed by the schema's own keys). Reads zod's definitions by type name, so
 * the domain stays free of runtime imports.
 */
export function describeConfigFields<K extends string>(schema: ZodTypeAny, secretFields: readonly string[], texts: Record<K, FieldText>): ConfigField[] {
  const shape = objectShape(schema);
  return Object.entries(shape).map(([name, field]) => {
    const { inner, required } = unwrapOptional(field);
    const type: ConfigFieldType = secretFields.includes(name) ? 'secret' : fieldType(inner);
    const text = (texts as Record<string, FieldText | undefined>)[name] ?? { label: name };
    const options = type === 'enum' ? enumOptions(inner) : undefined;
    return { name, label: text.label, type, required, ...(options ? { options } : {}), ...(text.help ? { help: text.help } : {}) };
  });
}

type Def = { typeName?: string; [key: string]: unknown };
const defOf = (schema: ZodTypeAny): Def => schema._def as Def;

function objectShape(schema: ZodTypeAny): Record<string, ZodTypeAny> {
  let current = schema;
  // A `.transform()` (defaults derived from other keys) wraps the object it checks.
  while (defOf(current).typeName === 'ZodEffects') current = defOf(current).schema as ZodTypeAny;
  if (defOf(current).typeName !== 'ZodObject') throw new Error('describeConfigFields needs an object schema');
  return (defOf(current).shape as () => Record<string, ZodTypeAny>)();
}

/** Optional and defaulted keys may be left out of a config. */
function unwrapOptional(schema: ZodTypeAny): { inner: ZodTypeAny; required: boolean } {
  let current = schema;
  let required = true;
  for (;;) {
    const def = defOf(current);
    if (def.typeName === 'ZodOptional' || def.typeName === 'ZodDefault' || def.typeName === 'ZodNullable') {
      required = false;
      current = def.innerType as ZodTypeAny;
    } else if (def.typeName === 'ZodEffects') {
      current = def.schema as ZodTypeAny;
    } else {
      return { inner: current, required };
    }
  }
}

function fieldType(schema: ZodTypeAny): ConfigFieldType {
  const def = defOf(schema);
  switch (def.typeName) {
    case 'ZodArray': return 'list';
    case 'ZodEnum': return 'enum';
    case 'ZodNumber': return 'number';
    // What a pipeline yields is what the config holds (a number typed as text is still a number).
    case 'ZodPipeline': return fieldType(def.out as ZodTypeAny);
    case 'ZodEffects': return fieldType(def.schema as ZodTypeAny);
    case 'ZodOptional': case 'ZodDefault': case 'ZodNullable': return fieldType(def.innerType as ZodTypeAny);
    default: return 'string';
  }
}

function enumOptions(schema: ZodTypeAny): string[] | undefined {
  const values = defOf(schema).values;
  return Array.isArray(values) ? values.map(String) : undefined;
}
