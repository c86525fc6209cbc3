import type { ScriptDraft } from '../types.js';
import { UsageError } from '../../errors.js';
import { hiddenCharacter, plainLineProblem } from '../../control-chars.js';

/** Refuses a script with control characters (but tabs and line breaks) or half surrogate pairs, naming the line. */
function refuseHidden(text: string, file: string): void {
  const lines = text.split(/\r\n?|\n/);
  for (const [i, line] of lines.entries()) {
    const hidden = hiddenCharacter(line.replace(/\t/g, ' '));
    if (hidden) throw new UsageError(`${file}: line ${i + 1} holds ${hidden}; scripts are plain text: remove it (and any escape sequence it starts)`);
  }
}

/**
 * A script the operator wrote, in Markdown:
 *
 *   # Topic                      (optional when the topic is given on the command line)
 *   ## Scene title               (one section per scene)
 *   Narration, one or more paragraphs.
 *   Image: what the still shows  (optional; default: the scene title)
 */
export function parseScriptMarkdown(text: string, file: string): { topic: string | null; draft: ScriptDraft } {
  refuseHidden(text, file);
  let topic: string | null = null;
  const scenes: { title: string; narration: string[]; image: string | null }[] = [];
  const plain = text.replace(/\r\n?/g, '\n').replace(/<!--[\s\S]*?-->/g, '');
  for (const raw of plain.split('\n')) {
    const line = raw.trim();
    if (!line || /^(#{3,}\s|```|---+$|\*\*\*+$)/.test(line)) continue; // sub-headings, fences, rules: not narrated
    let m: RegExpExecArray | null;
    if ((m = /^#\s+(.+)$/.exec(line))) topic ??= m[1].trim();
    else if ((m = /^##\s+(.+)$/.exec(line))) scenes.push({ title: m[1].trim(), narration: [], image: null });
    else if (!scenes.length) continue; // an introduction before the first scene is not narrated
    else if ((m = /^(?:image|picture|still)\s*:\s*(.+)$/i.exec(line))) scenes.at(-1)!.image = m[1].trim();
    else {
      const spoken = line
        .replace(/^>\s?/, '')
        .replace(/^(?:[-*+]|\d+[.)])\s+/, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/(\*\*|__|\*|`)(.+?)\1/g, '$2')
        .trim();
      if (spoken) scenes.at(-1)!.narration.push(spoken);
    }
  }
  if (!scenes.length) throw new UsageError(`${file} has no scenes: start each scene with a "## Scene title" line, followed by its narration`);
  if (scenes.length > 60) throw new UsageError(`${file} has ${scenes.length} scenes; at most 60 fit one video`);
  const badTitle = scenes.map((s) => plainLineProblem('scene title', s.title)).findIndex(Boolean);
  if (badTitle >= 0) throw new UsageError(`${file}: scene ${badTitle + 1}: ${plainLineProblem('scene title', scenes[badTitle].title)}`);
  const empty = scenes.findIndex((s) => !s.narration.length);
  if (empty >= 0) throw new UsageError(`${file}: scene ${empty + 1} ("${scenes[empty].title}") has no narration`);
  const long = scenes.findIndex((s) => s.narration.join(' ').length > 4000);
  if (long >= 0) throw new UsageError(`${file}: scene ${long + 1} ("${scenes[long].title}") has more than 4000 characters of narration; split it`);
  const draftScenes = scenes.map((s) => ({
    title: s.title,
    text_content: s.narration.join(' ').replace(/\s+/g, ' '),
    image_prompt: s.image ?? s.title,
  }));
  return { topic, draft: { script: text, scenes: draftScenes, source: { provider: 'operator', file } } };
}
