// One cold start: a fresh Node process imports a built bundle and handles its first event.
// Plain JavaScript, run by plain `node`, so no loader stands between the clock and the bundle.
const started = performance.now();
const bundle = await import(process.argv[2]);
const imported = performance.now();
const response = await bundle.handler(JSON.parse(process.env.BENCH_EVENT), {
  functionName: 'bench',
  awsRequestId: 'cold-start',
  getRemainingTimeInMillis: () => 6000,
});
const handled = performance.now();
process.stdout.write(JSON.stringify({ importMs: imported - started, firstEventMs: handled - started, statusCode: response?.statusCode }));
