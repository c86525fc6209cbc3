import type { NewScene } from '../db/stories.js';
import type { Queryable } from '../db/types.js';
import type { Scene, SentenceTiming, Story, StoryMetadata } from '../types.js';

/** The provider interfaces. Offline ones ship now; Gemini, Cloud TTS and YouTube plug in behind them. */

export interface ScriptDraft {
  script: string;
  scenes: NewScene[];
  source: { provider: string; file?: string };
  /** what the script was researched from; absent: not researched (the offline writer) */
  research?: Research;
}

/** Where a script's facts come from: its sources and the passages of narration each one backs. */
export interface Research {
  /** `search`: Grounding with Google Search; `operator`: links in the operator's script; `none`: not researched */
  origin: 'search' | 'operator' | 'none';
  /** the Google Search queries the model ran */
  queries: string[];
  sources: { url: string; title: string | null; domain: string | null }[];
  /**
   * A piece of one scene's narration (1-based scene; null: the whole script, as an operator's `Sources:`
   * list) and the sources (0-based indices into `sources`) that back it.
   */
  passages: { scene: number | null; text: string; sources: number[] }[];
}

export type ClaimKind = 'date' | 'name' | 'place' | 'number' | 'quotation' | 'other';

/** One checkable statement of a script and whether a recorded source backs it. */
export interface Claim {
  text: string;
  kind: ClaimKind;
  /** 1-based scene, or null when it is not tied to one */
  scene: number | null;
  verdict: 'supported' | 'unsupported';
  /** 1-based source positions that back it (empty when unsupported) */
  sources: number[];
}

/** Records what a paid call used and stops a story before a call would take it over its budget (src/costs.ts). */
export interface Meter {
  /** Throws PermanentError when a call of about this usage would exceed the story's budget; reserves it otherwise. */
  reserve(call: MeteredCall): Promise<Reservation>;
}

export interface Usage {
  tokensIn?: number;
  tokensOut?: number;
  images?: number;
  characters?: number;
  /** Google Search queries a grounded call ran (billed per query on Gemini 3) */
  searchQueries?: number;
}

export interface MeteredCall {
  provider: string;
  /** model id, or the TTS voice type (`Neural2`, `Chirp3-HD`, ...) the price table knows */
  model: string;
  /** what the call was for: `script`, `metadata`, `still`, `narration`, `safety rewrite` */
  operation: string;
  scene?: number;
  usage: Usage;
}

export interface Reservation {
  /** Records the call's real usage (replacing the estimate); call once, also after a failed call that was billed. */
  settle(usage: Usage | null): Promise<void>;
}

/** One cheap call that proves the provider works (doctor); resolves to a line for people. */
export type ProviderCheck = (signal: AbortSignal) => Promise<string>;

export interface TextProvider {
  readonly name: string;
  check?: ProviderCheck;
  /** true when the writing is a placeholder, labelled as such wherever it shows */
  readonly preview: boolean;
  writeScript(input: { topic: string; language: string }, signal: AbortSignal, meter?: Meter): Promise<ScriptDraft>;
  /**
   * The script's checkable claims (dates, names, places, numbers, quotations), each marked supported
   * when one of the research's passages of the same scene backs it. Absent: this writer cannot check.
   */
  checkClaims?(input: { topic: string; language: string; scenes: { position: number; text: string }[]; research: Research }, signal: AbortSignal, meter?: Meter): Promise<Claim[]>;
  writeMetadata(
    input: { story: Story; scenes: Scene[]; chapters: { start: number; title: string }[] },
    signal: AbortSignal,
    meter?: Meter,
  ): Promise<StoryMetadata>;
}

export interface StillRequest {
  prompt: string;
  caption: string;
  position: number;
  total: number;
  topic: string;
  /** the story's language: the offline illustrator draws its text with this language's fonts */
  language: string;
  width: number;
  height: number;
  /** PNG file to write */
  out: string;
  /** what the narrator says in the scene (a finder's choice is checked against it) */
  narration?: string;
  /** words to search archives with, when the script gave them */
  searchTerms?: string | null;
  /** True when this story already uses the picture with this page URL (the same picture is not used twice). */
  taken?: (pageUrl: string) => boolean;
  /** Takes the picture for this scene; false when another scene took it first. Finders call it before they write `out`. */
  claim?: (pageUrl: string) => boolean;
}

/** Where a found picture came from and under what licence: one row of the `credits` table, less the story. */
export interface PictureCredit {
  /** `commons` (Wikimedia Commons) or `loc` (Library of Congress) */
  source: string;
  page_url: string;
  file_url: string;
  title: string;
  author: string | null;
  /** as the record states it: `Public domain`, `CC0`, `CC BY 4.0`, `CC BY-SA 3.0` */
  licence: string;
  licence_url: string | null;
  /** what was done to it: fitting, enlarging, the zoom and pan */
  modification: string;
}

/** A credit as recorded for a story's scene. */
export type StoredCredit = PictureCredit & { scene: number; retrieved_at: Date };

/** A generator always draws (`drawn`); a finder may find a picture (`found`, with its provenance) or `none`. */
export type StillOutcome = { kind: 'drawn' } | { kind: 'found'; credit: PictureCredit } | { kind: 'none'; reason: string };

export interface ImageProvider {
  readonly name: string;
  check?: ProviderCheck;
  drawStill(req: StillRequest, signal: AbortSignal, meter?: Meter): Promise<StillOutcome>;
}

export interface Narration {
  /** seconds */
  duration: number;
  /** one per sentence, seconds from the start of the clip */
  timings: SentenceTiming[];
}

export interface SpeechProvider {
  readonly name: string;
  check?: ProviderCheck;
  /** Speaks the sentences into one WAV file at `out`, with exact sentence timings. */
  speak(req: { sentences: string[]; language: string; out: string; scene?: number }, signal: AbortSignal, meter?: Meter): Promise<Narration>;
}

export interface PublishRequest {
  story: Story;
  metadata: StoryMetadata;
  /** The publishing calendar's slot the story holds (youtube.schedule): publish at this time; null: none. */
  slot?: Date | null;
  /**
   * A local path to one of the story's files, fetched from storage when first asked for: a publisher that
   * finds the video already uploaded (a retried job) never fetches it.
   */
  file(name: 'video' | 'thumbnail' | 'srt'): Promise<string>;
  /** what the script was researched from, sources most-cited first (the folder publisher writes it to sources.json) */
  research?: PublishedResearch;
  /** For publishers that record where an upload stands, so that a retried job resumes or skips it. */
  db: Queryable;
  /** A short progress line for people. */
  progress(text: string): void;
  /** Something the operator should know that does not stop publishing. */
  warn(text: string): void;
  /** How the story's stills were made: `generated` counts drawn ones (and any of unknown origin). Absent: unknown. */
  stills?: { generated: number; archival: number };
  /** The archival pictures used, in scene order. */
  credits?: StoredCredit[];
}

export interface PublishedSource {
  position: number;
  url: string;
  title: string | null;
  domain: string | null;
  /** grounded passages of narration it backs */
  citations: number;
  scenes: number[];
}

export interface PublishedResearch {
  /** null: nothing recorded (a story older than research) */
  origin: Research['origin'] | null;
  search_queries: string[];
  sources: PublishedSource[];
  claims: Claim[];
}

export interface Publisher {
  readonly name: string;
  publish(req: PublishRequest, signal: AbortSignal): Promise<{ videoId: string | null; url: string | null }>;
}

export interface Providers {
  text: TextProvider;
  /** tried in order for each scene: finders first, at most one generator last */
  images: ImageProvider[];
  speech: SpeechProvider;
  publish: Publisher;
}
