import { describe, expect, it } from 'vitest';
import { IMAGE_USAGE } from '../fakes/gemini.js';
import { timeStory } from '../fakes/story.js';

/** A story through the real Google clients and loopback fakes with a model's latency: scenes overlap. */

describe('pipeline with the Google providers', () => {
  it('draws and narrates scenes concurrently, up to the configured limits', async () => {
    const t = await timeStory({ scenes: 8, imageSeconds: 2, textSeconds: 0.3, speechSeconds: 0.3, sceneConcurrency: 4, imageConcurrency: 3 });
    expect(t.status).toBe('published'); // the truncated pipeline ends after metadata
    expect(t.scenes).toBe(8);
    expect(t.calls.filter((c) => c.kind === 'image')).toHaveLength(8);
    // 4 scenes at once, but never more than google.concurrency.image stills in flight
    expect(t.maxImagesInFlight).toBe(3);
    expect(t.maxNarrationsInFlight).toBe(4);
    // every call was made, and the stills overlapped (the in-flight counts above); how much wall time that
    // saves is the benchmark's business (bench/pipeline), not a timed test's on a busy machine
    expect(t.sumOfCallsSeconds).toBeGreaterThan(8 * 2 + 2 * 0.3 + 8 * 0.3 - 0.1);
    // the critical path is a floor: three waves of stills cannot be drawn in less than the stills' time over 3
    expect(t.wallSeconds).toBeGreaterThanOrEqual(t.criticalPathSeconds);
    // the ledger: script and metadata (1200 tokens in, 2400 out each), the script's 3 Google searches at $14 a
    // thousand, the claims check (3000 in, 900 out), eight stills (and their thinking at $3 a million), the narration's characters
    const expected = 2 * (1200 * 1.5 + 2400 * 7.5) / 1e6 + 3 * 0.014 + (3000 * 1.5 + 900 * 7.5) / 1e6 + 8 * (0.067 + (60 * 0.5 + IMAGE_USAGE.thoughts * 3) / 1e6) + (t.narrationCharacters * 16) / 1e6;
    expect(t.narrationCharacters).toBeGreaterThan(8 * 80);
    expect(t.costUsd).toBeCloseTo(expected, 9);
  });

  it('records the narration while the stills are drawn, and writes the metadata once both are done', async () => {
    const t = await timeStory({ scenes: 8, imageSeconds: 1, textSeconds: 0.1, speechSeconds: 0.1, sceneConcurrency: 4, imageConcurrency: 4 });
    expect(t.status).toBe('published');
    const of = (kind: string) => t.calls.filter((c) => c.kind === kind);
    const [writer, claims, metadata] = of('text');
    const stillsEnd = Math.max(...of('image').map((c) => c.end));
    const narrationEnd = Math.max(...of('speech').map((c) => c.end));
    // both start once the script is checked
    expect(Math.min(...of('image').map((c) => c.start))).toBeGreaterThanOrEqual(claims.end);
    expect(Math.min(...of('speech').map((c) => c.start))).toBeGreaterThanOrEqual(writer.end);
    // the first narration request is made before the last still is back: the audio stage does not wait for the images stage
    expect(Math.min(...of('speech').map((c) => c.start))).toBeLessThan(stillsEnd);
    const stage = (type: string) => t.stages.find((s) => s.type === type)!;
    expect(stage('generate_audio').start).toBeLessThan(stage('generate_images').end);
    // the metadata's chapters come from the narration and its credits from the stills: it waits for both
    expect(metadata.start).toBeGreaterThanOrEqual(Math.max(stillsEnd, narrationEnd));
    expect(stage('generate_metadata').start).toBeGreaterThanOrEqual(Math.max(stage('generate_images').end, stage('generate_audio').end));
  });
});
