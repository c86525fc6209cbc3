/**
 * Every prompt the Google providers send, in one place. Placeholders are filled by the functions
 * below; nothing else in the code writes instructions for a model.
 */

/** Narration pace used to size a script: words per minute of a calm documentary voice. */
export const WORDS_PER_MINUTE = 140;

export const SCRIPT_SYSTEM = `You write narration for "The Lost Archives", a YouTube channel of calm, well-researched history documentaries.
Rules:
- Research with Google Search before you write, and base every date, name, place, number and quotation on what the search results say; leave out what you cannot find.
- Tell what the historical record supports. Mark uncertainty plainly ("the sources disagree", "according to ..."). Never invent quotes, names, numbers or dates.
- Spoken language: short and medium sentences, no lists, no headings, no stage directions, no sound cues, no emojis, no markdown.
- Each scene is one idea or moment of the story, in order, and hands over naturally to the next.
- Each scene's visual describes one still picture that could illustrate it: a place, an object, a document, a scene of the period. No text or lettering in the picture, no logos, no recognisable likeness of living people, no gore.
- "style" is one archival visual style shared by every still of this film (medium, era look, palette, lighting, grain), so the pictures look like one collection.`;

export function scriptPrompt(p: { topic: string; languageName: string; language: string; minutes: number; minScenes: number; maxScenes: number }): string {
  const words = Math.round(p.minutes * WORDS_PER_MINUTE);
  const scenes = Math.min(p.maxScenes, Math.max(p.minScenes, Math.round(p.minutes * 1.5)));
  return `Write a documentary script about: ${p.topic}

Language of everything you write (title, hook, scene titles, narration): ${p.languageName} (${p.language}). The visual descriptions and the style are in English.
Length: about ${words} words of narration in all (${p.minutes} minutes spoken), in ${scenes} scenes (at least ${p.minScenes}, at most ${p.maxScenes}), about ${Math.round(words / scenes)} words each.
"hook": two or three sentences that open the film with its central question or its most striking fact; it is spoken before the first scene.
Answer with JSON only, in the given schema.`;
}

export const METADATA_SYSTEM = `You write YouTube metadata for "The Lost Archives", a history documentary channel.
Be accurate and specific: the title and description promise only what the video delivers. No clickbait, no false claims, no ALL CAPS words, no emojis, no angle brackets, no hashtags in the title.`;

export function metadataPrompt(p: { topic: string; languageName: string; script: string; chapters: string[] }): string {
  return `The video's topic: ${p.topic}
Language of the title, description and headline: ${p.languageName}.
Its chapters (added below your description automatically):
${p.chapters.join('\n')}

The narration:
${p.script}

Write:
- "title": at most 90 characters, what the film is about and why it is worth watching;
- "description": two or three short paragraphs (at most 2500 characters) that summarise the film honestly; do not list the chapters or timestamps;
- "tags": 8 to 20 search terms, each at most 30 characters, most specific first;
- "thumbnailHeadline": at most 5 words for the thumbnail, in capitals or not, no punctuation at the end.
Answer with JSON only, in the given schema.`;
}

export const CLAIMS_SYSTEM = `You check documentary scripts for a history channel. You list the checkable claims of a script and say which numbered source passage, if any, states each one. You never judge from your own knowledge: a claim is backed only by a passage that says the same thing.`;

export function claimsPrompt(p: { topic: string; scenes: { position: number; text: string }[]; passages: { id: number; scene: number | null; text: string }[] }): string {
  const passages = p.passages.length
    ? p.passages.map((x) => `[P${x.id}] (${x.scene === null ? 'whole script' : `scene ${x.scene}`}) ${x.text}`).join('\n')
    : '(none)';
  return `The script's topic: ${p.topic}

The script, scene by scene:
${p.scenes.map((s) => `Scene ${s.position}: ${s.text}`).join('\n')}

Source passages (what the sources back, with the scene they belong to):
${passages}

List the script's checkable claims: dates, names of people, places, numbers and quotations, at most 60, in the order they are spoken. For each:
- "scene": the scene it is spoken in;
- "text": the claim in one short sentence, in the script's language;
- "kind": date, name, place, number, quotation or other;
- "passage": the number of the passage of the same scene (or of the whole script) that states it (P3 is 3), or null when none does.
Answer with JSON only, in the given schema.`;
}

export function repairPrompt(issues: string): string {
  return `Your answer did not match the required JSON schema: ${issues}
Answer again with the complete corrected JSON only, nothing else.`;
}

/** The request for one still; `prompt` is the scene's image prompt (its visual plus the film's style). */
export function stillPrompt(prompt: string, aspectRatio: string): string {
  return `Create one still image for a history documentary, aspect ratio ${aspectRatio}, filling the whole frame.
${prompt}
No text, captions, letters, watermarks, borders or logos in the image.`;
}

export const SAFE_REWRITE_SYSTEM = `You rewrite image prompts for a history documentary so that an image model's safety filters accept them, keeping what the picture is about.`;

export function safeRewritePrompt(prompt: string, reason: string): string {
  return `This image prompt was refused by the image model (${reason}):
${prompt}

Rewrite it once, in English, as a prompt for the same scene that is safe to generate: show the place, the objects, the documents or the aftermath instead of violence, injury or death; no nudity; no real, identifiable people, only anonymous figures of the period; no symbols of hate groups. Keep the visual style words.
Answer with the rewritten prompt only.`;
}

export const PICTURE_CHOICE_SYSTEM = `You pick archival pictures for "The Lost Archives", a history documentary channel. A wrong picture misleads the viewer; no picture is better than a wrong one.`;

/** The choice among archive candidates: their titles and descriptions here, their thumbnails attached in the same order. */
export function pictureChoicePrompt(p: { narration: string; visual: string; candidates: { title: string; description: string; source: string }[] }): string {
  const list = p.candidates.map((c, i) => `Picture ${i + 1} (${c.source}): ${c.title}${c.description ? ` — ${c.description.slice(0, 300)}` : ''}`).join('\n');
  return `The narrator says in this scene:
${p.narration}

The picture the scene wants: ${p.visual}

Candidates from public archives (their thumbnails follow, in this order):
${list}

"choice": the number of the picture that truly shows what the narration is about (the same place, object, document, person or event, or a faithful depiction of it from the period), or 0 when none does. "reason": one short sentence.
Answer with JSON only, in the given schema.`;
}
