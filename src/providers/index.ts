import fs from 'node:fs';
import type { Config } from '../config.js';
import type { ImageChoice } from '../config/providers.js';
import type { Storage } from '../storage/types.js';
import { geminiChooser } from './image/archive/choice.js';
import { type AnswerCache, noCache } from './image/archive/http.js';
import { archiveFinder } from './image/archive/index.js';
import { geminiIllustrator } from './image/gemini.js';
import { previewIllustrator } from './image/preview.js';
import { folderPublisher } from './publish/folder.js';
import { youtubePublisher } from './publish/youtube/index.js';
import { espeakVoice } from './speech/espeak.js';
import { googleVoice } from './speech/google.js';
import { geminiWriter } from './text/gemini.js';
import { previewWriter } from './text/preview.js';
import type { ImageProvider, Providers } from './types.js';

export type * from './types.js';

/** The archives' answers and files, kept in storage under `cache/archives/` so no retry asks twice. */
export function storageCache(storage: Storage): AnswerCache {
  const key = (k: string) => `cache/archives/${k}`;
  return {
    async get(k) {
      if (!(await storage.exists(key(k)))) return null;
      return fs.promises.readFile(await storage.localPath(key(k)));
    },
    async put(k, bytes) {
      await storage.put(key(k), bytes, 'application/octet-stream');
    },
  };
}

/**
 * Builds the configured providers. Every provider name here is one the config schema accepts. Google
 * clients are made on first use, with credentials from `env` (see doctor for the checks). `storage`
 * keeps the archives' answers between runs (without it, nothing is kept).
 */
export function buildProviders(config: Config, env: NodeJS.ProcessEnv = process.env, storage?: Storage): Providers {
  const p = config.providers;
  const image = (name: ImageChoice): ImageProvider => {
    if (name === 'gemini') return geminiIllustrator(config.google, env);
    if (name === 'archive') return archiveFinder(config.archives, storage ? storageCache(storage) : noCache, p.text === 'gemini' ? geminiChooser(config.google, env) : null);
    return previewIllustrator();
  };
  return {
    text: p.text === 'gemini' ? geminiWriter(config.google, env) : previewWriter(),
    images: p.image.map(image),
    speech: p.speech === 'google' ? googleVoice(config.google, env, config.language) : espeakVoice(),
    publish: p.publish === 'youtube' ? youtubePublisher(config) : folderPublisher(config.publishDir),
  };
}

/** True when nothing configured needs an account or the network (announced once by the CLI). */
export function isOffline(config: Config): boolean {
  const p = config.providers;
  return p.text === 'preview' && p.image.every((i) => i === 'preview') && p.speech === 'espeak' && p.publish === 'folder';
}
