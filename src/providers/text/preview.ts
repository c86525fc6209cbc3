import { formatTimestamp } from '../../media/timeline.js';
import { hash } from '../../text.js';
import type { StoryMetadata } from '../../types.js';
import type { ScriptDraft, TextProvider } from '../types.js';

/**
 * The offline writer: a deterministic, clearly labelled placeholder script built from the topic, so
 * the whole pipeline runs with no account and no network. It is never passed off as real writing.
 */

type Beat = { title: string; lines: string[]; image: string };

const BEATS: Beat[] = [
  {
    title: 'The Question',
    lines: [
      'This is a preview script, written offline by The Lost Archives toolkit.',
      'Our subject is {topic}.',
      'Some stories survive in fragments, and this one asks us to read between the lines.',
    ],
    image: 'a weathered archive box labelled {topic}, lit by a single lamp',
  },
  {
    title: 'Where It Began',
    lines: [
      'Every record has a beginning, and the first traces of {topic} are older than most people think.',
      'The earliest accounts were written by people who never imagined we would read them.',
    ],
    image: 'an old hand-drawn map and a quill pen on a wooden desk, evoking {topic}',
  },
  {
    title: 'The People',
    lines: [
      'Behind {topic} stood people with names, ambitions and fears.',
      'Their letters and ledgers are the closest we can come to hearing their voices.',
    ],
    image: 'a faded group portrait of the people connected to {topic}',
  },
  {
    title: 'The Turning Point',
    lines: [
      'Then something changed.',
      'A single decision, or perhaps a single accident, set {topic} on a path that nobody could reverse.',
    ],
    image: 'a dramatic engraving of the turning point in the history of {topic}',
  },
  {
    title: 'What Was Lost',
    lines: [
      'Much of what we would like to know about {topic} is gone.',
      'Fires, floods and simple neglect took documents that can never be replaced.',
    ],
    image: 'charred pages and broken seals scattered across a stone floor',
  },
  {
    title: 'What Remains',
    lines: [
      'Yet enough remains to piece the story together.',
      'Archivists and historians still argue over what the surviving evidence about {topic} really means.',
    ],
    image: 'a magnifying glass over a yellowed manuscript about {topic}',
  },
  {
    title: 'The Open Question',
    lines: [
      'So what should we make of {topic} today?',
      'The archive is never closed, and every new discovery can change the story.',
      'This preview was made offline: configure a text provider to write the real script.',
    ],
    image: 'an open archive drawer with one empty folder, waiting to be filled',
  },
];

function fill(text: string, topic: string): string {
  return text.replaceAll('{topic}', topic);
}

export function previewWriter(): TextProvider {
  return {
    name: 'preview',
    preview: true,
    async writeScript({ topic }): Promise<ScriptDraft> {
      // Deterministic variety: long topics drop one middle beat, so scripts are 6 or 7 scenes.
      const beats = hash(topic) % 3 === 0 ? BEATS.filter((b) => b.title !== 'The People') : BEATS;
      const scenes = beats.map((b) => ({
        title: b.title,
        text_content: b.lines.map((l) => fill(l, topic)).join(' '),
        image_prompt: `Archival documentary still, sepia photograph, film grain: ${fill(b.image, topic)}`,
      }));
      const script = [`# ${topic} (preview script)`, ...scenes.map((s) => `## ${s.title}\n\n${s.text_content}`)].join('\n\n');
      return { script, scenes, source: { provider: 'preview' } };
    },
    async writeMetadata({ story, scenes, chapters }): Promise<StoryMetadata> {
      const ownScript = story.script_source?.provider === 'operator';
      const title = `${story.topic} | The Lost Archives${ownScript ? '' : ' (preview)'}`;
      const chapterLines = chapters.map((c) => `${formatTimestamp(c.start)} ${c.title}`);
      const description = [
        `A short documentary about ${story.topic}.`,
        '',
        ownScript
          ? 'This description was written offline by the lost-archives toolkit (preview).'
          : 'PREVIEW: this script, its pictures and its narration were generated offline as placeholders by the ' +
            'lost-archives toolkit. They are not researched history.',
        '',
        ...(chapterLines.length ? ['Chapters:', ...chapterLines, ''] : []),
        `Scenes: ${scenes.length}. #TheLostArchives #history #documentary`,
      ].join('\n');
      const words = story.topic
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length > 3);
      const tags = [...new Set(['the lost archives', 'history', 'documentary', story.topic.toLowerCase(), ...words])];
      return { title, description, tags, chapters, preview: true };
    },
  };
}
