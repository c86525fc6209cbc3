import { clearResearch, saveResearch } from '../db/research.js';
import { getStory, listScenes, saveScript } from '../db/stories.js';
import { stageMeter } from '../costs.js';
import { NOT_RESEARCHED, factCheck } from './fact-check.js';
import type { Stage } from './types.js';

/** Script: the topic becomes a script and its scenes (narration and image prompt each), with its sources and checked claims. */
export const scriptStage: Stage = {
  type: 'generate_script',
  status: 'generating_script',
  title: 'Write the script',
  async run(story, ctx) {
    const meter = stageMeter(ctx, story, 'generate_script');
    if (story.script_text && (await listScenes(ctx.db, story.id)).length > 0) {
      ctx.progress('script already written');
    } else {
      ctx.progress(`writing with ${ctx.providers.text.name}`);
      const draft = await ctx.providers.text.writeScript({ topic: story.topic, language: story.language }, ctx.signal, meter);
      if (ctx.signal.aborted) return;
      await ctx.db.transaction(async (tx) => {
        await saveScript(tx, story.id, draft.script, draft.source, draft.scenes);
        await saveResearch(tx, story.id, draft.research ?? NOT_RESEARCHED);
      });
      ctx.progress(`${draft.scenes.length} scenes, ${draft.research?.sources.length ?? 0} sources`);
    }
    const written = (await getStory(ctx.db, story.id)) ?? story;
    await factCheck(written, ctx, meter);
  },
  async reset(story, ctx) {
    // the sources and claims go with the script (an operator's are read from their script again)
    await clearResearch(ctx.db, story.id);
    // the operator's own script is the input, not this stage's work: keep it
    if (story.script_source?.provider === 'operator') return;
    await ctx.db.query('delete from scenes where story_id = $1', [story.id]);
    await ctx.db.query('update stories set script_text = null, script_source = null where id = $1', [story.id]);
  },
};
