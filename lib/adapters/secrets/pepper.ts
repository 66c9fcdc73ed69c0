import type { PepperSource } from '../../services/ports.ts';

/**
 * The pepper of a local run (tests, `npm start`): fixed and public, so it protects nothing — it
 * only lets the same code hash tokens without AWS. A deployed stage reads its own secret instead.
 */
export const LOCAL_DEVELOPMENT_PEPPER = 'hotmart-enrollments local development pepper: not a secret';

/** The local stand-in of the pepper port. */
export const localPepperSource: PepperSource = async () => Buffer.from(LOCAL_DEVELOPMENT_PEPPER, 'utf8');

/** The stage's pepper source, read once per container. */
export function pepperSourceFor(): PepperSource {
  let pepper: Promise<Buffer> | undefined;
  return () => {
    pepper ??= localPepperSource().catch((error: unknown) => {
      pepper = undefined;
      throw error;
    });
    return pepper;
  };
}
