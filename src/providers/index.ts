import type { Config } from '../config.js';
import { previewIllustrator } from './image/preview.js';
import { folderPublisher } from './publish/folder.js';
import { youtubePublisher } from './publish/youtube/index.js';
import { espeakVoice } from './speech/espeak.js';
import { previewWriter } from './text/preview.js';
import type { Providers } from './types.js';

export type * from './types.js';

/** Builds the configured providers. Every provider name here is one the config schema accepts. */
export function buildProviders(config: Config): Providers {
  return {
    text: previewWriter(),
    image: previewIllustrator(),
    speech: espeakVoice(),
    publish: config.providers.publish === 'youtube' ? youtubePublisher(config) : folderPublisher(config.publishDir),
  };
}

/** True when nothing configured needs an account or the network (announced once by the CLI). */
export function isOffline(config: Config): boolean {
  const p = config.providers;
  return p.text === 'preview' && p.image === 'preview' && p.speech === 'espeak' && p.publish === 'folder';
}
