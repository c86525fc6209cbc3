import { listScenes, saveScript } from '../db/stories.js';
import { stageMeter } from '../costs.js';
import type { Stage } from './types.js';

/** Script: the topic becomes a script and its scenes (narration and image prompt each). */
export const scriptStage: Stage = {
  type: 'generate_script',
  status: 'generating_script',
  title: 'Write the script',
  async run(story, ctx) {
    if (story.script_text && (await listScenes(ctx.db, story.id)).length > 0) {
      ctx.progress('script already written');
      return;
    }
    ctx.progress(`writing with ${ctx.providers.text.name}`);
    const draft = await ctx.providers.text.writeScript({ topic: story.topic, language: story.language }, ctx.signal, stageMeter(ctx, story, 'generate_script'));
    if (ctx.signal.aborted) return;
    await ctx.db.transaction((tx) => saveScript(tx, story.id, draft.script, draft.source, draft.scenes));
    ctx.progress(`${draft.scenes.length} scenes`);
  },
  async reset(story, ctx) {
    // the operator's own script is the input, not this stage's work: keep it
    if (story.script_source?.provider === 'operator') return;
    await ctx.db.query('delete from scenes where story_id = $1', [story.id]);
    await ctx.db.query('update stories set script_text = null, script_source = null where id = $1', [story.id]);
  },
};
