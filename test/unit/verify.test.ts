import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/media/ffmpeg.js';
import { parseLoudness } from '../../src/media/soundtrack.js';
import type { Timeline } from '../../src/media/timeline.js';
import { expectRender, parseBlack, parseSilence, renderProblems } from '../../src/media/verify.js';

/**
 * The render check's reading, over what ffprobe and the check's analysis pass really printed for a short
 * render (test/helpers/render-check.ts) and for that render broken four ways.
 */

interface Capture {
  timeline: Timeline;
  probe: ProbeResult;
  analysis: string;
}
const load = (name: string): Capture => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/render-check', `${name}.json`), 'utf8'));
const size = { width: 640, height: 360 };
const problems = (c: Capture) => renderProblems(expectRender(c.timeline, size), c.probe, c.analysis);
// where the broken renders were broken: one to four seconds into the first scene's narration
const broken = (c: Capture) => [c.timeline.scenes[0].narrationStart + 1, c.timeline.scenes[0].narrationStart + 4];

describe('render check: reading real ffmpeg output', () => {
  it('passes a good render, with or without the music bed', () => {
    const good = load('good');
    expect(problems(good)).toEqual([]);
    expect(problems(load('no-music-good'))).toEqual([]);
    // the last summary is the file's (ffmpeg 5 prints an empty one when it sets the graph up)
    const l = parseLoudness(good.analysis);
    expect(good.analysis.match(/Summary:/g)).toHaveLength(2);
    expect(Math.abs(l.integrated + 14)).toBeLessThanOrEqual(1);
    expect(l.truePeak).toBeLessThanOrEqual(-1.5);
    expect(parseBlack(good.analysis)).toEqual([]);
  });

  it('finds the silences of a render without music only over the cards, where there is no narration', () => {
    const c = load('no-music-good');
    const quiet = parseSilence(c.analysis, c.timeline.total);
    expect(quiet.length).toBeGreaterThanOrEqual(1);
    const intro = c.timeline.segments[0];
    const outro = c.timeline.segments.at(-1)!;
    for (const s of quiet) expect(s.end <= c.timeline.scenes[0].narrationStart + 0.05 || s.start >= outro.start - 1).toBe(true);
    expect(quiet[0].start).toBe(0);
    expect(quiet[0].end).toBeGreaterThan(intro.end - 1);
  });

  it('fails a silent stretch inside a scene, saying where', () => {
    const c = load('silent-stretch');
    const [a, b] = broken(c);
    const [s] = parseSilence(c.analysis, c.timeline.total);
    expect(Math.abs(s.start - a)).toBeLessThan(0.05);
    expect(Math.abs(s.end - b)).toBeLessThan(0.05);
    expect(problems(c)).toEqual([`silent ${a.toFixed(1)}-${b.toFixed(1)} s during the narration of scene 1`]);
  });

  it('fails a black stretch inside a scene, to the frame', () => {
    const c = load('black-in-scene');
    const [a, b] = broken(c);
    const [black] = parseBlack(c.analysis);
    expect(Math.abs(black.start - a)).toBeLessThanOrEqual(1 / 30);
    expect(Math.abs(black.end - b)).toBeLessThanOrEqual(1 / 30);
    expect(problems(c)).toEqual([`black ${black.start.toFixed(1)}-${black.end.toFixed(1)} s in scene 1`]);
  });

  it('fails audio that stops half-way and a file cut short', () => {
    expect(problems(load('short-audio'))).toEqual(['audio 10.2 s, timeline 20.3 s']);
    const short = problems(load('short-file'));
    expect(short.slice(0, 3)).toEqual(['duration 5.1 s, timeline 20.3 s', 'video 5.1 s, timeline 20.3 s', 'audio 5.0 s, timeline 20.3 s']);
  });
});

describe('render check: the verdict', () => {
  const good = load('good');
  const want = expectRender(good.timeline, size);
  const streams = good.probe.streams;
  const video = streams.find((s) => s.codec_type === 'video')!;
  const audio = streams.find((s) => s.codec_type === 'audio')!;

  it('lets the title and end cards be black, and their crossfades', () => {
    const [intro, outro] = [good.timeline.segments[0], good.timeline.segments.at(-1)!];
    const dark = `black_start:0 black_end:${intro.end - 0.1} black_duration:1\nblack_start:${outro.start + 0.05} black_end:${outro.end}\n`;
    expect(renderProblems(want, good.probe, good.analysis + dark)).toEqual([]);
    const over = `black_start:0 black_end:${intro.end + 0.5}\n`;
    expect(renderProblems(want, good.probe, good.analysis + over)).toEqual([`black 0.0-${(intro.end + 0.5).toFixed(1)} s in scene 1`]);
  });

  it('names a silence running to the end of the file and every scene it covers', () => {
    const t = good.timeline.scenes[0].narrationStart + 2;
    expect(renderProblems(want, good.probe, `${good.analysis}\n[silencedetect @ 0x1] silence_start: ${t}\n`)).toEqual([`silent ${t.toFixed(1)}-20.3 s during the narration of scene 1-2`]);
  });

  it('names the wrong stream, size, rate, loudness and missing streams', () => {
    const wrong = { ...good.probe, streams: [{ ...video, codec_name: 'hevc', width: 1280, height: 720, r_frame_rate: '25/1' }, { ...audio, sample_rate: '44100', channels: 1 }] };
    expect(renderProblems(want, wrong, good.analysis)).toEqual([
      'video codec hevc, expected h264',
      'video 1280x720, expected 640x360',
      'video at 25/1 fps, expected 30',
      'audio aac 44100 Hz 1 channels, expected aac 48000 Hz 2 channels',
    ]);
    const loud = good.analysis.replace(/I:\s+-14\.\d LUFS(?![\s\S]*Summary:)/, 'I:         -11.2 LUFS').replace(/Peak:\s+-1\.9 dBFS(?![\s\S]*Summary:)/, 'Peak:       -0.4 dBFS');
    expect(renderProblems(want, good.probe, loud)).toEqual(['loudness -11.2 LUFS, expected -14 ± 1', 'true peak -0.4 dBTP, over -1.5']);
    expect(renderProblems(want, { ...good.probe, streams: [video] }, '')).toEqual(['0 audio streams, expected 1']);
  });
});
