import type { Research, ScriptDraft } from '../types.js';
import { UsageError } from '../../errors.js';
import { domainOf } from '../google/grounding.js';
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
 *   Source: https://...          (optional; links in the narration count too, and are not spoken)
 *   Sources:                     (optional, at the end: links that back the whole script)
 *   - [Title](https://...)
 */
export function parseScriptMarkdown(text: string, file: string): { topic: string | null; draft: ScriptDraft } {
  refuseHidden(text, file);
  let topic: string | null = null;
  const scenes: { title: string; narration: string[]; image: string | null; links: number[] }[] = [];
  const links = new Links();
  let inSources = false; // after a "Sources:" line, until the next scene
  const plain = text.replace(/\r\n?/g, '\n').replace(/<!--[\s\S]*?-->/g, '');
  for (const raw of plain.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^#{0,3}\s*(?:sources|references)\s*:\s*(.*)$/i.exec(line)) || /^#{2,3}\s*(?:sources|references)\s*$/i.test(line)) {
      inSources = true;
      links.add(m?.[1] ?? '', null, true);
      continue;
    }
    if (inSources && !/^##\s/.test(line)) {
      links.add(line, null, true);
      continue;
    }
    if (!line || /^(#{3,}\s|```|---+$|\*\*\*+$)/.test(line)) continue; // sub-headings, fences, rules: not narrated
    if ((m = /^#\s+(.+)$/.exec(line))) topic ??= m[1].trim();
    else if ((m = /^##\s+(.+)$/.exec(line))) (inSources = false), scenes.push({ title: m[1].trim(), narration: [], image: null, links: [] });
    else if (!scenes.length) continue; // an introduction before the first scene is not narrated
    else if ((m = /^(?:image|picture|still)\s*:\s*(.+)$/i.exec(line))) scenes.at(-1)!.image = m[1].trim();
    else if ((m = /^source\s*:\s*(.+)$/i.exec(line))) links.add(m[1], scenes.at(-1)!.links, true);
    else {
      links.add(line, scenes.at(-1)!.links, false);
      const spoken = line
        .replace(/^>\s?/, '')
        .replace(/^(?:[-*+]|\d+[.)])\s+/, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/<?https?:\/\/[^\s>)]+>?/g, '')
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
  const research: Research = {
    origin: 'operator',
    queries: [],
    sources: links.sources,
    passages: [
      ...scenes.flatMap((s, i) => (s.links.length ? [{ scene: i + 1, text: draftScenes[i].text_content, sources: [...new Set(s.links)] }] : [])),
      ...(links.general.length ? [{ scene: null, text: links.general.map((i) => links.sources[i].title ?? links.sources[i].url).join('; '), sources: links.general }] : []),
    ],
  };
  return { topic, draft: { script: text, scenes: draftScenes, source: { provider: 'operator', file }, research } };
}

/** The links of an operator's script, each URL once: `[title](url)`, `<url>` or a bare URL. */
class Links {
  readonly sources: Research['sources'] = [];
  /** the `Sources:` list's, which back the whole script */
  readonly general: number[] = [];
  /** `titled`: the rest of the line names a bare URL (a list of sources), not narration */
  add(line: string, scene: number[] | null, titled: boolean): void {
    const found: { url: string; title: string | null }[] = [];
    const rest = line.replace(/\[([^\]]*)\]\((https?:\/\/[^)\s]+)\)/g, (_, title: string, url: string) => (found.push({ url, title: title.trim() || null }), ''));
    for (const url of rest.match(/https?:\/\/[^\s>)]+/g) ?? []) {
      const title = !titled ? '' : rest.replace(url, '').replace(/^(?:[-*+]|\d+[.)])\s+/, '').replace(/[<>:\s–—-]+$/, '').trim();
      found.push({ url: url.replace(/[.,;]$/, ''), title: title || null });
    }
    for (const f of found) {
      let at = this.sources.findIndex((x) => x.url === f.url);
      if (at < 0) at = this.sources.push({ url: f.url, title: f.title, domain: domainOf({ uri: f.url }) }) - 1;
      const list = scene ?? this.general;
      if (!list.includes(at)) list.push(at);
    }
  }
}
