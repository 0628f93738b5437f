// `npm run bench`: placeholder until the benchmark suite of issue 5 lands.
console.error('The benchmark suite is not built yet (issue 5); BENCHMARKS.md has no results.');
process.exit(1);
