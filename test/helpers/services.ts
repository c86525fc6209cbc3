import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LoadedConfig, type UserConfig, parseConfig } from '../../src/config.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { buildMedia } from '../../src/media/index.js';
import { buildProviders } from '../../src/providers/index.js';
import type { Pipeline, Stage } from '../../src/stages/index.js';
import type { Services } from '../../src/stages/types.js';
import { buildStorage } from '../../src/storage/index.js';
import type { JobType, StoryStatus } from '../../src/types.js';

export function tempDir(prefix = 'la-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(overrides: UserConfig = {}, dir = tempDir()): LoadedConfig {
  const config = parseConfig({ dataDir: path.join(dir, 'data'), publishDir: path.join(dir, 'published'), ...overrides }, 'test');
  return { ...config, source: null, baseDir: dir };
}

export function testServices(db: Db, config: LoadedConfig = testConfig(), logger: Logger = silentLogger): Services {
  return { config, db, storage: buildStorage(config), providers: buildProviders(config), media: buildMedia(), logger };
}

const STATUSES: Record<JobType, StoryStatus> = {
  generate_script: 'generating_script',
  generate_images: 'generating_images',
  generate_audio: 'generating_audio',
  generate_subtitles: 'generating_subtitles',
  generate_metadata: 'generating_metadata',
  render_video: 'rendering',
  upload_youtube: 'uploading',
};

export interface TrivialCall {
  type: JobType;
  storyId: string;
  finished: boolean;
  aborted: boolean;
}

/**
 * A pipeline with the real job types whose stages only wait (honouring the abort signal) and record
 * their calls; `behave` can make a stage throw for a given call.
 */
export function trivialPipeline(opts: { ms?: number; behave?: (type: JobType, call: number) => Error | void } = {}): { pipeline: Pipeline; calls: TrivialCall[] } {
  const calls: TrivialCall[] = [];
  const counts = new Map<JobType, number>();
  const pipeline: Stage[] = (Object.keys(STATUSES) as JobType[]).map((type) => ({
    type,
    status: STATUSES[type],
    title: type,
    async run(story, ctx) {
      const call: TrivialCall = { type, storyId: story.id, finished: false, aborted: false };
      calls.push(call);
      const n = (counts.get(type) ?? 0) + 1;
      counts.set(type, n);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.ms ?? 5);
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), (call.aborted = true), resolve()), { once: true });
      });
      if (call.aborted) return;
      const err = opts.behave?.(type, n);
      if (err) throw err;
      call.finished = true;
    },
    async reset() {},
  }));
  return { pipeline, calls };
}
