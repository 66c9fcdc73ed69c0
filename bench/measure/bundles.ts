/**
 * Bundles, built with the esbuild options serverless.yml packages the functions with
 * (custom.esbuild), sizes from the esbuild metafile. "deployed" is exactly that build; "external"
 * leaves the whole AWS SDK out (what a Lambda runtime's SDK would serve), for comparison.
 */
import { mkdirSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { readServerlessYml } from '../../scripts/local/tables.ts';
import { root } from './stack.ts';

export type Build = 'deployed' | 'external' | 'secrets-manager-inside';
export type BundleName = 'webhook' | 'mappings' | 'enrollments' | 'baseline' | 'floor' | 'peer';
export type Bundle = { name: BundleName; build: Build; file: string; bytes: number; zodLocales: string[]; zodLocaleBytes: number };
export type BundleFigures = {
  bundles: Bundle[];
  /** serverless.yml's `custom.esbuild.exclude`: what the deployed build leaves to Lambda's runtime. */
  excluded: string[];
  of(name: BundleName, build: Build): Bundle;
};

const ENTRIES: Record<BundleName, string> = {
  webhook: 'functions/webhook/handler.ts',
  mappings: 'functions/mappings/handler.ts',
  enrollments: 'functions/enrollments/handler.ts',
  baseline: 'bench/baseline.ts',
  floor: 'bench/floor-cold.ts',
  peer: 'bench/peer/handler.ts',
};
const out = `${root}.bench`;

async function build(name: BundleName, kind: Build, options: any): Promise<Bundle> {
  const file = `${out}/${name}.${kind}.mjs`;
  const external =
    kind === 'external' ? ['@aws-sdk/*'] : kind === 'secrets-manager-inside' ? options.exclude.filter((x: string) => x !== '@aws-sdk/client-secrets-manager') : options.exclude;
  const result = await esbuild.build({
    entryPoints: [`${root}${ENTRIES[name]}`],
    outfile: file,
    bundle: true,
    minify: options.minify,
    target: options.target,
    platform: options.platform,
    format: options.format,
    mainFields: options.mainFields,
    banner: options.banner,
    external,
    metafile: true,
    logLevel: 'error',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const locales = Object.entries(output.inputs).filter(([input, { bytesInOutput }]) => /zod\/.*locales\//.test(input) && bytesInOutput > 0);
  return {
    name,
    build: kind,
    file,
    bytes: output.bytes,
    zodLocales: locales.map(([input]) => input.replace(/.*locales\//, '')),
    zodLocaleBytes: locales.reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0),
  };
}

export async function measureBundles(): Promise<BundleFigures> {
  mkdirSync(out, { recursive: true });
  const options = readServerlessYml().custom.esbuild;
  if ((options.exclude as string[]).some((x) => x === '@aws-sdk/*')) throw new Error('serverless.yml no longer bundles the SDK: bench/measure/bundles.ts must follow');
  const bundles: Bundle[] = [];
  for (const kind of ['deployed', 'external'] as const) {
    for (const name of Object.keys(ENTRIES) as BundleName[]) bundles.push(await build(name, kind, options));
  }
  // The webhook with the Secrets Manager client (the pepper's) inside, to show what leaving it to Lambda's runtime saves.
  bundles.push(await build('webhook', 'secrets-manager-inside', options));
  const of = (name: BundleName, kind: Build) => bundles.find((b) => b.name === name && b.build === kind)!;
  return { bundles, excluded: options.exclude, of };
}
