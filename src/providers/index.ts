import type { Config } from '../config.js';
import { geminiIllustrator } from './image/gemini.js';
import { previewIllustrator } from './image/preview.js';
import { folderPublisher } from './publish/folder.js';
import { youtubePublisher } from './publish/youtube/index.js';
import { espeakVoice } from './speech/espeak.js';
import { googleVoice } from './speech/google.js';
import { geminiWriter } from './text/gemini.js';
import { previewWriter } from './text/preview.js';
import type { Providers } from './types.js';

export type * from './types.js';

/**
 * Builds the configured providers. Every provider name here is one the config schema accepts. Google
 * clients are made on first use, with credentials from `env` (see doctor for the checks).
 */
export function buildProviders(config: Config, env: NodeJS.ProcessEnv = process.env): Providers {
  const p = config.providers;
  return {
    text: p.text === 'gemini' ? geminiWriter(config.google, env) : previewWriter(),
    image: p.image === 'gemini' ? geminiIllustrator(config.google, env) : previewIllustrator(),
    speech: p.speech === 'google' ? googleVoice(config.google, env, config.language) : espeakVoice(),
    publish: p.publish === 'youtube' ? youtubePublisher(config) : folderPublisher(config.publishDir),
  };
}

/** True when nothing configured needs an account or the network (announced once by the CLI). */
export function isOffline(config: Config): boolean {
  const p = config.providers;
  return p.text === 'preview' && p.image === 'preview' && p.speech === 'espeak' && p.publish === 'folder';
}
