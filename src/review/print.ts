import { money } from '../status/cell.js';
import { waited } from '../status/approval.js';
import { forTerminal } from '../control-chars.js';
import type { Findings } from './findings.js';
import type { Review } from './index.js';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** The review for people: what will be sent, then the files, checks, cost and history. */
export function printReview(r: Review): string {
  const out: string[] = [];
  const waiting = r.awaiting_approval_since ? `awaiting approval for ${waited(r.awaiting_approval_since)}` : r.approval ? 'gated (approval needed after the render)' : 'not gated';
  out.push(`story     ${r.story_id}`, `topic     ${r.topic} (${r.language})`, `status    ${r.status}; ${waiting}`, `publisher ${r.publisher}${r.folder ? ` -> ${r.folder}` : ''}`);
  const y = r.youtube;
  const m = r.metadata;
  if (!m) out.push('', 'no metadata yet: the upload has nothing to send until generate_metadata has run');
  else {
    out.push('', `title     ${m.title}`);
    if (y) {
      out.push(`privacy   ${y.privacy}`, `publish   ${y.publish_at ? `${y.publish_at.toISOString()} (${y.schedule})` : 'at once'}`);
      out.push(`synthetic ${y.contains_synthetic_media ? 'declared: contains altered or synthetic media' : 'not declared'}`, `for kids  ${y.made_for_kids ? 'yes' : 'no'}`);
      out.push(`category  ${y.category_id}${y.playlist_id ? `; playlist ${y.playlist_id}` : ''}; captions ${y.captions ? 'uploaded' : 'not uploaded'}`);
    }
    out.push(`tags      ${m.tags.join(', ') || '-'}`);
    out.push(`chapters  ${m.chapters.length ? m.chapters.map((c) => `${Math.floor(c.start / 60)}:${String(Math.floor(c.start % 60)).padStart(2, '0')} ${c.title}`).join(' | ') : '-'}`);
    out.push('', 'description:', ...m.description.split('\n').map((l) => `  ${l}`));
  }
  out.push('', `video     ${r.files.video ? `${r.files.video.location} (${kib(r.files.video.bytes)})` : '-'}`);
  out.push(`thumbnail ${r.files.thumbnail ? `${r.files.thumbnail.location} (${kib(r.files.thumbnail.bytes)})` : '-'}`);
  out.push(`captions  ${r.files.captions ? r.files.captions.location : '-'}`);
  out.push(`render    ${r.checks.render}: ${r.checks.note}`);
  out.push(`cost      ${money(r.cost.usd)}${r.cost.budget_usd != null ? ` of a ${money(r.cost.budget_usd)} budget` : ''} (${r.cost.paid_calls} paid calls)`);
  out.push(...findingLines(r.findings));
  for (const e of r.history) out.push(`history   ${e.created_at.toISOString()} ${e.kind}${e.stage ? ` (${e.stage})` : ''}${e.note ? `: ${e.note}` : ''}`);
  if (r.awaiting_approval_since) {
    const id = r.story_id.slice(0, 8);
    out.push('', `approve: lost-archives approve ${id}    send back: lost-archives reject ${id} --from STAGE --note "why"`);
  }
  // stored text (topic, titles, notes, sources) cannot move the cursor or recolour the terminal
  return forTerminal(out.join('\n'), { multiline: true }) + '\n';
}

function findingLines(f: Findings): string[] {
  const out = [`sheet     ${f.sheet ? `${f.sheet.location} (${kib(f.sheet.bytes)})` : '- (the render stage makes it; `review ID --sheet` remakes it)'}`];
  const { origin, sources, claims } = f.research;
  if (origin === 'none' || origin === null) out.push('sources   none: the script was not researched (the offline writer is a placeholder)');
  else {
    const top = sources.slice(0, 3).map((s) => s.title ?? s.url);
    out.push(`sources   ${sources.length} (${origin === 'search' ? 'Google Search grounding' : "the operator's links"})${top.length ? `; most cited: ${top.join('; ')}` : ''}`);
    out.push(`claims    ${claims.checked ? `${claims.checked} checked, ${claims.unsupported.length} unsupported` : 'not checked'}`);
    for (const c of claims.unsupported) out.push(`  unsupported${c.scene ? ` (scene ${c.scene})` : ''}: ${c.text}`);
  }
  const p = f.pictures;
  out.push(`pictures  ${p.archival} archival, ${p.generated} generated`);
  for (const c of p.credits) out.push(`  scene ${c.scene}: ${c.title}${c.author ? `, ${c.author}` : ''} (${c.licence}, ${c.source}) ${c.page_url}`);
  if (!f.repetition.length) out.push('repeats   none found among earlier stories');
  for (const w of f.repetition) out.push(`repeats   ${w.message}`);
  return out;
}
