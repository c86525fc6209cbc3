import fs from 'node:fs';
import type { ArchivesConfig } from '../../../config/archives.js';
import { runFfmpeg } from '../../../media/ffmpeg.js';
import type { ImageProvider, Meter, StillOutcome, StillRequest } from '../../types.js';
import type { Chooser } from './choice.js';
import { COMMONS, commons } from './commons.js';
import { type AnswerCache, MissingError, politeGet } from './http.js';
import { LOC, loc } from './loc.js';
import { type Candidate, fitOf, modificationOf, rank } from './ranking.js';

/**
 * Real pictures from Wikimedia Commons and the Library of Congress, with their provenance. Per scene:
 * both archives are searched with the scene's search words; records whose own metadata does not
 * grant public domain, CC0, CC BY or CC BY-SA are refused (licences.ts), as are pictures too small for
 * the frame (more than `maxUpscale` of enlarging) and pictures this story already uses; the rest are
 * ranked by their words (ranking.ts) and, with a chooser (Gemini), the best few are shown to the model
 * with the narration, which picks one or none. Nothing fitting is `none`: the next provider draws.
 */

/** Candidates the chooser sees at most. */
const SHOWN = 5;

/** The scene's search words: the script's, or the image prompt without its style. */
export function searchWords(req: Pick<StillRequest, 'searchTerms' | 'prompt'>): string {
  if (req.searchTerms?.trim()) return req.searchTerms.trim();
  return req.prompt.split(/\bStyle:/)[0].split(/\s+/).slice(0, 8).join(' ').trim();
}

export function archiveFinder(cfg: ArchivesConfig, cache: AnswerCache, chooser: Chooser | null): ImageProvider {
  const commonsApi = commons(cfg.commonsUrl, politeGet('commons', cfg, cache));
  const archives = [
    { name: COMMONS, search: commonsApi.search, get: politeGet('commons-files', cfg, cache) },
    { name: LOC, ...loc(cfg.locUrl, politeGet('loc', cfg, cache)), get: politeGet('loc-files', cfg, cache) },
  ];
  const byName = (c: Candidate) => archives[c.source === 'commons' ? 0 : 1];

  async function choose(req: StillRequest, terms: string, ranked: Candidate[], signal: AbortSignal, meter?: Meter): Promise<Candidate | null> {
    if (!chooser) return ranked[0] ?? null;
    const shown: (Candidate & { thumb: { mimeType: string; data: Buffer } })[] = [];
    for (const c of ranked.slice(0, SHOWN)) {
      if (!c.thumbUrl) continue;
      try {
        const data = await byName(c).get(c.thumbUrl, signal);
        shown.push({ ...c, thumb: { mimeType: c.thumbUrl.endsWith('.png') ? 'image/png' : 'image/jpeg', data } });
      } catch (err) {
        if (!(err instanceof MissingError)) throw err;
      }
    }
    if (!shown.length) return null;
    const at = await chooser({ narration: req.narration ?? req.caption, visual: `${terms}. ${req.prompt}`, scene: req.position, candidates: shown }, signal, meter);
    return at === null ? null : shown[at];
  }

  return {
    name: 'archive',
    async drawStill(req, signal, meter): Promise<StillOutcome> {
      const terms = searchWords(req);
      const found: Candidate[] = [];
      const notes: string[] = [];
      for (const a of archives) {
        const r = await a.search(terms, cfg.candidates, signal);
        found.push(...r.candidates);
        if (r.refused.length) notes.push(`${a.name}: ${r.refused.length} refused (${r.refused.map((x) => x.why).slice(0, 3).join('; ')})`);
      }
      const usable = found.filter((c) => fitOf(c.width, c.height, req.width, req.height).scale <= cfg.maxUpscale && !req.taken?.(c.pageUrl));
      let ranked = rank(terms, usable);
      if (!ranked.length) return { kind: 'none', reason: `nothing fitting for "${terms}" (${found.length} usable records${notes.length ? `; ${notes.join('; ')}` : ''})` };
      for (;;) {
        const pick = await choose(req, terms, ranked, signal, meter);
        if (!pick) return { kind: 'none', reason: `none of ${ranked.length} candidates for "${terms}" fits the scene` };
        // another scene took it meanwhile: choose again without it
        if (req.claim && !req.claim(pick.pageUrl)) {
          ranked = ranked.filter((c) => c.pageUrl !== pick.pageUrl);
          continue;
        }
        const fit = fitOf(pick.width, pick.height, req.width, req.height);
        let fileUrl: string;
        try {
          fileUrl = pick.fileUrl ?? (await commonsApi.fileUrl(pick, Math.min(pick.width, Math.ceil(pick.width * Math.min(1, fit.scale * 2))), signal));
          await writeStill(await byName(pick).get(fileUrl, signal), req, signal);
        } catch (err) {
          // a file gone since the search: the next best
          if (!(err instanceof MissingError)) throw err;
          ranked = ranked.filter((c) => c.pageUrl !== pick.pageUrl);
          continue;
        }
        return {
          kind: 'found',
          credit: {
            source: pick.source,
            page_url: pick.pageUrl,
            file_url: fileUrl,
            title: pick.title,
            author: pick.author,
            licence: pick.licence,
            licence_url: pick.licenceUrl,
            modification: modificationOf(pick.width, pick.height, req.width, req.height),
          },
        };
      }
    },
  };
}

/**
 * The picture as a PNG in its own shape (the render fits it: src/media/plate.ts), reduced to at most
 * twice the frame so the zoom has detail to spare; never enlarged here.
 */
async function writeStill(bytes: Buffer, req: StillRequest, signal: AbortSignal): Promise<void> {
  const source = `${req.out}.source`;
  await fs.promises.writeFile(source, bytes);
  try {
    await runFfmpeg(
      {
        inputs: [{ path: source }],
        filter: `[0:v]scale=w='min(iw,${2 * req.width})':h='min(ih,${2 * req.height})':force_original_aspect_ratio=decrease:flags=lanczos,setsar=1,format=rgb24[out]`,
        outputOptions: ['-map', '[out]', '-frames:v', '1', '-update', '1'],
        output: req.out,
      },
      { signal },
    );
  } finally {
    await fs.promises.rm(source, { force: true });
  }
}
