/**
 * The layering of STYLE.md, enforced by `npm test` (npm run lint:layers):
 * domain ← services ← adapters / http ← functions; #lib/ outside lib/, relative imports inside. Run `npx depcruise lib functions` to see a violation explained.
 */
const AWS_AND_TRANSPORT = '^(node_modules/)?(@aws-sdk|@smithy|@middy|aws-lambda|@types/aws-lambda)(/|$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'lib/domain holds pure rules: it imports only itself, zod and Node built-ins.',
      severity: 'error',
      from: { path: '^lib/domain/' },
      to: { pathNot: ['^lib/domain/', '^(node_modules/)?zod(/|$)', '^node:'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'services-know-no-aws',
      comment: 'lib/services are use cases behind ports: no AWS SDK, middy, Lambda types, adapters or HTTP.',
      severity: 'error',
      from: { path: '^lib/services/' },
      to: { path: [AWS_AND_TRANSPORT, '^lib/(adapters|http)/', '^functions/'] },
    },
    {
      name: 'lib-never-imports-functions-scripts-or-tests',
      comment: 'functions/ wire lib; lib never reaches back into a function, a script or a test.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(functions|scripts|test|bench)/' },
    },
    {
      name: 'handlers-are-wiring',
      comment: 'functions/<name>/handler.ts wires lib (through #lib/) and its own routes: no rules, no AWS clients of its own.',
      severity: 'error',
      from: { path: '^functions/[^/]+/handler\\.ts$' },
      to: { path: ['^(node_modules/)?(@aws-sdk|@smithy)(/|$)', '^lib/domain/(?!errors\\.ts$)[^/]+$'] },
    },
    {
      name: 'functions-stay-apart',
      comment: 'One function never imports another function\'s files; shared code lives in lib/.',
      severity: 'error',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: '^functions/$1/' },
    },
    {
      name: 'functions-reach-lib-through-the-alias',
      comment: 'Outside lib/, lib is imported as #lib/… (package.json "imports"), never by a relative path.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^lib/', dependencyTypesNot: ['aliased-subpath-import'] },
    },
    {
      name: 'lib-imports-itself-relatively',
      comment: 'Inside lib/, imports are relative: the #lib/ alias is for the code outside it.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { dependencyTypes: ['aliased-subpath-import'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(lib|functions)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], mainFields: ['module', 'main', 'types'] },
  },
};
