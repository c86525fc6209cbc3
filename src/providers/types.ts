import type { NewScene } from '../db/stories.js';
import type { Queryable } from '../db/types.js';
import type { Scene, SentenceTiming, Story, StoryMetadata } from '../types.js';

/** The provider interfaces. Offline ones ship now; Gemini, Cloud TTS and YouTube plug in behind them. */

export interface ScriptDraft {
  script: string;
  scenes: NewScene[];
  source: { provider: string; file?: string };
}

export interface TextProvider {
  readonly name: string;
  /** true when the writing is a placeholder, labelled as such wherever it shows */
  readonly preview: boolean;
  writeScript(input: { topic: string; language: string }, signal: AbortSignal): Promise<ScriptDraft>;
  writeMetadata(
    input: { story: Story; scenes: Scene[]; chapters: { start: number; title: string }[] },
    signal: AbortSignal,
  ): Promise<StoryMetadata>;
}

export interface StillRequest {
  prompt: string;
  caption: string;
  position: number;
  total: number;
  topic: string;
  width: number;
  height: number;
  /** PNG file to write */
  out: string;
}

export interface ImageProvider {
  readonly name: string;
  drawStill(req: StillRequest, signal: AbortSignal): Promise<void>;
}

export interface Narration {
  /** seconds */
  duration: number;
  /** one per sentence, seconds from the start of the clip */
  timings: SentenceTiming[];
}

export interface SpeechProvider {
  readonly name: string;
  /** Speaks the sentences into one WAV file at `out`, with exact sentence timings. */
  speak(req: { sentences: string[]; language: string; out: string }, signal: AbortSignal): Promise<Narration>;
}

export interface PublishRequest {
  story: Story;
  metadata: StoryMetadata;
  files: { video: string; thumbnail: string; srt: string };
  /** For publishers that record where an upload stands, so that a retried job resumes or skips it. */
  db: Queryable;
  /** A short progress line for people. */
  progress(text: string): void;
  /** Something the operator should know that does not stop publishing. */
  warn(text: string): void;
}

export interface Publisher {
  readonly name: string;
  publish(req: PublishRequest, signal: AbortSignal): Promise<{ videoId: string | null; url: string | null }>;
}

export interface Providers {
  text: TextProvider;
  image: ImageProvider;
  speech: SpeechProvider;
  publish: Publisher;
}
