import { formatTimestamp } from '../../media/timeline.js';
import { hash } from '../../text.js';
import type { StoryMetadata } from '../../types.js';
import type { ScriptDraft, TextProvider } from '../types.js';
import { previewTexts } from './preview-texts.js';

/**
 * The offline writer: a deterministic, clearly labelled placeholder script built from the topic, in the
 * story's language, so the whole pipeline runs with no account and no network. It is never passed off as
 * real writing.
 */

/** What each scene's still shows: a prompt for an image model, which reads English whatever the story's language. */
const IMAGES = [
  'a weathered archive box labelled {topic}, lit by a single lamp',
  'an old hand-drawn map and a quill pen on a wooden desk, evoking {topic}',
  'a faded group portrait of the people connected to {topic}',
  'a dramatic engraving of the turning point in the history of {topic}',
  'charred pages and broken seals scattered across a stone floor',
  'a magnifying glass over a yellowed manuscript about {topic}',
  'an open archive drawer with one empty folder, waiting to be filled',
];
/** the scene left out of some scripts, for deterministic variety (6 or 7 scenes) */
const OPTIONAL_BEAT = 2;

function fill(text: string, values: { topic?: string; n?: number }): string {
  return text.replaceAll('{topic}', values.topic ?? '').replaceAll('{n}', String(values.n ?? ''));
}

export function previewWriter(): TextProvider {
  return {
    name: 'preview',
    preview: true,
    async writeScript({ topic, language }): Promise<ScriptDraft> {
      const texts = previewTexts(language);
      const keep = (i: number) => i !== OPTIONAL_BEAT || hash(topic) % 3 !== 0;
      const scenes = texts.beats.flatMap(([title, ...lines], i) =>
        keep(i)
          ? [{ title, text_content: lines.map((l) => fill(l, { topic })).join(' '), image_prompt: `Archival documentary still, sepia photograph, film grain: ${fill(IMAGES[i], { topic })}` }]
          : [],
      );
      const script = [`# ${fill(texts.scriptTitle, { topic })}`, ...scenes.map((s) => `## ${s.title}\n\n${s.text_content}`)].join('\n\n');
      return { script, scenes, source: { provider: 'preview' } };
    },
    async writeMetadata({ story, scenes, chapters }): Promise<StoryMetadata> {
      const texts = previewTexts(story.language);
      const ownScript = story.script_source?.provider === 'operator';
      const title = `${story.topic} | ${texts.brand}${ownScript ? '' : ` (${texts.preview})`}`;
      const chapterLines = chapters.map((c) => `${formatTimestamp(c.start)} ${c.title}`);
      const description = [
        fill(texts.about, { topic: story.topic }),
        '',
        ownScript ? texts.ownScriptDescription : texts.previewDescription,
        '',
        ...(chapterLines.length ? [texts.chapters, ...chapterLines, ''] : []),
        `${fill(texts.scenes, { n: scenes.length })} ${texts.hashtags}`,
      ].join('\n');
      const words = story.topic
        .toLocaleLowerCase(story.language)
        .split(/[^\p{L}\p{M}\p{N}]+/u)
        .filter((w) => w.length > 3);
      const tags = [...new Set([texts.brand.toLocaleLowerCase(story.language), ...texts.tags, story.topic.toLocaleLowerCase(story.language), ...words])];
      return { title, description, tags, chapters, preview: true };
    },
  };
}
