import { type Reply, googleError } from './http.js';

/**
 * What Cloud TTS `text:synthesize` refuses, with its error bodies (HTTP 400 INVALID_ARGUMENT; the
 * client's gax turns these into code 3). Each rule names what it mirrors.
 */

/** The fake's longest sentence: the real service refused a 312-character sentence on es-ES-Neural2-F (googleapis/google-cloud-node#4074) and ~330 on others. */
export const FAKE_MAX_SENTENCE_CHARS = 300;

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The text a request speaks, without SSML markup. */
export function spokenText(input: { text?: string; ssml?: string }): string {
  return input.text ?? unescape((input.ssml ?? '').replace(/<[^>]+>/g, ' '));
}

/** Sentences as the service counts them: ended by sentence-ending punctuation, whatever the markup. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?。！？])\s+|(?<=[。！？])/u)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** Spoken length and mark times of an input, as this fake speaks it. */
export function fakeSpeech(input: { text?: string; ssml?: string }, secondsPerChar: number): { seconds: number; marks: { markName: string; timeSeconds: number }[] } {
  if (input.text !== undefined) return { seconds: Array.from(input.text).length * secondsPerChar, marks: [] };
  let t = 0;
  const marks: { markName: string; timeSeconds: number }[] = [];
  for (const part of (input.ssml ?? '').replace(/^<speak>|<\/speak>$/g, '').split(/(<mark name="[^"]*"\/>)/)) {
    const m = /^<mark name="([^"]*)"\/>$/.exec(part);
    if (m) marks.push({ markName: m[1], timeSeconds: Math.round(t * 1e6) / 1e6 });
    else t += Array.from(unescape(part.replace(/<[^>]+>/g, ''))).length * secondsPerChar;
  }
  return { seconds: t, marks };
}

export interface SynthesizeRequest {
  text?: string;
  ssml?: string;
  voice: { languageCode: string; name: string };
  audioEncoding: number;
  speakingRate?: number;
  bytes: number;
}

/** The refusal the real service gives this request, or null when it would speak it. */
export function ttsRefusal(req: SynthesizeRequest, voices: Set<string>): Reply | null {
  const bad = (message: string) => googleError(400, 'INVALID_ARGUMENT', message);
  // `$alt=json;enum-encoding=int`: enums travel as numbers (google-gax fallback)
  if (typeof req.audioEncoding !== 'number') return bad(`Invalid value at 'audio_config.audio_encoding' (type.googleapis.com/google.cloud.texttospeech.v1beta1.AudioEncoding), ${JSON.stringify(req.audioEncoding)}`);
  // https://cloud.google.com/text-to-speech/quotas#content_limits: 5000 bytes of text or SSML; message as the service words it
  if (req.bytes > 5000) {
    return bad(
      'Either `input.text` or `input.ssml` is longer than the limit of 5000 bytes. This limit is different from quotas. To fix, reduce the byte length of the characters in this request, or consider using the Long Audio API: https://cloud.google.com/text-to-speech/docs/create-audio-text-long-audio-synthesis.',
    );
  }
  const name = req.voice?.name ?? '';
  if (!voices.has(name)) return bad(`Voice '${name}' does not exist. Is it misspelled?`);
  const voiceLanguage = name.split('-').slice(0, 2).join('-').toLowerCase();
  if (req.voice.languageCode && req.voice.languageCode.toLowerCase() !== voiceLanguage) {
    return bad(`Requested language code '${req.voice.languageCode}' doesn't match the voice '${name}''s language code '${voiceLanguage}'. Either pick a different voice, or change the requested language code to ${voiceLanguage}.`);
  }
  const chirp = /-Chirp3-HD-/.test(name);
  // Chirp (and Journey) voices take text only; the service's words
  if (req.ssml !== undefined && /Chirp|Journey/.test(name)) return bad('This voice currently does not support SSML input. Please try again with text only input.');
  // AudioConfig.speakingRate: [0.25, 4.0], "any other values ... will return an error"; Chirp 3 HD pace control: 0.25 to 2 (message ours: the service's wording is not published)
  const rate = req.speakingRate ?? 1;
  const [min, max] = chirp ? [0.25, 2] : [0.25, 4];
  if (rate !== 0 && (rate < min || rate > max)) return bad(`speaking_rate ${rate} is out of range [${min}, ${max}] for voice ${name}.`);
  // the too-long-sentence refusal, worded as the service words it (pgmichael/wavenet-for-chrome#106)
  const long = sentencesOf(spokenText(req)).find((s) => Array.from(s).length > FAKE_MAX_SENTENCE_CHARS);
  if (long) {
    return bad(
      `This request contains sentences that are too long. Consider splitting up long sentences with sentence ending punctuation e.g. periods. Sentence starting with: "${long.split(' ')[0]}" is too long.`,
    );
  }
  return null;
}
