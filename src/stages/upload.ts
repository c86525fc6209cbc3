import { getResearch } from '../db/research.js';
import { uploadQueued, uploadReset } from '../approval/gate.js';
import { slotOf } from '../calendar/index.js';
import { listCredits, stillOrigins } from '../db/credits.js';
import { setPublished } from '../db/stories.js';
import { mostCited } from './description/sources.js';
import { PermanentError } from '../errors.js';
import { forgetUpload } from '../providers/publish/youtube/state.js';
import { keys } from '../storage/types.js';
import type { Stage } from './types.js';

/** Upload: hands the video, thumbnail, captions and metadata to the configured publisher. */
export const uploadStage: Stage = {
  type: 'upload_youtube',
  status: 'uploading',
  title: 'Publish',
  async run(story, ctx) {
    if (!story.metadata) throw new PermanentError('the story has no metadata; run `lost-archives retry ID --from generate_metadata`');
    const names = { video: 'video.mp4', thumbnail: 'thumbnail.jpg', srt: 'captions.srt' } as const;
    // fetched only when the publisher asks: a retry whose video YouTube already has does not download it
    const file = (name: keyof typeof names) => ctx.storage.localPath(keys.story(story.id, names[name]), ctx.signal);
    ctx.progress(`publishing with ${ctx.providers.publish.name}`);
    const research = await getResearch(ctx.db, story.id);
    const slot = await slotOf(ctx.db, story.id);
    // what the story really uses decides the synthetic-media disclosure
    const stills = await stillOrigins(ctx.db, story.id);
    const credits = await listCredits(ctx.db, story.id);
    const publishing = { story, metadata: story.metadata, slot, file, research: { ...research, sources: mostCited(research.sources) }, stills, credits, db: ctx.db, progress: ctx.progress, warn: (text: string) => ctx.log.warn(text) };
    const result = await ctx.providers.publish.publish(publishing, ctx.signal);
    if (ctx.signal.aborted) return;
    await setPublished(ctx.db, story.id, { id: result.videoId, url: result.url });
    // a published story's files need no copy on this machine any more (remote storage keeps them)
    await ctx.storage.dropLocalCopies(keys.story(story.id, ''));
    ctx.progress(result.url ?? `published with ${ctx.providers.publish.name}`);
  },
  async reset(story, ctx) {
    await setPublished(ctx.db, story.id, { id: null, url: null });
    // the next run uploads a new video (an earlier one stays on the channel)
    await forgetUpload(ctx.db, story.id);
    await uploadReset(ctx.db, story.id);
  },
  async queued(story, deps) {
    await uploadQueued(deps.db, story, deps.config);
  },
};
