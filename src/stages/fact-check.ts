import { getResearch, recordedResearch, saveClaims, saveResearch } from '../db/research.js';
import { listScenes } from '../db/stories.js';
import { PermanentError } from '../errors.js';
import { parseScriptMarkdown } from '../providers/text/markdown.js';
import type { ClaimRow } from '../db/research.js';
import type { Meter, Research } from '../providers/types.js';
import type { Story } from '../types.js';
import type { StageContext } from './types.js';

/**
 * The script stage's second half: the script's research recorded (the operator's links are read from
 * their script here, since it was stored when the story was created), its claims checked once, and the
 * `research.factCheck` gate applied. Re-runs call no model: recorded claims are judged again.
 */

export const NOT_RESEARCHED: Research = { origin: 'none', queries: [], sources: [], passages: [] };

/** How far the operator's way out is described: at most this many claims are quoted in the error. */
const QUOTED = 5;

export function blockMessage(storyId: string, total: number, unsupported: ClaimRow[]): string {
  const quoted = unsupported.slice(0, QUOTED).map((c) => `${c.scene ? `scene ${c.scene}` : 'script'}: "${c.text}"`);
  const more = unsupported.length > QUOTED ? `; and ${unsupported.length - QUOTED} more (\`lost-archives status ${storyId}\` lists them all)` : '';
  return (
    `fact-check blocked the script (research.factCheck is block): ${unsupported.length} of ${total} claims have no supporting source: ${quoted.join('; ')}${more}. ` +
    `To go on: edit the script and run it as your own (\`lost-archives create --script FILE.md\`, with its sources as links), ` +
    `have it researched and written again (\`lost-archives retry ${storyId} --from generate_script\`), ` +
    `or set research.factCheck to warn and \`lost-archives retry ${storyId}\``
  );
}

/**
 * The links in the operator's own script. Its scenes are stored already; a stored script that no longer
 * reads as Markdown (one saved through the API's scenes, or by an older version) simply has no sources.
 */
function operatorResearch(text: string, file: string) {
  try {
    return parseScriptMarkdown(text, file).draft.research;
  } catch {
    return null;
  }
}

export async function factCheck(story: Story, ctx: StageContext, meter: Meter): Promise<void> {
  let research = await recordedResearch(ctx.db, story.id);
  if (!research) {
    const own = story.script_source?.provider === 'operator' && story.script_text;
    research = own ? (operatorResearch(story.script_text!, story.script_source?.file ?? 'script') ?? NOT_RESEARCHED) : NOT_RESEARCHED;
    await saveResearch(ctx.db, story.id, research);
  }
  const mode = ctx.config.research.factCheck;
  const text = ctx.providers.text;
  if (mode === 'off' || !text.checkClaims || research.origin === 'none') return;
  let recorded = await getResearch(ctx.db, story.id);
  if (!recorded.checked_at) {
    ctx.progress(`checking the script's claims against ${research.sources.length} sources`);
    const scenes = (await listScenes(ctx.db, story.id)).map((s) => ({ position: s.position, text: s.text_content }));
    const claims = await text.checkClaims({ topic: story.topic, language: story.language, scenes, research }, ctx.signal, meter);
    if (ctx.signal.aborted) return;
    await saveClaims(ctx.db, story.id, claims, mode);
    recorded = await getResearch(ctx.db, story.id);
  }
  const unsupported = recorded.claims.filter((c) => c.verdict === 'unsupported');
  ctx.progress(`${recorded.sources.length} sources; ${recorded.claims.length - unsupported.length} of ${recorded.claims.length} claims supported`);
  if (!unsupported.length) return;
  if (mode === 'block') throw new PermanentError(blockMessage(story.id, recorded.claims.length, unsupported));
  ctx.log.warn(`${unsupported.length} of ${recorded.claims.length} claims of the script have no supporting source (research.factCheck is warn): \`lost-archives status ${story.id}\` lists them`);
}
