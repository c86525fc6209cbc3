import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { previewIllustrator } from '../src/providers/image/preview.js';
import { parseScriptMarkdown } from '../src/providers/text/markdown.js';
import { previewWriter } from '../src/providers/text/preview.js';
import { dHash, hammingDistance } from '../src/review/hash.js';
import { PICTURE_DISTANCE, SCRIPT_SIMILARITY } from '../src/review/repetition.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { SHINGLE_WORDS, jaccard, shingles } from '../src/review/shingles.js';

/**
 * Where the repetition check's thresholds come from: the shingled-word Jaccard similarity of scripts
 * that are near copies and of scripts that are not, and the dHash distance of re-encoded, resized and
 * cropped copies of a still beside the distance between different stills. Prints both distributions.
 */

const here = path.dirname(new URL(import.meta.url).pathname);
const example = fs.readFileSync(path.join(here, '../../examples/antikythera-mechanism.md'), 'utf8');
const base = parseScriptMarkdown(example, 'antikythera-mechanism.md').draft.scenes.map((s) => s.text_content).join(' ');

// the same story told in other words (written for this bench): same subject, same facts, own wording
const retold =
  'Sponge divers sheltering from bad weather near Antikythera in 1900 found a Roman-era wreck full of statues. ' +
  'Among bronze and marble figures they raised a shoebox-sized lump of wood and corroded metal. ' +
  'Two years later Valerios Stais saw a toothed wheel in it, far too precise for its age, and many experts ' +
  'dismissed it as a later object. X-ray and CT scans in the twentieth and twenty-first centuries revealed ' +
  'dozens of interlocking gears and tiny inscriptions: a hand-cranked calculator of the sky that predicted ' +
  'eclipses and tracked the moon, the sun and the Olympic games. Nothing as intricate survives for another ' +
  'thousand years, and who built it is still argued over.';

function replaceEvery(text: string, n: number): string {
  return text.split(' ').map((w, i) => (i % n === n - 1 ? 'other' : w)).join(' ');
}
function shuffleSentences(text: string): string {
  const s = text.split(/(?<=\.)\s+/);
  return [...s.filter((_, i) => i % 2), ...s.filter((_, i) => !(i % 2))].join(' ');
}

async function main() {
  const sim = (a: string, b: string) => jaccard(shingles(a, 'en-US'), shingles(b, 'en-US'));
  const half = base.split(' ');
  const near: [string, number][] = [
    ['identical', sim(base, base)],
    ['every 10th word changed', sim(base, replaceEvery(base, 10))],
    ['every 6th word changed', sim(base, replaceEvery(base, 6))],
    ['every 4th word changed', sim(base, replaceEvery(base, 4))],
    ['sentences reordered', sim(base, shuffleSentences(base))],
    ['first half kept, second half new', sim(base, half.slice(0, half.length / 2).join(' ') + ' ' + retold)],
  ];
  const writer = previewWriter();
  const topics = ['The Library of Alexandria', 'The Voynich Manuscript', 'Göbekli Tepe', 'The Nazca Lines'];
  const previews = await Promise.all(topics.map(async (topic) => (await writer.writeScript({ topic, language: 'en-US' }, new AbortController().signal)).scenes.map((s) => s.text_content).join(' ')));
  const far: [string, number][] = [['the same story retold in other words', sim(base, retold)], ...previews.map((p, i) => [`antikythera vs preview script "${topics[i]}"`, sim(base, p)] as [string, number])];
  const templated: number[] = [];
  for (let i = 0; i < previews.length; i++) for (let j = i + 1; j < previews.length; j++) templated.push(sim(previews[i], previews[j]));
  console.log(`scripts, ${SHINGLE_WORDS}-word shingles, Jaccard (warning at >= ${SCRIPT_SIMILARITY}):`);
  for (const [what, v] of [...near, ...far]) console.log(`  ${v.toFixed(3)}  ${what}`);
  console.log(`  ${Math.min(...templated).toFixed(3)}..${Math.max(...templated).toFixed(3)}  preview scripts of different topics (one template: repetitive by design)`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'la-bench-rep-'));
  try {
    const painter = previewIllustrator();
    const stills: string[] = [];
    for (const topic of topics.slice(0, 3)) {
      for (const position of [1, 2, 3]) {
        const out = path.join(tmp, `${stills.length}.png`);
        await painter.drawStill({ prompt: `scene ${position} of ${topic}`, caption: `Scene ${position}`, position, total: 3, topic, language: 'en-US', width: 640, height: 360, out }, new AbortController().signal);
        stills.push(out);
      }
    }
    const hashes = await Promise.all(stills.map((s) => dHash(s)));
    const different: number[] = [];
    for (let i = 0; i < hashes.length; i++) for (let j = i + 1; j < hashes.length; j++) different.push(hammingDistance(hashes[i], hashes[j]));
    const copies: [string, Buffer][] = [
      ['JPEG quality 40', await sharp(stills[0]).jpeg({ quality: 40 }).toBuffer()],
      ['resized to 50%', await sharp(stills[0]).resize(320, 180).png().toBuffer()],
      ['resized to 1920x1080 JPEG', await sharp(stills[0]).resize(1920, 1080).jpeg({ quality: 80 }).toBuffer()],
      ['cropped 4% each side', await sharp(stills[0]).extract({ left: 26, top: 14, width: 588, height: 332 }).toBuffer()],
      ['brighter by 15%', await sharp(stills[0]).modulate({ brightness: 1.15 }).toBuffer()],
    ];
    console.log(`stills, dHash Hamming distance of 128 bits (warning at <= ${PICTURE_DISTANCE}):`);
    for (const [what, buf] of copies) console.log(`  ${String(hammingDistance(hashes[0], await dHash(buf))).padStart(2)}  a copy, ${what}`);
    const range = (d: number[]) => (d.sort((a, b) => a - b), `${d[0]}..${d.at(-1)} (median ${d[Math.floor(d.length / 2)]})`);
    console.log(`  ${range(different)}  different preview stills (${different.length} pairs): one paper, one vignette, one layout`);
    const patterns = ['testsrc2', 'smptehdbars', 'mandelbrot', 'cellauto=rule=30', 'cellauto=rule=110', 'life=seed=7:mold=10', 'rgbtestsrc', 'yuvtestsrc'];
    const pictures: string[] = [];
    for (const [i, p] of patterns.entries()) {
      const out = path.join(tmp, `pattern-${i}.png`);
      await runFfmpeg({ inputs: [{ path: `${p}${p.includes('=') ? ':' : '='}size=640x360`, format: 'lavfi' }], outputOptions: ['-frames:v', '1', '-update', '1'], output: out });
      pictures.push(out);
    }
    const ph = await Promise.all(pictures.map((p) => dHash(p)));
    const apart: number[] = [];
    for (let i = 0; i < ph.length; i++) for (let j = i + 1; j < ph.length; j++) apart.push(hammingDistance(ph[i], ph[j]));
    const close = patterns.flatMap((p, i) => patterns.slice(i + 1).flatMap((q, j) => (hammingDistance(ph[i], ph[i + 1 + j]) <= PICTURE_DISTANCE ? [`${p} ~ ${q}`] : [])));
    console.log(`  ${range(apart)}  different pictures (${apart.length} pairs of ffmpeg's test patterns)${close.length ? `; within the threshold: ${close.join(', ')}` : ''}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
