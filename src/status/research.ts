import Table from 'cli-table3';
import type { StoryResearch } from '../db/research.js';
import { cut } from './cell.js';

/** The research part of `status ID`: where the facts come from, the sources and the claims with their verdicts. */


function headline(r: StoryResearch): string {
  if (r.origin === null) return 'sources  not recorded (the script stage has not run, or ran before research existed)';
  if (r.origin === 'none') return 'sources  no sources: the offline preview script is a placeholder, not researched';
  const from = r.origin === 'search' ? `Google Search (${r.search_queries.length} queries)` : "the operator's script";
  if (!r.sources.length) return `sources  no sources from ${from}`;
  return `sources  ${r.sources.length} from ${from}`;
}

function verdicts(r: StoryResearch): string {
  if (!r.checked_at) return 'claims   not checked (research.factCheck is off, or the writer cannot check)';
  const unsupported = r.claims.filter((c) => c.verdict === 'unsupported').length;
  return `claims   ${r.claims.length - unsupported} of ${r.claims.length} supported${unsupported ? `, ${unsupported} unsupported` : ''} (checked with factCheck ${r.fact_check})`;
}

export function researchView(r: StoryResearch): string {
  const out = [headline(r)];
  if (r.origin !== null && r.origin !== 'none') out.push(verdicts(r));
  if (r.sources.length) {
    const t = new Table({ head: ['#', 'source', 'domain', 'scenes', 'cited'], style: { head: [], border: [] } });
    for (const s of r.sources) t.push([s.position, cut(s.title ?? s.url, 40), cut(s.domain), s.scenes.join(' ') || '-', s.citations]);
    out.push(t.toString());
  }
  if (r.claims.length) {
    const t = new Table({ head: ['scene', 'claim', 'kind', 'verdict', 'sources'], style: { head: [], border: [] } });
    for (const c of r.claims) t.push([c.scene ?? '-', cut(c.text, 60), cut(c.kind), c.verdict, c.sources.join(' ') || '-']);
    out.push(t.toString());
  }
  return out.join('\n');
}
