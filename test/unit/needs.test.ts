import { describe, expect, it } from 'vitest';
import { PIPELINE, type StageJob, doneStages, needsOf, readyStages, statusOf, withDependents } from '../../src/stages/index.js';

/** Which stages of a story may run side by side, read from its jobs (pure). */

const stage = (type: string) => PIPELINE.find((s) => s.type === type)!;
let id = 0;
const job = (type: string, status = 'completed'): StageJob => ({ id: ++id, type, status });
const types = (stages: readonly { type: string }[]) => stages.map((s) => s.type);

describe('stage needs', () => {
  it('narration needs only the script; subtitles the narration; metadata the stills and the narration; render and upload everything before', () => {
    expect(needsOf(PIPELINE, stage('generate_images'))).toEqual(['generate_script']);
    expect(needsOf(PIPELINE, stage('generate_audio'))).toEqual(['generate_script']);
    expect(needsOf(PIPELINE, stage('generate_subtitles'))).toEqual(['generate_audio']);
    expect(needsOf(PIPELINE, stage('generate_metadata'))).toEqual(['generate_images', 'generate_audio']);
    expect(needsOf(PIPELINE, stage('render_video'))).toEqual(types(PIPELINE.slice(0, 5)));
    expect(needsOf(PIPELINE, stage('upload_youtube'))).toEqual(types(PIPELINE.slice(0, 6)));
    // a need is always an earlier stage: none is dropped
    for (const s of PIPELINE) expect(needsOf(PIPELINE, s)).toHaveLength(s.needs?.length ?? PIPELINE.indexOf(s));
  });

  it('a need outside a shortened pipeline does not count', () => {
    const two = [stage('generate_script'), stage('generate_metadata')];
    expect(needsOf(two, two[1])).toEqual([]);
  });

  it('once the script is done, the stills and the narration start together; the status shows the first stage not done', () => {
    const jobs = [job('generate_script')];
    const done = doneStages(PIPELINE, jobs);
    expect(types(readyStages(PIPELINE, done, new Set()))).toEqual(['generate_images', 'generate_audio']);
    expect(statusOf(PIPELINE, done)).toBe('generating_images');
    jobs.push(job('generate_images', 'processing'), job('generate_audio'), job('generate_subtitles'));
    const later = doneStages(PIPELINE, jobs);
    expect(statusOf(PIPELINE, later)).toBe('generating_images');
    // the metadata waits for the stills
    expect(readyStages(PIPELINE, later, new Set(['generate_images']))).toEqual([]);
    jobs[1] = { ...jobs[1], status: 'completed' };
    const all = doneStages(PIPELINE, jobs);
    expect(types(readyStages(PIPELINE, all, new Set()))).toEqual(['generate_metadata']);
    expect(statusOf(PIPELINE, all)).toBe('generating_metadata');
    expect(statusOf(PIPELINE, new Set(types(PIPELINE) as never))).toBe('published');
  });

  it('a stage redone makes what needs it undone and keeps the rest', () => {
    const jobs = types(PIPELINE).map((t) => job(t));
    expect(doneStages(PIPELINE, jobs).size).toBe(PIPELINE.length);
    jobs.push(job('generate_images', 'queued'));
    expect([...doneStages(PIPELINE, jobs)]).toEqual(['generate_script', 'generate_audio', 'generate_subtitles']);
    expect(types(withDependents(PIPELINE, 'generate_images'))).toEqual(['generate_images', 'generate_metadata', 'render_video', 'upload_youtube']);
    expect(types(withDependents(PIPELINE, 'generate_audio'))).toEqual(types(PIPELINE.slice(2)));
  });
});
