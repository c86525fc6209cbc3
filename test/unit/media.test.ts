import { describe, expect, it } from 'vitest';
import { PICTURES_PER_PART } from '../../src/media/parts.js';
import { planRender } from '../../src/media/render.js';
import { sceneMove } from '../../src/media/motion.js';
import type { FfmpegJob } from '../../src/media/ffmpeg.js';
import { buildMixJob, ceilingFor, normaliseFilter, parseLoudness, runSoundtrack } from '../../src/media/soundtrack.js';
import { voiceTrack } from '../../src/media/voice-track.js';
import { buildCues } from '../../src/media/cues.js';
import { cueSheet, escapeAss, escapeFilterValue, parseSrt, toAss, toSrt } from '../../src/media/subtitles.js';
import { buildTimeline, chapters, formatTimestamp } from '../../src/media/timeline.js';
import { encodeWav, parseWav, silence, wavSeconds } from '../../src/media/wav.js';
import { fitYouTubeLimits } from '../../src/stages/metadata.js';
import { splitSentences } from '../../src/text.js';
import { parseScriptMarkdown } from '../../src/providers/text/markdown.js';

describe('timeline', () => {
  it('places scenes back to back, overlapping by the transition, on whole frames', () => {
    const t = buildTimeline([3.0, 2.51, 4], { fps: 30, transition: 0.5, lead: 0.4, tail: 0.6 });
    expect(t.scenes[0].start).toBe(0);
    expect(t.scenes[1].start).toBeCloseTo(0.4 + 3 + 0.6 - 0.5, 9);
    expect(t.scenes[2].start).toBeCloseTo(3.5 + 0.4 + 76 / 30 + 0.6 - 0.5, 9);
    for (const s of t.scenes) {
      expect(Math.abs(s.start * 30 - Math.round(s.start * 30))).toBeLessThan(1e-9);
      expect(s.narrationStart).toBeCloseTo(s.start + 0.4, 9);
      expect(s.end - s.start).toBeCloseTo(s.length, 9);
    }
    // scene 2 is 0.4 + ceil(2.51 * 30) / 30 + 0.6 long
    expect(t.scenes[1].length).toBeCloseTo(0.4 + 76 / 30 + 0.6, 9);
    expect(t.total).toBeCloseTo(t.scenes[2].end, 9);
    expect(t.total).toBeCloseTo(t.scenes.reduce((n, s) => n + s.length, 0) - 2 * 0.5, 9);
  });

  it('gives every scene a frame of its own between its crossfades, even with no narration', () => {
    const t = buildTimeline([0, 0.01], { fps: 30, transition: 1, lead: 0, tail: 0 });
    for (const s of t.scenes) expect(Math.round(s.length * 30)).toBeGreaterThanOrEqual(2 * 30 + 1);
  });

  it('keeps the tail at least as long as the transition', () => {
    const t = buildTimeline([1, 1], { fps: 25, transition: 0.4, lead: 0, tail: 0.1 });
    expect(t.scenes[0].length).toBeCloseTo(1 + 0.4, 9);
  });

  it('formats chapter timestamps as YouTube reads them', () => {
    expect(formatTimestamp(0)).toBe('0:00');
    expect(formatTimestamp(65.9)).toBe('1:05');
    expect(formatTimestamp(3723)).toBe('1:02:03');
  });
});

describe('subtitles', () => {
  const timeline = buildTimeline([2, 3], { fps: 30, transition: 0.5, lead: 0.4, tail: 0.6 });
  const scenes = [
    { timings: [{ text: 'First sentence.', start: 0, end: 2 }] },
    {
      timings: [
        { text: 'A sentence long enough to need more than two lines of subtitles, so it is split into two cues here.', start: 0, end: 2 },
        { text: 'Short.', start: 2.3, end: 3 },
      ],
    },
  ];

  it('offsets sentence timings by each scene’s narration start and splits long sentences', () => {
    const cues = buildCues(scenes, timeline);
    // a short sentence is held long enough to read, into the pause after it
    expect(cues[0]).toEqual({ start: 0.4, end: 2.4, lines: ['First sentence.'] });
    expect(cues.length).toBe(4);
    const s2 = timeline.scenes[1].narrationStart;
    expect(cues[1].start).toBeCloseTo(Math.ceil(s2 * 100) / 100, 9);
    // spoken too fast to read in 2 s: held into the pause, up to the next cue
    expect(cues[2].end).toBe(cues[3].start);
    expect(cues[1].end).toBeLessThanOrEqual(cues[2].start);
    for (const c of cues.slice(1, 3)) {
      expect(c.lines.length).toBeLessThanOrEqual(2);
      expect(c.lines.every((l) => l.length <= 42)).toBe(true);
    }
    // "Short." is held for 0.8 s, though it is spoken in 0.7 s
    expect(cues[3].start).toBeCloseTo(s2 + 2.3, 2);
    expect(cues[3].end).toBeCloseTo(s2 + 2.3 + 0.8, 2);
  });

  it('writes SRT that reads back to the same cues', () => {
    const cues = buildCues(scenes, timeline);
    const srt = toSrt(cues);
    expect(srt.startsWith('1\n00:00:00,400 --> 00:00:02,400\nFirst sentence.\n')).toBe(true);
    const back = parseSrt(srt);
    expect(back.map((c) => c.lines)).toEqual(cues.map((c) => c.lines));
    back.forEach((c, i) => expect(Math.abs(c.start - cues[i].start)).toBeLessThan(0.0011));
  });

  it('escapes ASS override characters so any text is shown as written', () => {
    expect(escapeAss('a {\\b1} b')).toBe('a \\{\\\u2060b1\\} b');
    const ass = toAss([{ start: 1, end: 2, lines: ['50% of "quotes": {braces}', 'Ελληνικά 日本語'] }], { width: 1920, height: 1080, font: 'DejaVu Sans', size: 0.045 });
    expect(ass).toContain('Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,50% of "quotes": \\{braces\\}\\NΕλληνικά 日本語');
    expect(ass).toContain('PlayResX: 1920');
  });

  it('turns a script into one picture per cue, keeping each cue’s own time and the band its ink can reach', () => {
    const cues = [
      { start: 4.3, end: 6.9, lines: ['One, two: {three}'] },
      { start: 7.3, end: 9.9, lines: ['Four,', 'five'] },
    ];
    const ass = toAss(cues, { width: 1920, height: 1080, font: 'DejaVu Sans', size: 0.045 });
    const sheet = cueSheet(ass);
    expect(sheet.cues).toEqual([{ start: 4.3, end: 6.9 }, { start: 7.3, end: 9.9 }]);
    // cue i shows from second i to i + 1 of the sheet, its text (commas and all) unchanged
    expect(sheet.sheet).toContain('Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,One, two: \\{three\\}');
    expect(sheet.sheet).toContain('Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,Four,\\Nfive');
    expect(sheet.sheet.split('\n').filter((l) => !l.startsWith('Dialogue:'))).toEqual(ass.split('\n').filter((l) => !l.startsWith('Dialogue:')));
    // bottom-aligned, 49 px type, margin 65: two lines fit in a band well short of the frame
    const { y, height } = sheet.band;
    expect(y % 2 + (height % 2)).toBe(0);
    expect(y).toBeGreaterThan(1080 / 2);
    expect(y + height).toBeLessThanOrEqual(1080);
    expect(y + height).toBeGreaterThan(1080 - 65);
    expect(1080 - 65 - y).toBeGreaterThan(2 * 49);
    // a style we do not know the shape of gets the whole frame
    expect(cueSheet(ass.replace(/,2,65,65,65,-1$/m, ',8,65,65,65,-1')).band).toEqual({ y: 0, height: 1080 });
    expect(() => cueSheet('[Events]\n')).toThrow(/PlayResX/);
  });

  it('escapes file paths for filter graphs', () => {
    expect(escapeFilterValue("/tmp/it's: [a], b;c\\d")).toBe("/tmp/it\\\\\\'s\\\\: \\[a\\]\\, b\\;c\\\\\\\\d");
  });
});

describe('render graph', () => {
  const timeline = buildTimeline([2, 3, 1], { fps: 30, transition: 0.5, intro: 4, outro: 4 });

  const loudness = { integrated: -20, truePeak: -9 };
  // one cue per scene, a second into its narration
  const cues = buildCues([0, 1, 2].map(() => ({ timings: [{ text: 'A sentence: {with} 100% "care".', start: 1, end: 1.9 }] })), timeline);
  const captions = toAss(cues, { width: 640, height: 360, font: 'DejaVu Sans', size: 0.045 });
  const spec = { pictures: ['i.png', 'a.png', 'b.png', 'c.png', 'o.png'], narrations: ['a.wav', 'b.wav', 'c.wav'], music: 'bed.wav', timeline, width: 640, height: 360, captions, seed: 'story-1', profile: 'youtube' as const, preset: 'veryfast', workDir: '/w', output: 'o.mp4' };

  it('puts the cards around the scenes, crossfades at each part and cuts at the timeline length', () => {
    expect(timeline.segments.map((s) => s.kind)).toEqual(['intro', 'scene', 'scene', 'scene', 'outro']);
    expect(timeline.scenes[0].start).toBeCloseTo(3.5, 9);
    const plan = planRender({ ...spec, processes: 1 });
    expect(plan.parts).toHaveLength(1);
    const { job, frames } = plan.parts[0];
    expect(plan.pictures).toEqual(['i.png', 'a.png', 'b.png', 'c.png', 'o.png']);
    // one crossfade per boundary, between the tail of one picture and the head of the next
    expect(frames.items.map((it) => (it.kind === 'body' ? `b${it.seg}` : `x${it.seg}`)).join(' ')).toBe('b0 x0 b1 x1 b2 x2 b3 x3 b4');
    expect(frames.items.filter((it) => it.kind === 'fade').every((it) => it.count === 15)).toBe(true);
    // bodies and crossfades add up to the timeline's frames
    expect(frames.items.reduce((n, it) => n + it.count, 0)).toBe(Math.round(timeline.total * 30));
    expect(job.outputOptions[job.outputOptions.indexOf('-frames:v') + 1]).toBe(String(Math.round(timeline.total * 30)));
    // a body picks up its picture's move where its head ended; the cards hold still
    const sceneFrames = Math.round(timeline.segments[2].length * 30);
    expect(frames.items[4]).toEqual({ kind: 'body', seg: 2, from: 15, count: sceneFrames - 30 });
    expect(frames.pictures[2]).toEqual({ frames: sceneFrames, move: sceneMove('story-1', 1, timeline.segments[2].length) });
    expect([0, 4].map((seg) => frames.pictures[seg].move)).toEqual([null, null]);
    // the subtitles: every cue drawn once by libass, then laid over the frames of its own time only
    expect(plan.captions!.job.filter).toContain('ass=filename=/w/captions-sheet.ass:alpha=1');
    expect(plan.captions!.job.output).toBe('/w/cue-%d.png');
    expect(frames.cues).toHaveLength(3);
    frames.cues.forEach((c, i) => {
      expect(c.i).toBe(i);
      expect(c.start).toBeCloseTo(timeline.scenes[i].narrationStart + 1, 2);
      // spoken in 0.9 s, held for its 27 characters at 20 a second
      expect(c.end).toBeCloseTo(timeline.scenes[i].narrationStart + 1 + 27 / 20, 2);
    });
    // the frames are drawn here and read raw by the encoder (test/unit/frames.test.ts)
    expect(job.inputs).toEqual([{ path: 'pipe:0', format: 'rawvideo', options: ['-pix_fmt', 'yuv420p', '-s', '640x360', '-r', '30'] }]);
    expect(job.outputOptions).toEqual(expect.arrayContaining(['-g', '15', '-bf', '2', '-colorspace', 'bt709']));
    expect(job.outputOptions).toContain('-an');
    // the soundtrack is encoded on its own and joined with the picture, which is not encoded again
    expect(plan.audio.mix.output).toBe('/w/soundtrack.wav');
    expect(plan.audio.measure('anull').inputs).toEqual([{ path: '/w/soundtrack.wav' }]);
    expect(plan.audio.encode(normaliseFilter(loudness, plan.audio.ceiling)).filter).toContain('[0:a]volume=6dB,');
    expect(plan.audio.encode('anull').output).toBe('/w/soundtrack.m4a');
    expect(plan.join.inputs[0]).toEqual({ path: '/w/parts.txt', format: 'concat', options: ['-safe', '0'] });
    expect(plan.join.outputOptions).toEqual(expect.arrayContaining(['-c', 'copy', '-movflags', '+faststart']));
    expect(plan.join.outputOptions[plan.join.outputOptions.indexOf('-t') + 1]).toBe(String(Number(timeline.total.toFixed(3))));
    expect(plan.list.content).toBe(`ffconcat version 1.0\nfile part-0.mp4\nduration ${timeline.total.toFixed(6)}\n`);
  });

  it('splits the picture into parts inside scenes, never inside a crossfade, and keeps every frame and the subtitle clock', () => {
    const totalFrames = Math.round(timeline.total * 30);
    for (const processes of [2, 3, 4]) {
      const plan = planRender({ ...spec, processes });
      expect(plan.parts).toHaveLength(processes);
      const counts = plan.parts.map((p) => Number(p.job.outputOptions[p.job.outputOptions.indexOf('-frames:v') + 1]));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(totalFrames);
      counts.forEach((c, k) => expect(plan.parts[k].seconds).toBeCloseTo(c / 30, 9));
      let first = 0;
      const shown = new Set<number>();
      plan.parts.forEach((p, k) => {
        // each part's items add up to its frames, and it is cut inside a picture's own stretch
        expect(p.frames.items.reduce((n, it) => n + it.count, 0)).toBe(counts[k]);
        expect([p.frames.items[0].kind, p.frames.items.at(-1)!.kind]).toEqual(['body', 'body']);
        // subtitles are timed on the whole video's clock, and a part lays over only the cues of its own time
        expect(p.frames.first).toBe(first);
        for (const c of p.frames.cues) {
          expect(c.end).toBeGreaterThan(first / 30);
          expect(c.start).toBeLessThan((first + counts[k]) / 30);
          shown.add(c.i);
        }
        first += counts[k];
      });
      // every cue is shown; one that a cut falls inside is laid over in both parts
      expect(shown.size).toBe(cues.length);
      expect(plan.list.content.split('\n').filter((l) => l.startsWith('file'))).toHaveLength(processes);
    }
    // two parts: the cut falls on the GOP boundary (15 frames) nearest the middle, inside the second scene's own stretch
    const two = planRender({ ...spec, processes: 2 });
    expect(two.parts[1].frames.first).toBe(Math.round(totalFrames / 2 / 15) * 15);
    expect(Object.keys(two.parts[1].frames.pictures).map(Number)).toEqual([2, 3, 4]);
    expect(two.parts[1].frames.cues.map((c) => c.i)).toEqual([1, 2]);
  });

  it('cuts a long video into parts of a few pictures each, so parts can be shared between processes and workers', () => {
    const long = buildTimeline(Array.from({ length: 20 }, () => 12), { fps: 30, transition: 0.5, intro: 4, outro: 4 });
    const pictures = long.segments.map((_, i) => `p${i}.png`);
    const plan = planRender({ ...spec, pictures, timeline: long, processes: 2 });
    expect(plan.processes).toBe(2);
    expect(plan.parts.length).toBe(Math.ceil(22 / PICTURES_PER_PART));
    for (const p of plan.parts) expect(Object.keys(p.frames.pictures).length).toBeLessThanOrEqual(PICTURES_PER_PART + 2);
    const frames = plan.parts.map((p) => Number(p.job.outputOptions[p.job.outputOptions.indexOf('-frames:v') + 1]));
    expect(frames.reduce((a, b) => a + b, 0)).toBe(Math.round(long.total * 30));
  });

  it('brings the measured loudness to -14 LUFS with one gain, limiting at 192 kHz only peaks that would pass the ceiling', () => {
    const summary = '[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -29.0 LUFS\n    Threshold: -39.2 LUFS\n\n  True peak:\n    Peak:      -19.9 dBFS\n';
    expect(parseLoudness(summary)).toEqual({ integrated: -29, truePeak: -19.9 });
    // AAC adds inter-sample overs: the ceiling before it sits under -1.5 dBTP, lower for smaller bitrates
    expect([ceilingFor(384), ceilingFor(128)]).toEqual([-2, -2.5]);
    expect(normaliseFilter({ integrated: -29, truePeak: -19.9 }, -2)).toBe('volume=15dB');
    // +15 dB would put a -10 dBTP peak at +5: the limiter holds it at -2 dBTP (0.794 of full scale), between samples too
    expect(normaliseFilter({ integrated: -29, truePeak: -10 }, -2)).toBe('volume=15dB,aresample=192000,alimiter=limit=0.794:attack=5:release=50:level=false:latency=1,aresample=48000');
    // what the limiter took off is made up
    expect(normaliseFilter({ integrated: -29, truePeak: -10 }, -2, 0.6)).toMatch(/^volume=15.6dB,aresample/);
    expect(normaliseFilter({ integrated: -10.5, truePeak: -2.2 }, -2)).toBe('volume=-3.5dB');
    // silence is not amplified into noise
    expect(normaliseFilter(parseLoudness(summary.replace('-29.0', '-70.0')), -2)).toBe('anull');
    expect(normaliseFilter({ integrated: -Infinity, truePeak: -Infinity }, -2)).toBe('anull');
    expect(() => parseLoudness('no summary here')).toThrow(/no loudness measurement/);
    const encode = planRender({ ...spec, processes: 1 }).audio.encode('volume=1dB').outputOptions.join(' ');
    expect(encode).toContain('-c:a aac -profile:a aac_low -b:a 384k -ar 48000 -ac 2');
    expect(planRender({ ...spec, audioKbps: 128, processes: 1 }).audio.encode('anull').outputOptions).toContain('128k');
    const plain = planRender({ ...spec, captions: null, processes: 1 });
    expect(plain.captions).toBeNull();
    expect(plain.parts[0].frames.cues).toEqual([]);
    expect(plain.pictures).toEqual(spec.pictures);
    // every part is encoded with the same settings, so the join can copy them
    const draft = planRender({ ...spec, profile: 'draft', preset: 'slow', processes: 3 });
    for (const part of draft.parts) {
      const opts = part.job.outputOptions.slice(0, part.job.outputOptions.indexOf('-frames:v'));
      expect(opts).toEqual(draft.parts[0].job.outputOptions.slice(0, opts.length));
      expect(opts).toEqual(expect.arrayContaining(['-crf', '23', '-preset', 'slow']));
    }
  });

  it('measures the limited mix once more and makes up the loudness the limiter took off', async () => {
    const summary = (i: number, p: number) => `Summary:\n\n  Integrated loudness:\n    I:  ${i} LUFS\n\n  True peak:\n    Peak:  ${p} dBFS\n`;
    const soundtrack = async (answers: string[]) => {
      const seen: FfmpegJob[] = [];
      const run = async (job: FfmpegJob) => (seen.push(job), job.output === '-' ? answers.shift()! : '');
      await runSoundtrack(planRender({ ...spec, processes: 1 }).audio, run, new AbortController().signal);
      return seen;
    };
    // espeak over the bed measured -21.3 LUFS, -4.5 dBTP; limited at -2 dBTP it measured -14.7 LUFS
    const limited = await soundtrack([summary(-21.3, -4.5), summary(-14.7, -2)]);
    expect(limited.map((j) => j.output)).toEqual(['/w/voice-0.wav', '/w/soundtrack.wav', '-', '-', '/w/soundtrack.m4a']);
    expect(limited[3].filter).toContain('[0:a]volume=7.3dB,aresample=192000,alimiter=limit=0.794:');
    expect(limited[4].filter).toContain('[0:a]volume=8dB,aresample=192000,alimiter=limit=0.794:');
    // a gain that leaves the peaks under the ceiling needs no limiter and no second measurement
    const plain = await soundtrack([summary(-20, -9)]);
    expect(plain.map((j) => j.output)).toEqual(['/w/voice-0.wav', '/w/soundtrack.wav', '-', '/w/soundtrack.m4a']);
    expect(plain[3].filter).toMatch(/^\[0:a\]volume=6dB,aresample=48000/);
  });

  it('places each narration at its scene, to the sample, in chunks of a few files, and ducks the music under it', () => {
    const long = buildTimeline(Array.from({ length: 40 }, (_, i) => 5 + (i % 7)), { fps: 30, transition: 0.5, intro: 4, outro: 4 });
    const narrations = long.scenes.map((_, i) => `n${i}.wav`);
    const voices = voiceTrack(narrations, long, '/w');
    expect(voices.chunks.map((c) => c.inputs.length)).toEqual([16, 16, 8]);
    // each narration is padded to the next one's start: the slots add up to the video's samples
    const slots = voices.chunks.flatMap((c) => [...c.filter!.matchAll(/apad=whole_len=(\d+),atrim=end_sample=(\d+)/g)].map((m) => Number(m[1])));
    const lead = Number(/atrim=end_sample=(\d+),aformat=sample_fmts=fltp\[lead\]/.exec(voices.chunks[0].filter!)![1]);
    expect(lead).toBe(Math.round(long.scenes[0].narrationStart * 48000));
    expect(slots).toHaveLength(40);
    long.scenes.slice(0, -1).forEach((s, i) => expect(lead + slots.slice(0, i + 1).reduce((a, b) => a + b, 0)).toBe(Math.round(long.scenes[i + 1].narrationStart * 48000)));
    expect(lead + slots.reduce((a, b) => a + b, 0)).toBe(Math.round(long.total * 48000));
    const job = buildMixJob({ narrations, timeline: long, music: 'bed.wav', output: 'mix.wav' }, voices);
    expect(job.inputs.map((i) => i.path)).toEqual(['/w/voice-0.wav', '/w/voice-1.wav', '/w/voice-2.wav', 'bed.wav']);
    expect(job.inputs.at(-1)).toEqual({ path: 'bed.wav', options: ['-stream_loop', '-1'] });
    expect(job.filter).toContain('[0:a][1:a][2:a]concat=n=3:v=0:a=1,');
    expect(job.filter).toContain('[3:a]aresample=48000');
    expect(job.filter).toContain('[bed][key]sidechaincompress');
    expect(job.filter).toContain(`apad=whole_dur=${Number(long.total.toFixed(3))}`);
    const dry = buildMixJob({ narrations: ['a.wav', 'b.wav', 'c.wav'], timeline, music: null, output: 'mix.wav' }, voiceTrack(['a.wav', 'b.wav', 'c.wav'], timeline, '/w'));
    expect(dry.inputs).toEqual([{ path: '/w/voice-0.wav' }]);
    expect(dry.filter).not.toContain('sidechaincompress');
  });
});

describe('chapters', () => {
  it('start at 0:00, are at least 10 s long, and need three to exist', () => {
    const t = buildTimeline([12, 3, 12, 12, 2], { fps: 30, transition: 0.5, intro: 4, outro: 4 });
    const list = chapters(t, ['A', 'B', 'C', 'D', 'E']);
    // C (3.5 s after B) folds into B; E would leave a last chapter under 10 s
    expect(list.map((c) => c.title)).toEqual(['A', 'B', 'D']);
    expect(list[0].start).toBe(0);
    expect(list[1].start).toBe(t.scenes[1].start);
    for (let i = 1; i < list.length; i++) expect(list[i].start - list[i - 1].start).toBeGreaterThanOrEqual(10);
    expect(chapters(buildTimeline([30, 30], { fps: 30, transition: 0.5 }), ['A', 'B'])).toEqual([]);
  });
});

describe('operator scripts', () => {
  it('speaks only the narration: no comments, sub-headings, list markers, emphasis or link targets', () => {
    const { topic, draft } = parseScriptMarkdown(
      '# Topic\n<!-- a note\nover two lines -->\n## One\n- **Bold** claim with a [link](https://example.org).\n### aside\n> Quoted *line*.\nImage: a map\n## Two\nPlain.\n',
      'x.md',
    );
    expect(topic).toBe('Topic');
    expect(draft.scenes).toEqual([
      { title: 'One', text_content: 'Bold claim with a link. Quoted line.', image_prompt: 'a map' },
      { title: 'Two', text_content: 'Plain.', image_prompt: 'Two' },
    ]);
  });

  it('refuses a scene whose only line is empty once markup is removed', () => {
    expect(() => parseScriptMarkdown('## One\n>\n', 'x.md')).toThrow(/scene 1 \("One"\) has no narration/);
  });
});

describe('metadata limits', () => {
  it('fits title, description and tags into YouTube’s limits and strips angle brackets', () => {
    const m = fitYouTubeLimits({
      title: '<b>' + 'word '.repeat(40),
      description: 'é'.repeat(4000),
      tags: ['history', 'history', 'a <tag>', ...Array.from({ length: 100 }, (_, i) => `tag number ${i}`)],
      chapters: [],
      preview: true,
    });
    expect(m.title.length).toBeLessThanOrEqual(100);
    expect(m.title).not.toMatch(/[<>]/);
    expect(Buffer.byteLength(m.description)).toBeLessThanOrEqual(5000);
    expect(m.tags.slice(0, 2)).toEqual(['history', 'a tag']);
    const cost = m.tags.reduce((n, t, i) => n + t.length + (t.includes(' ') ? 2 : 0) + (i ? 1 : 0), 0);
    expect(cost).toBeLessThanOrEqual(500);
    expect(m.tags.length).toBeGreaterThan(10);
  });

  it('never cuts an emoji in half, and keeps angle brackets out of chapter titles', () => {
    const m = fitYouTubeLimits({ title: '📜'.repeat(150), description: '🏛️'.repeat(2000), tags: [], chapters: [{ start: 0, title: '<Intro>' }], preview: true });
    expect(Array.from(m.title)).toHaveLength(100);
    expect(m.title.endsWith('📜…')).toBe(true);
    expect(Buffer.byteLength(m.description)).toBeLessThanOrEqual(5000);
    expect(m.description).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(m.chapters[0].title).toBe('Intro');
  });
});

describe('wav and sentences', () => {
  it('joins PCM clips and measures them exactly', () => {
    const fmt = { sampleRate: 22050, channels: 1, bitsPerSample: 16 };
    const a = silence(fmt, 1);
    const b = silence(fmt, 0.5);
    const wav = parseWav(encodeWav([a, b]));
    expect(wav.sampleRate).toBe(22050);
    expect(wavSeconds(wav)).toBeCloseTo(1.5, 6);
  });

  it('splits narration into sentences', () => {
    expect(splitSentences('It began in 48 B.C. with a fire.  Nobody knows more!  Or do they?')).toEqual([
      'It began in 48 B.C. with a fire.',
      'Nobody knows more!',
      'Or do they?',
    ]);
  });
});
