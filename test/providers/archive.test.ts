import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { RetryableError, UsageError } from '../../src/errors.js';
import { probe } from '../../src/media/ffmpeg.js';
import { archiveFinder } from '../../src/providers/image/archive/index.js';
import { commonsLicence, locLicence } from '../../src/providers/image/archive/licences.js';
import { fitOf, modificationOf, rank } from '../../src/providers/image/archive/ranking.js';
import type { StillRequest } from '../../src/providers/types.js';
import { CONTACT, memoryCache, startArchiveFakes } from '../fakes/archives.js';
import { tempDir } from '../helpers/services.js';

const meta = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([k, value]) => [k, { value, source: 'commons-desc-page', hidden: '' }]));

describe('licences from the record’s own metadata', () => {
  it('takes public domain, CC0, CC BY and CC BY-SA from Commons, and refuses the rest and what is not stated', () => {
    expect(commonsLicence(meta({ License: 'pd', LicenseShortName: 'Public domain' }))).toMatchObject({ ok: true, name: 'Public domain', author: null });
    expect(commonsLicence(meta({ License: 'cc0', LicenseShortName: 'CC0' }))).toMatchObject({ ok: true, name: 'CC0' });
    expect(commonsLicence(meta({ License: 'cc-by-4.0', LicenseShortName: 'CC BY 4.0', LicenseUrl: 'https://creativecommons.org/licenses/by/4.0', Artist: '<a href="x">Jane Roe</a>' }))).toEqual({
      ok: true, name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0', author: 'Jane Roe',
    });
    expect(commonsLicence(meta({ License: 'cc-by-sa-3.0', Artist: 'J. Doe' }))).toMatchObject({ ok: true, name: 'CC BY-SA 3.0' });
    const refused = [
      meta({ License: 'cc-by-nc-sa-4.0', LicenseShortName: 'CC BY-NC-SA 4.0', Artist: 'x' }),
      meta({ License: 'cc-by-nd-4.0', Artist: 'x' }),
      meta({ License: 'fal', LicenseShortName: 'FAL', Artist: 'x' }),
      meta({ License: 'gfdl', LicenseShortName: 'GFDL', Artist: 'x' }),
      meta({ LicenseShortName: 'Some licence' }),
      meta({}),
      meta({ License: 'pd', NonFree: 'true' }),
      meta({ License: 'pd', Restrictions: 'personality' }),
      // CC BY without anyone to credit cannot be used as the licence asks
      meta({ License: 'cc-by-4.0' }),
    ];
    for (const m of refused) expect(commonsLicence(m).ok, JSON.stringify(m)).toBe(false);
    expect(commonsLicence(refused[0])).toEqual({ ok: false, why: 'licence CC BY-NC-SA 4.0 is not public domain, CC0, CC BY or CC BY-SA' });
  });

  it('takes only the Library of Congress’s own "No known restrictions on publication"', () => {
    expect(locLicence({ item: { rights_advisory: 'No known restrictions on publication.', creator: 'Brady, Mathew B.' } })).toMatchObject({ ok: true, author: 'Brady, Mathew B.' });
    expect(locLicence({ item: { rights_advisory: ['No known restrictions on publication.'] } }).ok).toBe(true);
    for (const r of [
      { item: { rights_advisory: 'Rights status not evaluated. For general information see "Copyright and Other Restrictions..."' } },
      { item: { rights_advisory: 'Publication may be restricted. For information see "New York World-Telegram..."' } },
      { item: {} },
      { item: { rights_advisory: 'No known restrictions on publication.' }, access_restricted: true },
    ]) {
      expect(locLicence(r).ok, JSON.stringify(r)).toBe(false);
    }
  });
});

describe('archive settings', () => {
  it('refuse the archive provider without a contact, and a generator before a finder', () => {
    expect(() => parseConfig({ providers: { image: ['archive', 'gemini'] } }, 'c.ts')).toThrow(UsageError);
    expect(() => parseConfig({ providers: { image: ['archive', 'gemini'] } }, 'c.ts')).toThrow(/archives\.userAgent: is required when providers\.image includes archive/);
    expect(() => parseConfig({ providers: { image: 'archive' }, archives: { userAgent: 'Bot/1.0' } }, 'c.ts')).toThrow(/archives\.userAgent: must name a contact/);
    expect(() => parseConfig({ providers: { image: ['gemini', 'archive'] }, archives: { userAgent: CONTACT } }, 'c.ts')).toThrow(/gemini draws every still, so archive after it would never be tried/);
    expect(parseConfig({ providers: { image: 'gemini' } }, 'c.ts').providers.image).toEqual(['gemini']);
    expect(parseConfig({ providers: { image: ['archive', 'preview'] }, archives: { userAgent: CONTACT } }, 'c.ts').providers.image).toEqual(['archive', 'preview']);
  });

  it('fit pictures the way the render does, within the enlarging limit', () => {
    expect(fitOf(1920, 1080, 1920, 1080)).toEqual({ whole: false, scale: 1 });
    expect(fitOf(700, 1000, 1920, 1080)).toMatchObject({ whole: true, scale: 1.08 });
    expect(modificationOf(700, 1000, 1920, 1080)).toBe('shown whole over a blurred, darkened copy of itself; enlarged 1.08x; slow zoom and pan');
    expect(modificationOf(2000, 1100, 1920, 1080)).toBe('cropped to the frame (at most 12%); slow zoom and pan');
    const c = (title: string, rank: number) => ({ source: 'commons', pageUrl: title, title, description: '', author: null, licence: 'CC0', licenceUrl: null, width: 1, height: 1, thumbUrl: null, fileUrl: null, rank });
    expect(rank('library alexandria engraving', [c('Harbour view', 0), c('Alexandria library', 1), c('Engravings of the Library of Alexandria', 2)]).map((x) => x.title)).toEqual([
      'Engravings of the Library of Alexandria',
      'Alexandria library',
    ]);
  });
});

describe('archive finder against the archives’ fakes', () => {
  let fakes: Awaited<ReturnType<typeof startArchiveFakes>>;
  let dir: string;
  const signal = new AbortController().signal;
  const config = (extra: object = {}) => parseConfig({ providers: { image: 'archive' }, archives: { ...fakes.config, ...extra } }, 'test').archives;
  const request = (searchTerms: string, out = path.join(dir, `${searchTerms.replace(/\W+/g, '-')}.png`)): StillRequest => ({
    prompt: 'a picture', caption: 'Scene', position: 1, total: 1, topic: 'Alexandria', language: 'en-US', width: 640, height: 360, out, searchTerms,
  });
  beforeAll(async () => {
    dir = tempDir('la-archive-');
    fakes = await startArchiveFakes(dir);
  });
  afterAll(async () => {
    await fakes?.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('refuse what the real ones refuse: no User-Agent, a generic one, the wrong parameters', async () => {
    const api = `${fakes.commons.url}/w/api.php?action=query&format=json&formatversion=2&generator=search&gsrsearch=alexandria&gsrnamespace=6&prop=imageinfo&iiprop=url`;
    expect((await fetch(api)).status).toBe(403);
    expect(await (await fetch(api, { headers: { 'user-agent': 'python-requests/2.31' } })).text()).toMatch(/Please set a user-agent/);
    const ok = await (await fetch(api, { headers: { 'user-agent': CONTACT } })).json();
    expect(ok.query.pages.map((p: any) => p.title)).toContain('File:Library_of_Alexandria_temple_engraving.jpg');
    const bad = await fetch(api.replace('action=query', 'action=search'), { headers: { 'user-agent': CONTACT } });
    expect(bad.headers.get('mediawiki-api-error')).toBe('badvalue');
    expect((await bad.json()).error.info).toBe('Unrecognized value for parameter "action": search.');
    expect((await (await fetch(api.replace('iiprop=url', 'iiprop=url|licence'), { headers: { 'user-agent': CONTACT } })).json()).error.code).toBe('badvalue');
    expect(await (await fetch(`${fakes.commons.url}/w/api.php?action=query&format=json&formatversion=2&generator=search&gsrsearch=zzz+nothing&gsrnamespace=6&prop=imageinfo`, { headers: { 'user-agent': CONTACT } })).json()).toEqual({ batchcomplete: true });
    const loc = `${fakes.loc.url}/photos/?q=alexandria`;
    expect((await fetch(`${loc}&fo=json`)).status).toBe(403);
    const html = await fetch(loc, { headers: { 'user-agent': CONTACT } });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const json = await (await fetch(`${loc}&fo=json&c=5`, { headers: { 'user-agent': CONTACT } })).json();
    expect(Object.keys(json).sort()).toEqual(['facets', 'pagination', 'results', 'search']);
    expect(json.results[0].image_url[1]).toMatch(/v\.jpg#h=1000&w=700$/);
  });

  it('finds the engraving, keeps it in its own shape, and credits it', async () => {
    const finder = archiveFinder(config(), memoryCache(), null);
    const before = { commons: fakes.commons.requests.length, loc: fakes.loc.requests.length };
    const req = request('Library of Alexandria engraving');
    const outcome = await finder.drawStill(req, signal);
    expect(outcome).toEqual({
      kind: 'found',
      credit: {
        source: 'commons',
        page_url: 'https://commons.wikimedia.org/wiki/File:Library_of_Alexandria_temple_engraving.jpg',
        file_url: expect.stringMatching(/\/upload\/thumb\/Library_of_Alexandria_temple_engraving\.jpg\/\d+px-/),
        title: 'Library of Alexandria temple engraving',
        author: 'O. Von Corven',
        licence: 'Public domain',
        licence_url: null,
        modification: 'shown whole over a blurred, darkened copy of itself; slow zoom and pan',
      },
    });
    const p = await probe(req.out);
    // 1400x1000 reduced to at most twice the 640x360 frame, its shape kept (the render fits it)
    expect(p.streams[0]).toMatchObject({ width: 1008, height: 720 });
    // the search asked what the docs say, with the contact
    const search = fakes.commons.apiCalls().find((q) => q.get('gsrsearch')?.startsWith('Library of Alexandria'))!;
    expect(Object.fromEntries(search)).toMatchObject({ action: 'query', format: 'json', formatversion: '2', gsrnamespace: '6', gsrsearch: 'Library of Alexandria engraving filetype:bitmap', iiprop: 'url|size|mime|extmetadata', iiurlwidth: '320' });
    const sent = [...fakes.commons.requests.slice(before.commons), ...fakes.loc.requests.slice(before.loc)];
    expect(sent.length).toBeGreaterThanOrEqual(4);
    expect(sent.every((r) => r.headers['user-agent'] === CONTACT)).toBe(true);
  });

  it('never uses a refused licence, a tiny picture or a taken one; no results is "none"', async () => {
    const finder = archiveFinder(config(), memoryCache(), null);
    const scroll = await finder.drawStill(request('Alexandria scroll fragment'), signal);
    expect(scroll).toMatchObject({ kind: 'none', reason: expect.stringMatching(/licence CC BY-NC-SA 4.0 is not public domain/) });
    const harbour = await finder.drawStill(request('Alexandria harbour merchants'), signal);
    expect(harbour).toMatchObject({ kind: 'none', reason: expect.stringMatching(/Rights status not evaluated/) });
    expect(await finder.drawStill(request('Alexandria lighthouse sketch'), signal)).toMatchObject({ kind: 'none' });
    expect(await finder.drawStill(request('Antikythera mechanism gears'), signal)).toMatchObject({ kind: 'none', reason: expect.stringMatching(/nothing fitting/) });
    const taken = await finder.drawStill({ ...request('Library of Alexandria engraving'), taken: (u) => u.includes('engraving') }, signal);
    expect(taken.kind).toBe('none');
    expect(fakes.commons.fileGets().some((f) => /scroll|lighthouse/.test(f))).toBe(false);
    expect(fakes.loc.fileGets().some((f) => f.includes('2004679999'))).toBe(false);
  });

  it('takes no picture when the chooser says none fits, and shows it every candidate’s thumbnail', async () => {
    const seen: number[] = [];
    const finder = archiveFinder(config(), memoryCache(), async (req) => (seen.push(req.candidates.length), null));
    const outcome = await finder.drawStill({ ...request('Alexandria'), narration: 'The harbour at dawn.' }, signal);
    expect(outcome).toEqual({ kind: 'none', reason: 'none of 2 candidates for "Alexandria" fits the scene' });
    expect(seen).toEqual([2]);
  });

  it('waits as Retry-After says on a 429, backs off on a 5xx, and hands a long wait back to the queue', async () => {
    const finder = archiveFinder(config(), memoryCache(), null);
    fakes.loc.failures.push({ status: 429, retryAfter: 1 });
    const before = fakes.loc.requests.length;
    const found = await finder.drawStill(request('portrait librarian Alexandria'), signal);
    expect(found).toMatchObject({ kind: 'found', credit: { source: 'loc', page_url: 'https://www.loc.gov/item/2004671234/', author: 'Bonfils, Félix' } });
    const [limited, retried] = fakes.loc.requests.slice(before);
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(990);

    fakes.commons.failures.push({ status: 503 }, { status: 502 });
    expect((await archiveFinder(config(), memoryCache(), null).drawStill(request('temple engraving'), signal)).kind).toBe('found');

    fakes.commons.failures.push({ status: 503 }, { status: 503 }, { status: 503 });
    const down = await archiveFinder(config(), memoryCache(), null).drawStill(request('temple engraving Alexandria'), signal).catch((e) => e);
    expect(down).toBeInstanceOf(RetryableError);
    expect(down.message).toMatch(/^commons answered 503 3 time\(s\)/);

    fakes.loc.failures.push({ status: 429, retryAfter: 120 });
    const blocked = await archiveFinder(config(), memoryCache(), null).drawStill(request('portrait scholar'), signal).catch((e) => e);
    expect(blocked).toBeInstanceOf(RetryableError);
    expect(blocked.retryAfterSeconds).toBe(120);
  });

  it('asks each archive one request at a time, and a second run with the same cache asks nothing', async () => {
    const cache = memoryCache();
    const finder = archiveFinder(config({ requestGapSeconds: 0.05 }), cache, null);
    const before = { commons: fakes.commons.requests.length, loc: fakes.loc.requests.length };
    const terms = ['Library of Alexandria engraving', 'portrait librarian', 'Alexandria scroll', 'Antikythera'];
    await Promise.all(terms.map((t, i) => finder.drawStill({ ...request(t, path.join(dir, `p${i}.png`)), position: i + 1 }, signal)));
    const api = fakes.commons.requests.slice(before.commons).filter((r) => r.path === '/w/api.php');
    expect(api.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < api.length; i++) expect(api[i].at).toBeGreaterThanOrEqual(api[i - 1].done!);
    const counts = { commons: fakes.commons.requests.length, loc: fakes.loc.requests.length };
    await Promise.all(terms.map((t, i) => archiveFinder(config(), cache, null).drawStill({ ...request(t, path.join(dir, `q${i}.png`)), position: i + 1 }, signal)));
    expect({ commons: fakes.commons.requests.length, loc: fakes.loc.requests.length }).toEqual(counts);
  });
});
