import { InvalidArgumentsError, type ArgumentIssue } from '../errors/invalid-arguments.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { type DtoClass, validateDto } from './dto-validation.js';
import { isStandardSchema, type StandardIssue, type StandardSchema } from './standard-schema.js';

/** One argument's schema: a Standard Schema validator (zod 4, valibot, …) or a class-validator DTO class. */
export type ArgumentSchema = StandardSchema | DtoClass;

/** `@Task({ schema })`: one schema for the first argument, or one per argument (`null` skips one). */
export type ArgumentSchemaOption = ArgumentSchema | readonly (ArgumentSchema | null)[];

/**
 * A task's argument schemas, ready to run. `parse` resolves with the arguments the method receives
 * (each schema's output: defaults applied, values coerced, DTO instances built) or rejects with an
 * {@link InvalidArgumentsError} listing every issue with its path (`args[0].customer.email`).
 */
export class ArgumentSchemas {
  private constructor(
    private readonly task: string,
    private readonly schemas: readonly (ArgumentSchema | null)[],
  ) {}

  /** Checks the option at bootstrap; a value that is no schema is a {@link TaskDefinitionError}. */
  static compile(task: string, option: ArgumentSchemaOption, where: string): ArgumentSchemas {
    const schemas = Array.isArray(option)
      ? (option as (ArgumentSchema | null)[])
      : [option as ArgumentSchema];
    schemas.forEach((schema, index) => {
      if (schema === null || isStandardSchema(schema) || typeof schema === 'function') return;
      throw new TaskDefinitionError(
        `${where}: schema${Array.isArray(option) ? `[${index}]` : ''} is neither a zod (Standard Schema) ` +
          `schema nor a class-validator DTO class`,
      );
    });
    return new ArgumentSchemas(task, schemas);
  }

  async parse(args: readonly unknown[]): Promise<unknown[]> {
    const parsed = [...args];
    const issues: ArgumentIssue[] = [];
    await Promise.all(
      this.schemas.map(async (schema, index) => {
        if (schema === null) return;
        const outcome = await validateOne(schema, args[index], `args[${index}]`);
        if ('issues' in outcome) issues.push(...outcome.issues);
        else if (index < args.length || outcome.value !== undefined) parsed[index] = outcome.value;
      }),
    );
    if (issues.length > 0) throw new InvalidArgumentsError(this.task, sortByPath(issues));
    return parsed;
  }
}

async function validateOne(
  schema: ArgumentSchema,
  value: unknown,
  path: string,
): Promise<{ value: unknown } | { issues: ArgumentIssue[] }> {
  if (!isStandardSchema(schema)) return validateDto(schema, value, path);
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return { value: result.value };
  return { issues: result.issues.map((issue) => ({ path: pathOf(path, issue), message: issue.message })) };
}

function pathOf(root: string, issue: StandardIssue): string {
  let path = root;
  for (const segment of issue.path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    path += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return path;
}

/** Issues of argument 0 before those of argument 1, whatever order the validators finished in. */
function sortByPath(issues: ArgumentIssue[]): ArgumentIssue[] {
  const index = (issue: ArgumentIssue): number => Number(/^args\[(\d+)\]/.exec(issue.path)?.[1] ?? 0);
  return [...issues].sort((a, b) => index(a) - index(b));
}
