// One fresh process: import a bundle, write its first lines (cold), then LINES more (per line).
const started = performance.now();
const bundle = await import(process.argv[2]);
const imported = performance.now();
bundle.line(0);
const first = performance.now();
const lines = Number(process.env.BENCH_LINES ?? 20000);
const warm = performance.now();
for (let i = 1; i <= lines; i++) bundle.line(i);
const done = performance.now();
process.stderr.write(JSON.stringify({ importMs: imported - started, firstLineMs: first - started, perLineUs: ((done - warm) * 1000) / lines }));
