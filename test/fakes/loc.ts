import { FailureQueue, fileReply, matches, userAgentRefusal } from './archive-rules.js';
import { type FakeServer, startFake } from './http.js';

/**
 * A loopback loc.gov JSON API: `GET /photos/?q=…&fo=json&c=…` answering like
 * https://www.loc.gov/apis/json-and-yaml/responses/search-results/ (`results`, `pagination`,
 * `facets`, `search`), each result with `id`, `url`, `title`, `date`, `description`, `contributor`,
 * `image_url` (renditions with `#h=…&w=…`), `access_restricted`, `online_format`, `original_format`
 * and its `item` (`rights_advisory`, `creator`, `created_published`). Without `fo=json` it answers
 * the HTML page, as loc.gov does; `c` outside 1..1000 is a 400. Renditions are served from
 * `/storage-services/…`.
 */

export interface LocRecord {
  id: string;
  title: string;
  description: string;
  creator?: string;
  /** `No known restrictions on publication.`, `Rights status not evaluated. …`, or absent */
  rightsAdvisory?: string;
  accessRestricted?: boolean;
  width: number;
  height: number;
  bytes: Buffer;
  /** a small rendition's bytes (default: the same bytes) */
  thumb?: Buffer;
}

export async function startLocFake(records: LocRecord[]): Promise<FakeServer & { failures: FailureQueue; searches: () => URLSearchParams[]; fileGets: () => string[] }> {
  const failures = new FailureQueue();
  let base = '';
  const result = (r: LocRecord, index: number) => {
    const small = { w: Math.round((150 * r.width) / r.height), h: 150 };
    const dir = `${base}/storage-services/service/pnp/${r.id}`;
    return {
      access_restricted: r.accessRestricted ?? false,
      contributor: r.creator ? [r.creator.toLowerCase()] : [],
      date: '1890',
      description: [r.description],
      digitized: true,
      id: `http://www.loc.gov/item/${r.id}/`,
      image_url: [`${dir}/${r.id}_150px.jpg#h=${small.h}&w=${small.w}`, `${dir}/${r.id}v.jpg#h=${r.height}&w=${r.width}`],
      index,
      item: {
        created_published: ['1890.'],
        ...(r.creator ? { creator: r.creator } : {}),
        ...(r.rightsAdvisory ? { rights_advisory: r.rightsAdvisory } : {}),
      },
      online_format: ['image'],
      original_format: ['photo, print, drawing'],
      partof: ['prints and photographs division'],
      title: r.title,
      url: `https://www.loc.gov/item/${r.id}/`,
    };
  };
  const server = await startFake((req) => {
    const refused = userAgentRefusal(req, '<!DOCTYPE html><html><head><title>Access Denied</title></head><body>Access denied: requests must identify themselves (User-Agent with contact).</body></html>');
    if (refused) return { ...refused, headers: { 'content-type': 'text/html' } };
    const failure = failures.next();
    if (failure) return failure;
    const file = /^\/storage-services\/service\/pnp\/([^/]+)\/[^/]+?(_150px|v)\.jpg$/.exec(req.path);
    if (file) {
      const r = records.find((x) => x.id === file[1]);
      if (!r) return { status: 404, headers: { 'content-type': 'text/html' }, raw: '<html><body>Not Found</body></html>', body: null };
      return fileReply(file[2] === '_150px' ? (r.thumb ?? r.bytes) : r.bytes, 'image/jpeg');
    }
    if (req.path !== '/photos/') return { status: 404, headers: { 'content-type': 'text/html' }, raw: '<html><body>Page Not Found</body></html>', body: null };
    const q = req.query;
    if (q.get('fo') !== 'json') return { headers: { 'content-type': 'text/html' }, raw: '<!DOCTYPE html><html lang="en"><head><title>Photos, Prints, Drawings | Library of Congress</title></head><body></body></html>', body: null };
    const c = Number(q.get('c') ?? 25);
    if (!(Number.isInteger(c) && c >= 1 && c <= 1000)) return { status: 400, body: { status: 400, error: `invalid value for c: ${q.get('c')}` } };
    const found = records.filter((r) => !q.get('q') || matches(q.get('q')!, `${r.title} ${r.description}`));
    const page = found.slice(0, c).map((r, i) => result(r, i + 1));
    return {
      body: {
        facets: [],
        pagination: { current: 1, first: null, from: found.length ? 1 : 0, last: null, next: null, of: found.length, perpage: c, previous: null, results: `1 - ${page.length}`, to: page.length, total: found.length ? 1 : 0 },
        results: page,
        search: { field: null, query: q.get('q') ?? '', type: 'search' },
      },
    };
  });
  base = server.url;
  return Object.assign(server, {
    failures,
    searches: () => server.requests.filter((r) => r.path === '/photos/').map((r) => r.query),
    fileGets: () => server.requests.filter((r) => r.path.startsWith('/storage-services/')).map((r) => r.path),
  });
}
