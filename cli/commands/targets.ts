import { InvalidArgumentError } from 'commander';

export type Target = { type: string; id: string };

/** `course:fotografia` → {type: course, id: fotografia} (the API checks the type and the id). */
export function parseTarget(value: string): Target {
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1) throw new InvalidArgumentError(`"${value}" is not <type>:<id> (e.g. course:fotografia, class:turma-2026-1, plan:anual)`);
  return { type: value.slice(0, at), id: value.slice(at + 1) };
}

/** A repeatable `--target`. */
export const collectTarget = (value: string, previous: Target[] = []) => [...previous, parseTarget(value)];

export const targetText = (targets: Target[] | null | undefined) => (targets ? targets.map((t) => `${t.type}:${t.id}`).join(', ') : '-');
