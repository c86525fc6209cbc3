/**
 * Pipeline benchmark: one story from script to metadata through the real Google clients against
 * loopback fakes that answer with a model's latency (BENCH_IMAGE_SECONDS per still, default 4;
 * BENCH_TEXT_SECONDS per text call, default 6; BENCH_SPEECH_SECONDS per narration request, default 1).
 * Prints the wall time beside the sum of all calls (everything one after another) and the critical path
 * (see `criticalPath` in test/fakes/story.ts: the script's calls, then the stills at their concurrency
 * beside the narration, then the metadata call), measured in the same run, and whether the wall time is
 * within 1.2x of it. `--trace` also prints when each stage's job was queued, started and finished, and
 * every call's span, in seconds since the story started.
 * BENCH_SCENES (default 12), BENCH_SCENE_CONCURRENCY (default 4), BENCH_IMAGE_CONCURRENCY (default 4).
 */
import { timeStory } from '../test/fakes/story.js';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);

const opts = {
  scenes: num('BENCH_SCENES', 12),
  imageSeconds: num('BENCH_IMAGE_SECONDS', 4),
  textSeconds: num('BENCH_TEXT_SECONDS', 6),
  speechSeconds: num('BENCH_SPEECH_SECONDS', 1),
  sceneConcurrency: num('BENCH_SCENE_CONCURRENCY', 4),
  imageConcurrency: num('BENCH_IMAGE_CONCURRENCY', 4),
};
const t = await timeStory(opts);
const f = (s: number) => `${s.toFixed(2)}s`;
console.log(`pipeline: ${t.scenes} scenes, stills ${opts.imageSeconds}s each, text calls ${opts.textSeconds}s, narration requests ${opts.speechSeconds}s; sceneConcurrency ${opts.sceneConcurrency}, google.concurrency.image ${opts.imageConcurrency}`);
console.log(`  calls            ${t.calls.length} (${t.calls.filter((c) => c.kind === 'image').length} stills, ${t.calls.filter((c) => c.kind === 'speech').length} narration requests, ${t.calls.filter((c) => c.kind === 'text').length} text)`);
console.log(`  wall time        ${f(t.wallSeconds)}`);
console.log(`  sum of calls     ${f(t.sumOfCallsSeconds)}  (wall / sum = ${(t.wallSeconds / t.sumOfCallsSeconds).toFixed(2)})`);
const ratio = t.wallSeconds / t.criticalPathSeconds;
console.log(`  critical path    ${f(t.criticalPathSeconds)}  (wall / critical path = ${ratio.toFixed(2)}; the formula before stages overlapped gave ${f(t.oldCriticalPathSeconds)}, wall / that = ${(t.wallSeconds / t.oldCriticalPathSeconds).toFixed(2)})`);
console.log(`  target: wall within 1.2x of the critical path -> ${ratio <= 1.2 ? 'met' : 'NOT met'}`);
console.log(`  in flight at most: ${t.maxImagesInFlight} stills, ${t.maxNarrationsInFlight} narrations`);
console.log(`  ledger           $${t.costUsd.toFixed(4)} at the built-in prices (the fakes' token counts, ${t.narrationCharacters} narration characters)`);
if (process.argv.includes('--trace')) {
  const span = (a: number, b: number) => `${a.toFixed(2).padStart(6)} -> ${b.toFixed(2).padStart(6)}`;
  console.log('  stages (queued, running from -> to, seconds since the story started)');
  for (const s of t.stages) console.log(`    ${s.type.padEnd(20)} queued ${s.queued.toFixed(2).padStart(6)}  ran ${span(s.start, s.end)}`);
  console.log('  calls');
  for (const c of t.calls) console.log(`    ${c.kind.padEnd(7)} ${span(c.start, c.end)}`);
}
