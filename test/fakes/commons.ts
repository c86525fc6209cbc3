import { FailureQueue, fileReply, matches, userAgentRefusal } from './archive-rules.js';
import { type FakeServer, startFake } from './http.js';

/**
 * A loopback Wikimedia Commons: the MediaWiki Action API at `/w/api.php` (`action=query` with
 * `generator=search` or `titles=`, `prop=imageinfo` with `iiprop`, `iiurlwidth`, `iiextmetadatafilter`)
 * answering in its real shapes (formatversion 2: `query.pages` an array with `index`; 1: an object by
 * page id), with MediaWiki's error objects (HTTP 200, `MediaWiki-API-Error` header) for bad
 * parameters, and the files at `/upload/…`. Field names and values follow
 * https://www.mediawiki.org/wiki/API:Imageinfo and Commons' extmetadata (values as HTML with `source`).
 */

export interface CommonsRecord {
  /** file name without `File:` */
  name: string;
  description: string;
  /** Artist, as HTML */
  artist?: string;
  credit?: string;
  /** extmetadata License: `pd`, `cc0`, `cc-by-4.0`, `cc-by-sa-3.0`, `cc-by-nc-sa-4.0`, … */
  license?: string;
  licenseShortName?: string;
  licenseUrl?: string;
  nonFree?: boolean;
  width: number;
  height: number;
  mime: string;
  bytes: Buffer;
}

const IIPROPS = new Set(['timestamp', 'user', 'userid', 'comment', 'parsedcomment', 'canonicaltitle', 'url', 'size', 'dimensions', 'sha1', 'mime', 'thumbmime', 'mediatype', 'metadata', 'commonmetadata', 'extmetadata', 'archivename', 'bitdepth', 'uploadwarning', 'badfile']);

const apiError = (code: string, info: string) => ({
  headers: { 'mediawiki-api-error': code },
  body: { error: { code, info, docref: 'See https://commons.wikimedia.org/w/api.php for API usage.' }, servedby: 'mw-api-ext.fake' },
});

export async function startCommonsFake(records: CommonsRecord[]): Promise<FakeServer & { failures: FailureQueue; apiCalls: () => URLSearchParams[]; fileGets: () => string[] }> {
  const failures = new FailureQueue();
  let base = '';
  const meta = (r: CommonsRecord, filter: Set<string> | null) => {
    const all: Record<string, string | undefined> = {
      ObjectName: r.name.replace(/\.[a-z]+$/i, '').replace(/_/g, ' '),
      ImageDescription: r.description,
      Artist: r.artist,
      Credit: r.credit,
      LicenseShortName: r.licenseShortName,
      License: r.license,
      LicenseUrl: r.licenseUrl,
      AttributionRequired: r.license?.startsWith('cc-by') ? 'true' : 'false',
      UsageTerms: r.licenseShortName,
      Copyrighted: r.license === 'pd' || r.license === 'cc0' ? 'False' : 'True',
      NonFree: r.nonFree ? 'true' : undefined,
    };
    return Object.fromEntries(
      Object.entries(all)
        .filter(([k, v]) => v !== undefined && (!filter || filter.has(k)))
        .map(([k, v]) => [k, { value: v, source: k === 'ObjectName' ? 'description' : 'commons-desc-page', hidden: '' }]),
    );
  };
  const info = (r: CommonsRecord, props: Set<string>, width: number | null, filter: Set<string> | null) => {
    const i: Record<string, unknown> = {};
    const file = `${base}/upload/${encodeURIComponent(r.name)}`;
    if (props.has('size') || props.has('dimensions')) Object.assign(i, { size: r.bytes.length, width: r.width, height: r.height });
    if (props.has('url')) {
      if (width && width < r.width) {
        // a rendition of that width (this fake serves the original's bytes for it)
        Object.assign(i, { thumburl: `${base}/upload/thumb/${encodeURIComponent(r.name)}/${width}px-${encodeURIComponent(r.name)}`, thumbwidth: width, thumbheight: Math.round((r.height * width) / r.width) });
      } else if (width) Object.assign(i, { thumburl: file, thumbwidth: r.width, thumbheight: r.height });
      Object.assign(i, { url: file, descriptionurl: `https://commons.wikimedia.org/wiki/File:${encodeURIComponent(r.name)}`, descriptionshorturl: `https://commons.wikimedia.org/w/index.php?curid=${100 + records.indexOf(r)}` });
    }
    if (props.has('mime')) i.mime = r.mime;
    if (props.has('extmetadata')) i.extmetadata = meta(r, filter);
    return i;
  };
  const server = await startFake((req) => {
    const refused = userAgentRefusal(req, 'Please set a user-agent and respect our robot policy https://w.wiki/4wJS. See also https://phabricator.wikimedia.org/T400119.\n');
    if (refused) return refused;
    const failure = failures.next();
    if (failure) return failure;
    const file = /^\/upload\/(?:thumb\/[^/]+\/\d+px-)?([^/]+)$/.exec(req.path);
    if (file) {
      const r = records.find((x) => x.name === file[1]);
      return r ? fileReply(r.bytes, r.mime) : { status: 404, headers: { 'content-type': 'text/html' }, raw: '<html><body>404 Not Found</body></html>', body: null };
    }
    if (req.path !== '/w/api.php' || req.method !== 'GET') return { status: 404, headers: { 'content-type': 'text/html' }, raw: '<html><body>404 Not Found</body></html>', body: null };
    const q = req.query;
    if (q.get('format') !== 'json') return { headers: { 'content-type': 'text/html' }, raw: '<!DOCTYPE html><html><body><h1>MediaWiki API help</h1></body></html>', body: null };
    if (q.get('action') !== 'query') return apiError('badvalue', `Unrecognized value for parameter "action": ${q.get('action') ?? ''}.`);
    const props = new Set((q.get('iiprop') ?? 'timestamp|user').split('|'));
    const unknown = [...props].filter((p) => !IIPROPS.has(p));
    if (unknown.length) return apiError('badvalue', `Unrecognized value for parameter "iiprop": ${unknown[0]}.`);
    if (q.get('prop') !== 'imageinfo') return apiError('badvalue', `this fake serves prop=imageinfo only, not "${q.get('prop')}"`);
    const width = q.get('iiurlwidth') ? Number(q.get('iiurlwidth')) : null;
    if (width !== null && !(width > 0)) return apiError('badinteger', `Invalid value "${q.get('iiurlwidth')}" for integer parameter "iiurlwidth".`);
    const filter = q.get('iiextmetadatafilter') ? new Set(q.get('iiextmetadatafilter')!.split('|')) : null;
    let pages: Record<string, unknown>[];
    if (q.get('generator') === 'search') {
      const search = q.get('gsrsearch');
      if (!search) return apiError('missingparam', 'The "gsrsearch" parameter must be set.');
      const limit = Number(q.get('gsrlimit') ?? 10);
      if (!(limit >= 1 && limit <= 500)) return apiError('badinteger', `Invalid value "${q.get('gsrlimit')}" for integer parameter "gsrlimit".`);
      const bitmap = /\bfiletype:bitmap\b/.test(search);
      const words = search.replace(/\bfiletype:\w+/g, '');
      const found = q.get('gsrnamespace') === '6' ? records.filter((r) => matches(words, `${r.name} ${r.description}`) && (!bitmap || /^image\/(jpeg|png|gif|tiff|webp)$/.test(r.mime))) : [];
      pages = found.slice(0, limit).map((r, i) => ({ pageid: 100 + records.indexOf(r), ns: 6, title: `File:${r.name}`, index: i + 1, imagerepository: 'local', imageinfo: [info(r, props, width, filter)] }));
    } else if (q.get('titles')) {
      pages = q.get('titles')!.split('|').map((t) => {
        const r = records.find((x) => `File:${x.name}` === t.replace(/ /g, '_'));
        return r ? { pageid: 100 + records.indexOf(r), ns: 6, title: t, imagerepository: 'local', imageinfo: [info(r, props, width, filter)] } : { ns: 6, title: t, missing: true, known: false };
      });
    } else return apiError('missingparam', 'One of the parameters "titles", "pageids", "revids" or "generator" is required.');
    if (!pages.length) return { body: { batchcomplete: true } };
    const v2 = q.get('formatversion') === '2';
    return { body: { batchcomplete: v2 ? true : '', query: { pages: v2 ? pages : Object.fromEntries(pages.map((p, i) => [String(p.pageid ?? -1 - i), p])) } } };
  });
  base = server.url;
  return Object.assign(server, {
    failures,
    apiCalls: () => server.requests.filter((r) => r.path === '/w/api.php').map((r) => r.query),
    fileGets: () => server.requests.filter((r) => r.path.startsWith('/upload/')).map((r) => r.path),
  });
}
