import { PermanentError } from '../../../errors.js';
import { type Get, parseJson, plainText } from './http.js';
import { commonsLicence } from './licences.js';
import type { Candidate } from './ranking.js';

/**
 * Wikimedia Commons through the MediaWiki Action API: a full-text search in the File namespace (6) as
 * a generator, with `prop=imageinfo` (url, size, mime, extmetadata and a thumbnail of `thumbWidth`).
 * Errors come back as HTTP 200 with an `error` object, as the API sends them.
 */

export const COMMONS = 'Wikimedia Commons';
const PICTURES = new Set(['image/jpeg', 'image/png', 'image/tiff', 'image/webp', 'image/gif']);
const METADATA = ['ObjectName', 'ImageDescription', 'Artist', 'Credit', 'LicenseShortName', 'License', 'LicenseUrl', 'UsageTerms', 'AttributionRequired', 'NonFree', 'Restrictions'];

export interface Refusal {
  pageUrl: string;
  why: string;
}

function api(root: string, params: Record<string, string>): string {
  const u = new URL(root);
  for (const [k, v] of Object.entries({ action: 'query', format: 'json', formatversion: '2', ...params })) u.searchParams.set(k, v);
  return u.toString();
}

function checked(url: string) {
  return (bytes: Buffer) => {
    const body = parseJson(COMMONS, url, bytes);
    if (body?.error) throw new PermanentError(`${COMMONS} refused the request: ${body.error.code}: ${body.error.info}`);
  };
}

export function commons(root: string, get: Get) {
  return {
    /** Candidates (licence read) and the records refused for their licence or kind. */
    async search(terms: string, limit: number, signal: AbortSignal): Promise<{ candidates: Candidate[]; refused: Refusal[] }> {
      const url = api(root, {
        generator: 'search',
        gsrsearch: `${terms} filetype:bitmap`,
        gsrnamespace: '6',
        gsrlimit: String(limit),
        prop: 'imageinfo',
        iiprop: 'url|size|mime|extmetadata',
        iiurlwidth: '320',
        iiextmetadatafilter: METADATA.join('|'),
        iiextmetadatalanguage: 'en',
      });
      const body = parseJson(COMMONS, url, await get(url, signal, checked(url)));
      const pages: any[] = [...(body?.query?.pages ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      const candidates: Candidate[] = [];
      const refused: Refusal[] = [];
      pages.forEach((page, rank) => {
        const info = page.imageinfo?.[0];
        if (!info) return;
        const pageUrl = String(info.descriptionurl ?? '');
        if (!PICTURES.has(info.mime)) return refused.push({ pageUrl, why: `not a picture (${info.mime})` });
        const licence = commonsLicence(info.extmetadata);
        if (!licence.ok) return refused.push({ pageUrl, why: licence.why });
        const meta = info.extmetadata ?? {};
        const title = plainText(meta.ObjectName?.value) || String(page.title).replace(/^File:/, '').replace(/\.[a-z0-9]+$/i, '');
        candidates.push({
          source: 'commons',
          pageUrl,
          title,
          description: plainText(meta.ImageDescription?.value),
          author: licence.author,
          licence: licence.name,
          licenceUrl: licence.url,
          width: Number(info.width),
          height: Number(info.height),
          thumbUrl: info.thumburl ?? null,
          fileUrl: null,
          rank,
        });
      });
      return { candidates, refused };
    },

    /** The file at `width` pixels wide (a rendition Commons makes; the original when it is not wider). */
    async fileUrl(c: Candidate, width: number, signal: AbortSignal): Promise<string> {
      const title = `File:${decodeURIComponent(new URL(c.pageUrl).pathname.split('/').pop()!.replace(/^File:/, ''))}`;
      const url = api(root, { prop: 'imageinfo', titles: title, iiprop: 'url', iiurlwidth: String(width) });
      const body = parseJson(COMMONS, url, await get(url, signal, checked(url)));
      const info = body?.query?.pages?.[0]?.imageinfo?.[0];
      const file = info?.thumburl ?? info?.url;
      if (!file) throw new PermanentError(`${COMMONS} gave no file for ${c.pageUrl}`);
      return file;
    },
  };
}
