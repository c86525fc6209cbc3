import { PermanentError } from '../../../errors.js';
import { type Get, parseJson } from './http.js';
import { locLicence } from './licences.js';
import type { Candidate } from './ranking.js';
import type { Refusal } from './commons.js';

/**
 * The Library of Congress's loc.gov JSON API: `/photos/?q=…&fo=json` (photos, prints and drawings),
 * `c` results a page, only records with images online. Each result lists its renditions in
 * `image_url`, each URL with its size in the fragment (`#h=…&w=…`).
 */

export const LOC = 'the Library of Congress';

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : v == null ? [] : [v]).map(String);

/** The renditions of a result, largest last. */
export function renditions(imageUrls: unknown): { url: string; width: number; height: number }[] {
  return asList(imageUrls)
    .map((u) => {
      const frag = new URLSearchParams(u.split('#')[1] ?? '');
      return { url: u.split('#')[0], width: Number(frag.get('w')), height: Number(frag.get('h')) };
    })
    .filter((r) => r.width > 0 && r.height > 0)
    .sort((a, b) => a.width * a.height - b.width * b.height);
}

export function loc(root: string, get: Get) {
  return {
    async search(terms: string, limit: number, signal: AbortSignal): Promise<{ candidates: Candidate[]; refused: Refusal[] }> {
      const u = new URL('photos/', root.endsWith('/') ? root : `${root}/`);
      u.searchParams.set('q', terms);
      u.searchParams.set('fo', 'json');
      u.searchParams.set('c', String(limit));
      u.searchParams.set('fa', 'online-format:image');
      const url = u.toString();
      const check = (bytes: Buffer) => {
        const body = parseJson(LOC, url, bytes);
        if (!Array.isArray(body?.results)) throw new PermanentError(`${LOC} answered without results for ${url}`);
      };
      const body = parseJson(LOC, url, await get(url, signal, check));
      const candidates: Candidate[] = [];
      const refused: Refusal[] = [];
      (body.results as any[]).forEach((r, rank) => {
        const pageUrl = String(r.url ?? r.id ?? '').replace(/^http:/, 'https:');
        const sizes = renditions(r.image_url);
        const largest = sizes[sizes.length - 1];
        if (!largest) return refused.push({ pageUrl, why: 'no image online' });
        const licence = locLicence(r);
        if (!licence.ok) return refused.push({ pageUrl, why: licence.why });
        candidates.push({
          source: 'loc',
          pageUrl,
          title: String(r.title ?? 'Untitled'),
          description: asList(r.description).join(' '),
          author: licence.author,
          licence: licence.name,
          licenceUrl: licence.url,
          width: largest.width,
          height: largest.height,
          thumbUrl: sizes.find((s) => Math.max(s.width, s.height) >= 150)?.url ?? sizes[0].url,
          fileUrl: largest.url,
          rank,
        });
      });
      return { candidates, refused };
    },
  };
}
