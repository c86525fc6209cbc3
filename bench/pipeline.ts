/**
 * Pipeline benchmark: one story from script to metadata through the real Google clients against
 * loopback fakes that answer with a model's latency (BENCH_IMAGE_SECONDS per still, default 4;
 * BENCH_TEXT_SECONDS per text call, default 6; BENCH_SPEECH_SECONDS per narration request, default 1).
 * Prints the wall time beside the sum of all calls (everything one after another) and the critical path
 * (script, slowest still, slowest narration, metadata), measured in the same run.
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
console.log(`  critical path    ${f(t.criticalPathSeconds)}  (wall / critical path = ${(t.wallSeconds / t.criticalPathSeconds).toFixed(2)})`);
console.log(`  in flight at most: ${t.maxImagesInFlight} stills, ${t.maxNarrationsInFlight} narrations`);
console.log(`  ledger           $${t.costUsd.toFixed(4)} at the built-in prices (the fakes' token counts, ${t.narrationCharacters} narration characters)`);
