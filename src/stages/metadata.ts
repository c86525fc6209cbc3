import { listCredits } from '../db/credits.js';
import { getResearch } from '../db/research.js';
import { listScenes, setMetadata } from '../db/stories.js';
import { creditsSection } from './description/credits.js';
import { DESCRIPTION_MAX_BYTES, withSources } from './description/sources.js';
import { chapters, sceneTimeline } from '../media/timeline.js';
import type { StoryMetadata } from '../types.js';
import { stageMeter } from '../costs.js';
import type { Stage } from './types.js';

const TITLE_MAX = 100;
const TAGS_MAX_CHARS = 500;

/** Cuts at a word boundary to at most `max` characters, never inside a surrogate pair (emoji). */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return (space > cut.length * 0.6 ? cut.slice(0, space) : cut).trimEnd() + '…';
}

/**
 * YouTube's limits, applied whatever the writer produced: title ≤ 100 characters, description ≤ 5000
 * bytes, neither with `<` or `>`; tags ≤ 500 characters in all (a tag with a space counts its quotes).
 */
export function fitYouTubeLimits(m: StoryMetadata): StoryMetadata {
  const noAngles = (s: string) => s.replace(/[<>]/g, '');
  const title = clip(noAngles(m.title).replace(/\s+/g, ' ').trim(), TITLE_MAX);
  let description = noAngles(m.description);
  if (Buffer.byteLength(description) > DESCRIPTION_MAX_BYTES) {
    const chars = Array.from(description);
    while (Buffer.byteLength(chars.join('')) > DESCRIPTION_MAX_BYTES) chars.length = Math.floor(chars.length * 0.95);
    description = chars.join('');
  }
  const tags: string[] = [];
  let used = 0;
  for (const raw of m.tags) {
    const tag = noAngles(raw).replace(/,/g, ' ').trim();
    if (!tag || tags.includes(tag)) continue;
    const cost = tag.length + (tag.includes(' ') ? 2 : 0) + (tags.length ? 1 : 0);
    if (used + cost > TAGS_MAX_CHARS) continue;
    tags.push(tag);
    used += cost;
  }
  const chapters = m.chapters.map((c) => ({ ...c, title: noAngles(c.title) }));
  return { ...m, title, description, tags, chapters };
}

/** Metadata: title, description with chapters from the timeline, tags. */
export const metadataStage: Stage = {
  type: 'generate_metadata',
  status: 'generating_metadata',
  title: 'Write title, description and tags',
  // the chapters (from the narration's timeline) go into the writer's prompt; the stills' credits into the description
  needs: ['generate_images', 'generate_audio'],
  async run(story, ctx) {
    if (story.metadata) {
      ctx.progress('metadata already written');
      return;
    }
    const scenes = await listScenes(ctx.db, story.id);
    const timeline = sceneTimeline(scenes, ctx.config.video);
    const list = chapters(timeline, scenes.map((s) => s.title ?? `Scene ${s.position}`));
    const written = await ctx.providers.text.writeMetadata({ story, scenes, chapters: list }, ctx.signal, stageMeter(ctx, story, 'generate_metadata'));
    // picture credits are owed (CC BY and CC BY-SA ask for them): they get their room first, the sources what is left
    const credits = creditsSection(await listCredits(ctx.db, story.id), DESCRIPTION_MAX_BYTES - Buffer.byteLength(written.description));
    const sourced = withSources(written, await getResearch(ctx.db, story.id), DESCRIPTION_MAX_BYTES - Buffer.byteLength(credits));
    const metadata = fitYouTubeLimits({ ...sourced, description: sourced.description + credits });
    if (ctx.signal.aborted) return;
    await setMetadata(ctx.db, story.id, metadata);
    ctx.progress(metadata.title);
  },
  async reset(story, ctx) {
    await setMetadata(ctx.db, story.id, null);
  },
};
