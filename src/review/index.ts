import path from 'node:path';
import { awaitingSince, listEvents, type StoryEvent } from '../approval/index.js';
import { wantsSlot } from '../approval/gate.js';
import { comingSlots, slotOf } from '../calendar/index.js';
import { stillOrigins } from '../db/credits.js';
import { getStoryDetail } from '../db/stories.js';
import type { Db } from '../db/types.js';
import { videoResource } from '../providers/publish/youtube/index.js';
import { loadUpload } from '../providers/publish/youtube/state.js';
import type { Services } from '../stages/types.js';
import { resolveStory } from '../stories.js';
import type { StoryMetadata } from '../types.js';
import { type Findings, findings } from './findings.js';

/**
 * Everything the upload of a story will send, and what an operator needs to decide on it, as data:
 * `review` prints it (src/review/print.ts), `--json` and GET /stories/{id}/review answer it. Other
 * parts add their findings as fields of their own (marked below) without changing the rest.
 */
export interface Review {
  story_id: string;
  topic: string;
  language: string;
  status: string;
  /** whether this story's upload waits for approval */
  approval: boolean;
  /** since when the held upload has waited; null: not waiting */
  awaiting_approval_since: Date | null;
  publisher: string;
  /** what YouTube receives (null without metadata yet, or with another publisher) */
  youtube: YoutubeUpload | null;
  /** the folder publisher's destination */
  folder: string | null;
  /** title, description with its chapters, tags, as the metadata stage wrote them */
  metadata: StoryMetadata | null;
  cost: { usd: number; budget_usd: number | null; paid_calls: number };
  checks: { render: 'passed' | 'not rendered'; note: string };
  files: { video: StoredFile | null; thumbnail: StoredFile | null; captions: StoredFile | null };
  /** approvals and rejections with their notes, oldest first */
  history: StoryEvent[];
  /** the contact sheet, near-copies of earlier stories, the script's research (src/review/findings.ts) */
  findings: Findings;
}

export interface StoredFile {
  location: string;
  bytes: number;
}

export interface YoutubeUpload {
  title: string;
  description: string;
  tags: string[];
  category_id: string;
  privacy: string;
  /** when YouTube makes it public; null: at once (or never, for private and unlisted) */
  publish_at: Date | null;
  /** where the time comes from: the story's own, its calendar slot, the slot it would take if approved now, or the config */
  schedule: 'story' | 'slot' | 'next free slot' | 'config' | null;
  contains_synthetic_media: boolean;
  made_for_kids: boolean;
  captions: boolean;
  playlist_id: string | null;
}

const RENDER_NOTE =
  'the render stage stores a video only after its check (streams, durations, loudness, true peak, black and silent stretches) found no problem; the measurements themselves are not stored';

async function youtubeUpload(s: Services, storyId: string, metadata: StoryMetadata, story: Parameters<typeof videoResource>[0]['story'], now: Date): Promise<YoutubeUpload> {
  const own = await loadUpload(s.db, storyId);
  let slot = await slotOf(s.db, storyId);
  let schedule: YoutubeUpload['schedule'] = slot ? 'slot' : null;
  if (!slot && (await wantsSlot(s.db, storyId, s.config))) {
    slot = (await comingSlots(s.db, s.config.youtube.schedule!, 1, now)).find((e) => !e.story_id)?.slot_at ?? null;
    schedule = 'next free slot';
  }
  const settings = s.config.youtube;
  const { status } = videoResource({ story, metadata, slot, stills: await stillOrigins(s.db, storyId) }, settings, now, own);
  const publishAt = typeof status.publishAt === 'string' ? new Date(status.publishAt) : null;
  if (own.publish_at) schedule = 'story';
  else if (!slot && publishAt) schedule = 'config';
  return {
    title: metadata.title,
    description: metadata.description,
    tags: metadata.tags,
    category_id: settings.categoryId,
    privacy: String(status.privacyStatus),
    publish_at: publishAt,
    schedule: publishAt ? schedule : null,
    contains_synthetic_media: status.containsSyntheticMedia === true,
    made_for_kids: settings.madeForKids,
    captions: settings.captions,
    playlist_id: settings.playlistId ?? null,
  };
}

/** The review of one story (id or unique prefix). */
export async function buildReview(s: Services, idOrPrefix: string, now = new Date()): Promise<Review> {
  const found = await resolveStory(s.db as Db, idOrPrefix);
  const d = (await getStoryDetail(s.db, found.id))!;
  const file = (kind: string): StoredFile | null => {
    const a = d.assets.find((x) => x.kind === kind);
    return a ? { location: a.url, bytes: a.bytes } : null;
  };
  const video = file('video');
  const publisher = s.config.providers.publish;
  return {
    story_id: d.id,
    topic: d.topic,
    language: d.language,
    status: d.status,
    approval: d.approval,
    awaiting_approval_since: (await awaitingSince(s.db, [d.id])).get(d.id) ?? null,
    publisher,
    youtube: publisher === 'youtube' && d.metadata ? await youtubeUpload(s, d.id, d.metadata, d, now) : null,
    folder: publisher === 'folder' ? path.join(s.config.publishDir, d.id) : null,
    metadata: d.metadata,
    cost: { usd: d.cost_usd, budget_usd: d.budget_usd, paid_calls: d.costs.length },
    checks: { render: video ? 'passed' : 'not rendered', note: RENDER_NOTE },
    files: { video, thumbnail: file('thumbnail'), captions: file('captions_srt') },
    history: await listEvents(s.db, d.id),
    findings: await findings(s, d.id, d.assets),
  };
}
