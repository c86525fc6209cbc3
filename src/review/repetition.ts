import type { Db } from '../db/types.js';
import type { Storage } from '../storage/types.js';
import { resolveStory } from '../stories.js';
import type { Story } from '../types.js';
import { hammingDistance } from './hash.js';
import { type PictureHash, pictureHashes } from './picture-hashes.js';
import { SHINGLE_WORDS, jaccard, shingles } from './shingles.js';

/**
 * The repetition check across the channel: YouTube judges repetition over a whole channel, so a story
 * is compared with every story created before it. A script that shares at least SCRIPT_SIMILARITY of
 * its 3-word shingles with an earlier one, and a still or thumbnail within PICTURE_DISTANCE bits of an
 * earlier story's picture, are warnings (data for `review` and the API), never errors.
 */

/** Jaccard similarity of 3-word shingles from which a script counts as a near copy (bench/repetition.ts). */
export const SCRIPT_SIMILARITY = 0.25;
/** dHash bits (of 128) up to which two pictures count as the same picture (bench/repetition.ts). */
export const PICTURE_DISTANCE = 12;

interface OtherStory {
  story_id: string;
  topic: string;
}

export type RepetitionWarning =
  | (OtherStory & { kind: 'script'; similarity: number; message: string })
  | (OtherStory & {
      kind: 'picture';
      /** this story's picture */
      picture: { kind: 'still' | 'thumbnail'; scene: number | null };
      /** the earlier story's picture it resembles */
      other: { kind: 'still' | 'thumbnail'; scene: number | null };
      distance: number;
      message: string;
    });

export interface RepetitionReport {
  story_id: string;
  warnings: RepetitionWarning[];
  /** what was compared: earlier stories, their scripts and their pictures */
  compared: { stories: number; scripts: number; pictures: number };
  thresholds: { script_similarity: number; shingle_words: number; picture_distance: number };
}

const describe = (p: { kind: 'still' | 'thumbnail'; scene: number | null }) => (p.kind === 'thumbnail' ? 'the thumbnail' : `the still of scene ${p.scene}`);
const short = (id: string) => id.slice(0, 8);

function scriptWarnings(story: Story, earlier: (Story & { script_text: string })[]): RepetitionWarning[] {
  if (!story.script_text) return [];
  const mine = shingles(story.script_text, story.language);
  const out: RepetitionWarning[] = [];
  for (const other of earlier) {
    const similarity = Math.round(jaccard(mine, shingles(other.script_text, other.language)) * 1000) / 1000;
    if (similarity < SCRIPT_SIMILARITY) continue;
    out.push({
      kind: 'script', story_id: other.id, topic: other.topic, similarity,
      message: `the script shares ${Math.round(similarity * 100)}% of its ${SHINGLE_WORDS}-word phrases with story ${short(other.id)} ("${other.topic}")`,
    });
  }
  return out.sort((a, b) => (b as { similarity: number }).similarity - (a as { similarity: number }).similarity);
}

function pictureWarnings(mine: PictureHash[], earlier: PictureHash[], topics: Map<string, string>): RepetitionWarning[] {
  const out: RepetitionWarning[] = [];
  for (const p of mine) {
    for (const o of earlier) {
      const distance = hammingDistance(p.dhash, o.dhash);
      if (distance > PICTURE_DISTANCE) continue;
      const picture = { kind: p.kind, scene: p.kind === 'still' ? p.position : null };
      const other = { kind: o.kind, scene: o.kind === 'still' ? o.position : null };
      out.push({
        kind: 'picture', story_id: o.story_id, topic: topics.get(o.story_id) ?? '', picture, other, distance,
        message: `${describe(picture)} is a near copy of ${describe(other)} of story ${short(o.story_id)} ("${topics.get(o.story_id)}"): ${distance} of 128 bits differ`,
      });
    }
  }
  return out;
}

/** Compares a story with every story created before it; hashes pictures not hashed yet (and stores them). */
export async function checkRepetition(deps: { db: Db; storage: Storage; signal?: AbortSignal; warn?: (message: string) => void }, idOrPrefix: string): Promise<RepetitionReport> {
  const story = await resolveStory(deps.db, idOrPrefix);
  const earlier = await deps.db.query<Story>('select * from stories where (created_at, id) < ($1, $2) order by created_at, id', [story.created_at, story.id]);
  const withScripts = earlier.filter((s): s is Story & { script_text: string } => !!s.script_text);
  const hashes = await pictureHashes(deps, [story.id, ...earlier.map((s) => s.id)]);
  const mine = hashes.filter((h) => h.story_id === story.id);
  const theirs = hashes.filter((h) => h.story_id !== story.id);
  const topics = new Map(earlier.map((s) => [s.id, s.topic]));
  return {
    story_id: story.id,
    warnings: [...scriptWarnings(story, withScripts), ...pictureWarnings(mine, theirs, topics)],
    compared: { stories: earlier.length, scripts: withScripts.length, pictures: theirs.length },
    thresholds: { script_similarity: SCRIPT_SIMILARITY, shingle_words: SHINGLE_WORDS, picture_distance: PICTURE_DISTANCE },
  };
}
