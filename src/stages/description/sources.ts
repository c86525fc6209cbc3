import type { StoryResearch } from '../../db/research.js';
import type { StoryMetadata } from '../../types.js';

/**
 * The "Sources" section of a video's description: the script's sources, most-cited first, in as many
 * bytes as it is given (YouTube takes 5000 bytes of description in all). A story that was not
 * researched says so instead of listing nothing.
 */

export const DESCRIPTION_MAX_BYTES = 5000;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Why there are no sources, in the words the description uses. */
function none(origin: StoryResearch['origin']): string {
  if (origin === 'none') return 'Sources: none. This script is an offline placeholder; it was not researched.';
  if (origin === 'search') return 'Sources: none. The writer found no web sources for this script; check its facts before you rely on them.';
  return 'Sources: none given with this script.';
}

/** Most-cited first; sources that back no scene keep the writer's order after them. */
export function mostCited<T extends { position: number; citations: number }>(sources: readonly T[]): T[] {
  return [...sources].sort((a, b) => b.citations - a.citations || a.position - b.position);
}

/** One source as a line: `- Title (domain): url`, the domain left out when it is the title. */
function line(s: StoryResearch['sources'][number]): string {
  const title = (s.title ?? s.domain ?? 'source').replace(/\s+/g, ' ').trim();
  const domain = s.domain && s.domain !== title.toLowerCase() ? ` (${s.domain})` : '';
  return `- ${title}${domain}: ${s.url}`;
}

/**
 * The section, at most `budget` bytes: the heading and as many sources as fit, then how many were
 * left out; '' when nothing was recorded (a story older than research) or not even one line fits.
 */
export function sourcesSection(research: Pick<StoryResearch, 'origin' | 'sources'>, budget: number): string {
  if (research.origin === null) return '';
  if (!research.sources.length) return bytes(none(research.origin)) <= budget ? none(research.origin) : '';
  const lines = ['Sources:'];
  const sorted = mostCited(research.sources);
  for (const [i, s] of sorted.entries()) {
    // a source goes in only with room for the line that says how many are left out after it
    const rest = sorted.length - i - 1;
    if (bytes([...lines, line(s)].join('\n') + (rest ? `\n…and ${rest} more` : '')) > budget) break;
    lines.push(line(s));
  }
  if (lines.length === 1) return '';
  const left = sorted.length - (lines.length - 1);
  if (left) lines.push(`…and ${left} more`);
  return lines.join('\n');
}

/** The metadata with the sources section after its description, in whatever room the 5000 bytes leave. */
export function withSources(m: StoryMetadata, research: Pick<StoryResearch, 'origin' | 'sources'>, maxBytes = DESCRIPTION_MAX_BYTES): StoryMetadata {
  const gap = '\n\n';
  const section = sourcesSection(research, maxBytes - bytes(m.description) - bytes(gap));
  return section ? { ...m, description: m.description + gap + section } : m;
}
